import { describe, expect, it } from 'vitest';
import { blockingContributor, isOpdRouter } from '../../../src/blocking/contributor.js';
import type { EffectiveBlocklist } from '../../../src/blocking/enforce.js';
import { ManualClock } from '../../../src/common/clock.js';
import type { Device, Inventory } from '../../../src/inventory/model.js';
import { DesiredRegistry } from '../../../src/routeros/contributors.js';

const dev = (id: string, opd: string, mgmt: string, extra: Partial<Device> = {}): Device =>
  ({
    id,
    name: id,
    role: 'router',
    vendor: 'MikroTik',
    model: 'RB5009UG+S+IN',
    site: `${opd.toLowerCase()}-hq`,
    mgmt,
    opd,
    routeros: { credentials: 'mikrotik-opd', version: '7.19.1' },
    ...extra,
  }) as Device;

const dinkes = dev('dinkes-rtr01', 'DINKES', '10.255.10.1');
const disdik = dev('disdik-rtr01', 'DISDIK', '10.255.11.1', { routeros: { credentials: 'mikrotik-opd', version: '6.49.10' } });
const core = dev('diskominfo-core01', 'DISKOMINFO', '10.255.0.1');
const sw = dev('dinkes-sw01', 'DINKES', '10.255.10.2', { role: 'switch' });
const bare = dev('dishub-rtr01', 'DISHUB', '10.255.12.1', { routeros: undefined });
const link = (a: Device, b: Device) => ({ a: { device: a.id, port: 'ether1' }, b: { device: b.id, port: 'ether1' } });
const inv = {
  regency: { name: 'Kabupaten Contoh', province: 'Contoh', domain: 'pemda.example' },
  opds: [],
  sites: [],
  devices: [dinkes, disdik, core, sw, bare],
  links: [link(core, dinkes), link(core, disdik)],
} as unknown as Inventory;

/** Stands in for BlockingService.effective: one exception for DINKES until a given time. */
function fakeService(until: Date) {
  const calls: [string, Date | undefined][] = [];
  return {
    calls,
    effective(opd: string, at?: Date): EffectiveBlocklist {
      calls.push([opd, at]);
      const excepted = opd === 'DINKES' && at !== undefined && at < until;
      const domains = [
        { name: 'judi.example', subdomains: true, category: 'judi' },
        { name: 'wiki.example', subdomains: false, category: 'lainnya' },
      ].filter((d) => !(excepted && d.name === 'wiki.example'));
      // As BlockingService does: an entry blocking the regency's domain is withheld from the list, with why.
      const withheld = [
        { entry: 'pemda.example', category: 'lainnya', reason: "the regency's own domain pemda.example (and every name under it) is never blocked" },
      ];
      return {
        opd,
        domains,
        prefixes: [
          { prefix: '198.51.100.0/24', category: 'malware' },
          { prefix: '10.255.11.0/24', category: 'lainnya' },
        ],
        withheld,
      };
    },
  };
}

const names = (d: ReturnType<ReturnType<typeof blockingContributor>['desired']>) => (d.menus['/ip/dns/static'] ?? []).map((e) => e.name ?? e.regexp);

describe('blocking contributor', () => {
  it('contributes to OPD routers only', () => {
    expect([dinkes, disdik, core, sw, bare].map((d) => isOpdRouter(d, inv))).toEqual([true, true, false, false, false]);
    const c = blockingContributor(fakeService(new Date(0)), { config: {}, clock: new ManualClock() });
    for (const d of [core, sw, bare]) expect(c.desired(d, inv)).toEqual({ menus: {} });
  });

  it('gives each router its own form and the exception only to its own OPD, until it expires', () => {
    const clock = new ManualClock(new Date('2026-11-23T08:00:00Z'));
    const svc = fakeService(new Date('2026-11-23T09:00:00Z'));
    const c = blockingContributor(svc, { config: { blocking: { dropForeignDns: false } }, clock });
    expect(names(c.desired(dinkes, inv))).toEqual(['judi.example']);
    expect(names(c.desired(disdik, inv))).toEqual(['(^|\\.)judi\\.example$', '(^|\\.)judi\\.example$', 'wiki.example', 'wiki.example']);
    expect(svc.calls.map(([o, at]) => [o, at?.toISOString()])).toEqual([
      ['DINKES', '2026-11-23T08:00:00.000Z'],
      ['DISDIK', '2026-11-23T08:00:00.000Z'],
    ]);
    clock.advance(3600_000);
    expect(names(c.desired(dinkes, inv))).toEqual(['judi.example', 'wiki.example']);
  });

  it('keeps management addresses and the regency domain out, and reports what it skipped', () => {
    const c = blockingContributor(fakeService(new Date(0)), { config: {}, clock: new ManualClock() });
    const d = c.desired(dinkes, inv);
    expect(d.menus['/ip/firewall/address-list']?.map((e) => e.address)).toEqual(['198.51.100.0/24']);
    expect(c.report('dinkes-rtr01')?.skipped.map((s) => s.entry)).toEqual(['pemda.example', '10.255.11.0/24']);
    // DNS entries, the address-list entry, the drop rule and the foreign-DNS rules of both families
    expect(c.report('dinkes-rtr01')).toMatchObject({ count: 8, limit: 20000 });
    const withIpam = blockingContributor(fakeService(new Date(0)), { config: {}, clock: new ManualClock(), protectedPrefixes: () => ['198.51.100.128/25'] });
    expect(withIpam.desired(dinkes, inv).menus['/ip/firewall/address-list']).toEqual([]);
    const safety = () => ({ protected: [{ prefix: { text: '198.51.0.0/16' } }] });
    const fromService = blockingContributor({ ...fakeService(new Date(0)), safety }, { config: {}, clock: new ManualClock() });
    expect(fromService.desired(dinkes, inv).menus['/ip/firewall/address-list']).toEqual([]);
  });

  it('enforce off: empties what an earlier push left', () => {
    const c = blockingContributor(fakeService(new Date(0)), { config: { blocking: { enforce: false } }, clock: new ManualClock() });
    expect(c.desired(dinkes, inv)).toEqual({
      menus: {
        '/ip/dns/adlist': [],
        '/ip/dns/static': [],
        '/ip/firewall/address-list': [],
        '/ip/firewall/filter': [],
        '/ipv6/firewall/address-list': [],
        '/ipv6/firewall/filter': [],
      },
    });
  });

  it('passes the registry ownership check and throws the limit error through it', () => {
    const r = new DesiredRegistry();
    r.register(blockingContributor(fakeService(new Date(0)), { config: { blocking: { dropForeignDns: true, sniRules: true } }, clock: new ManualClock() }));
    const d = r.desiredFor(dinkes, inv);
    expect(d.menus['/ip/firewall/filter']?.length).toBe(1 + 2 + 3);
    const small = new DesiredRegistry();
    small.register(
      blockingContributor(fakeService(new Date(0)), { config: { blocking: { modelLimits: { default: 100, 'RB5009UG+S+IN': 3 } } }, clock: new ManualClock() }),
    );
    expect(() => small.desiredFor(dinkes, inv)).toThrow(/dinkes-rtr01 .* would hold 8 blocking entries, more than its limit of 3/);
  });
});
