import { describe, expect, it } from 'vitest';
import { DesiredRegistry, ContributionConflict, type DesiredContributor } from '../../../src/routeros/contributors.js';
import type { Device, Inventory } from '../../../src/inventory/model.js';

const router = { id: 'dinkes-rtr01', opd: 'DINKES', role: 'router' } as Device;
const inv = {} as Inventory;
const c = (name: string, d: ReturnType<DesiredContributor['desired']>): DesiredContributor => ({ name, desired: () => d });

describe('DesiredRegistry', () => {
  it('concatenates contributions per menu in registration order', () => {
    const r = new DesiredRegistry();
    r.register(c('routes', { menus: { '/ip/route': [{ 'dst-address': '10.1.0.0/24', gateway: '10.0.0.1', comment: 'simpul:routes 10.1.0.0/24' }] } }));
    r.register(
      c('blocking', {
        menus: { '/ip/route': [], '/ip/firewall/address-list': [{ list: 'simpul-block', address: '1.2.3.4', comment: 'simpul:blocking' }] },
        placement: { '/ip/firewall/filter': { at: 'top' } },
      }),
    );
    const d = r.desiredFor(router, inv);
    expect(d.menus['/ip/route']).toHaveLength(1);
    expect(d.menus['/ip/firewall/address-list']).toHaveLength(1);
    expect(d.placement).toEqual({ '/ip/firewall/filter': { at: 'top' } });
    expect(r.names()).toEqual(['routes', 'blocking']);
  });

  it("refuses an entry without its contributor's comment prefix, and conflicting placements", () => {
    const r = new DesiredRegistry();
    r.register(c('nat', { menus: { '/ip/firewall/nat': [{ chain: 'dstnat', comment: 'simpul:routes x' }] } }));
    expect(() => r.desiredFor(router, inv)).toThrow(ContributionConflict);
    const r2 = new DesiredRegistry();
    r2.register(c('a', { menus: {}, placement: { '/ip/firewall/filter': { at: 'top' } } }));
    r2.register(c('b', { menus: {}, placement: { '/ip/firewall/filter': { at: 'bottom' } } }));
    expect(() => r2.desiredFor(router, inv)).toThrow(/different placements/);
    expect(() => r2.register(c('a', { menus: {} }))).toThrow(/twice/);
  });

  it('tells subscribers which routers changed', () => {
    const r = new DesiredRegistry();
    const seen: unknown[] = [];
    r.onChange((x) => seen.push(x));
    r.register(c('routes', { menus: {} }));
    r.changed(['diskominfo-core01']);
    expect(seen).toEqual(['all', ['diskominfo-core01']]);
  });
});
