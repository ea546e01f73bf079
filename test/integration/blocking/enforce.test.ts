// Block lists reaching simulated OPD routers through the real node-routeros client: the
// contributor's desired state, merged by the registry, pushed with syncRouter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockingContributor } from '../../../src/blocking/contributor.js';
import type { EffectiveBlocklist } from '../../../src/blocking/effective.js';
import { ManualClock } from '../../../src/common/clock.js';
import type { Device, Inventory } from '../../../src/inventory/model.js';
import { type RouterSim, startRouterSim } from '../../../src/lab/routeros/server.js';
import { DesiredRegistry } from '../../../src/routeros/contributors.js';
import { RouterConnection } from '../../../src/routeros/connection.js';
import { syncRouter, type SyncResult } from '../../../src/routeros/sync.js';

const DNS = '/ip/dns/static';
const AL = '/ip/firewall/address-list';
const FILTER = '/ip/firewall/filter';
const AL6 = '/ipv6/firewall/address-list';
const FILTER6 = '/ipv6/firewall/filter';

const router = (opd: string, mgmt: string, version: string): Device =>
  ({
    id: `${opd.toLowerCase()}-rtr01`,
    name: `Router ${opd}`,
    role: 'router',
    vendor: 'MikroTik',
    model: 'RB5009UG+S+IN',
    site: `${opd.toLowerCase()}-hq`,
    mgmt,
    opd,
    routeros: { credentials: 'mikrotik-opd', version },
  }) as Device;
const routers = [router('DINKES', '10.255.10.1', '7.19.1'), router('DISDIK', '10.255.11.1', '6.49.10'), router('BAPPEDA', '10.255.12.1', '7.4')];
const inv = { regency: { name: 'Kabupaten Contoh', province: 'Contoh' }, opds: [], sites: [], devices: routers, links: [] } as unknown as Inventory;

const T0 = new Date('2026-11-23T08:00:00Z');
const UNTIL = new Date('2026-11-23T10:00:00Z');

/** IPv6 prefixes of every OPD's list; the last test adds and removes one. */
const v6prefixes: { prefix: string; category: string }[] = [];

/** The effective-list contract with one approved exception: DINKES may open wiki.example until UNTIL. */
const service = {
  effective(opd: string, at: Date = T0): EffectiveBlocklist {
    const open = opd === 'DINKES' && at < UNTIL;
    return {
      opd,
      domains: [
        { name: 'judi.example', subdomains: true, category: 'judi' },
        { name: 'wiki.example', subdomains: false, category: 'lainnya' },
      ].filter((d) => !(open && d.name === 'wiki.example')),
      prefixes: [{ prefix: '198.51.100.0/24', category: 'malware' }, { prefix: '203.0.113.7', category: 'phishing' }, ...v6prefixes],
    };
  },
};

const clock = new ManualClock(T0);
const registry = new DesiredRegistry();
registry.register(blockingContributor(service, { config: { blocking: { dropForeignDns: true } }, clock }));

const sims = new Map<string, RouterSim>();
const conns = new Map<string, RouterConnection>();

beforeAll(async () => {
  for (const r of routers) {
    const sim = await startRouterSim({ password: 'pw', state: { identity: r.id, version: r.routeros?.version ?? '7.19.1' } });
    // the office's own firewall, which Simpul leaves in place
    sim.state.insert(FILTER, { chain: 'forward', action: 'fasttrack-connection', 'connection-state': 'established,related', comment: 'defconf: fasttrack' });
    sim.state.insert(FILTER, { chain: 'forward', action: 'accept', 'connection-state': 'established,related', comment: 'defconf: accept established' });
    sim.state.insert(FILTER, { chain: 'forward', action: 'drop', 'connection-state': 'invalid', comment: 'defconf: drop invalid' });
    sim.state.insert(FILTER, { chain: 'input', action: 'accept', protocol: 'icmp', comment: 'defconf: accept icmp' });
    sim.state.insert(FILTER6, { chain: 'forward', action: 'drop', 'connection-state': 'invalid', comment: 'defconf: drop invalid' });
    sim.state.insert(FILTER6, { chain: 'forward', action: 'accept', 'connection-state': 'established,related', comment: 'defconf: accept established' });
    sims.set(r.id, sim);
    conns.set(r.id, new RouterConnection({ id: r.id, host: '127.0.0.1', port: sim.port, user: 'admin', password: 'pw' }, { requestTimeoutMs: 5000 }));
  }
});

afterAll(async () => {
  for (const c of conns.values()) await c.close();
  for (const s of sims.values()) await s.stop();
});

async function syncAll(): Promise<Map<string, SyncResult>> {
  const out = new Map<string, SyncResult>();
  await Promise.all(routers.map(async (r) => out.set(r.id, await syncRouter(conns.get(r.id) as RouterConnection, registry.desiredFor(r, inv)))));
  return out;
}

const sim = (id: string) => sims.get(id) as RouterSim;
const dnsRows = (id: string) =>
  sim(id)
    .state.list(DNS)
    .map((r) => `${r.name ?? `/${r.regexp}/`} ${r.type}${r.address ? ` ${r.address}` : ''}${r['match-subdomain'] === 'true' ? ' +sub' : ''}`);

describe('blocking on OPD routers (simulator, node-routeros)', () => {
  it("pushes DNS entries in each version's form, the address list and the rules before the accept rules", async () => {
    const results = await syncAll();
    for (const [id, r] of results) {
      expect(r.errors, id).toEqual([]);
      expect(r.result, id).toBe('ok');
    }
    expect(dnsRows('dinkes-rtr01')).toEqual(['judi.example NXDOMAIN +sub']);
    expect(dnsRows('bappeda-rtr01')).toEqual(['/(^|\\.)judi\\.example$/ NXDOMAIN', 'wiki.example NXDOMAIN']);
    expect(dnsRows('disdik-rtr01')).toEqual([
      '/(^|\\.)judi\\.example$/ A 0.0.0.0',
      '/(^|\\.)judi\\.example$/ AAAA ::',
      'wiki.example A 0.0.0.0',
      'wiki.example AAAA ::',
    ]);
    for (const r of routers) {
      const s = sim(r.id);
      expect(s.state.list(AL).map((e) => `${e.list} ${e.address}`)).toEqual(['simpul-block 198.51.100.0/24', 'simpul-block 203.0.113.7']);
      expect(s.state.list(FILTER).map((e) => e.comment)).toEqual([
        'defconf: fasttrack',
        'simpul:blocking drop simpul-block',
        'simpul:blocking foreign-dns udp',
        'simpul:blocking foreign-dns tcp',
        'defconf: accept established',
        'defconf: drop invalid',
        'defconf: accept icmp',
      ]);
      const drop = s.state.list(FILTER)[1];
      expect(drop).toMatchObject({ chain: 'forward', action: 'drop', 'dst-address-list': 'simpul-block' });
    }
  });

  it('resyncs with zero writes', async () => {
    const before = routers.map((r) => sim(r.id).stats.writes);
    const results = await syncAll();
    for (const r of results.values()) expect(r).toMatchObject({ result: 'ok', writes: 0, plan: [] });
    expect(routers.map((r) => sim(r.id).stats.writes)).toEqual(before);
  });

  it('the exception comes back blocked on its own router only, once it expires', async () => {
    clock.set(UNTIL);
    const results = await syncAll();
    expect(results.get('dinkes-rtr01')).toMatchObject({ result: 'ok', writes: 1 });
    expect(results.get('disdik-rtr01')).toMatchObject({ writes: 0 });
    expect(results.get('bappeda-rtr01')).toMatchObject({ writes: 0 });
    expect(dnsRows('dinkes-rtr01')).toEqual(['judi.example NXDOMAIN +sub', 'wiki.example NXDOMAIN']);
  });

  it('repairs a hand edit and removes what is no longer wanted, leaving the office rules alone', async () => {
    const s = sim('disdik-rtr01');
    const row = s.state.list(AL).find((e) => e.address === '203.0.113.7');
    s.state.update(AL, row?.['.id'] ?? '', { disabled: 'true' });
    s.state.insert(DNS, { name: 'stale.example', type: 'A', address: '0.0.0.0', comment: 'simpul:blocking judi' });
    const results = await syncAll();
    expect(
      results
        .get('disdik-rtr01')
        ?.plan.map((p) => `${p.op} ${p.menu}`)
        .sort(),
    ).toEqual([`remove ${DNS}`, `set ${AL}`]);
    expect(s.state.list(DNS).map((e) => e.name ?? e.regexp)).not.toContain('stale.example');
    expect(s.state.list(FILTER).filter((e) => e.comment?.startsWith('defconf'))).toHaveLength(4);
  });

  it('an IPv6 prefix reaches /ipv6/firewall on every RouterOS 7 OPD router before the accept rules, resyncs with no writes, and goes when removed; RouterOS 6 is left alone', async () => {
    v6prefixes.push({ prefix: '2001:db8:bad::/48', category: 'malware' }, { prefix: '2001:DB8:BAD:1::7/128', category: 'phishing' });
    const ros6 = routers.filter((r) => r.routeros?.version?.startsWith('6.'));
    const ros7 = routers.filter((r) => !ros6.includes(r));
    expect(ros6.length).toBeGreaterThan(0);
    const ros6Filter = ros6.map((r) =>
      sim(r.id)
        .state.list(FILTER6)
        .map((e) => e.comment),
    );
    const results = await syncAll();
    for (const [id, r] of results) expect(r, id).toMatchObject({ result: 'ok', errors: [] });
    // RouterOS 6 keeps IPv6 in an optional package: its /ipv6 menus are neither read nor written
    for (const [i, r] of ros6.entries()) {
      expect(sim(r.id).state.list(AL6)).toEqual([]);
      expect(
        sim(r.id)
          .state.list(FILTER6)
          .map((e) => e.comment),
      ).toEqual(ros6Filter[i]);
    }
    for (const r of ros7) {
      const s = sim(r.id);
      expect(s.state.list(AL6).map((e) => `${e.list} ${e.address} ${e.comment}`)).toEqual([
        'simpul-block 2001:db8:bad::/48 simpul:blocking malware',
        'simpul-block 2001:db8:bad:1::7 simpul:blocking phishing',
      ]);
      expect(s.state.list(FILTER6).map((e) => e.comment)).toEqual([
        'defconf: drop invalid',
        'simpul:blocking drop simpul-block',
        'simpul:blocking foreign-dns udp',
        'simpul:blocking foreign-dns tcp',
        'defconf: accept established',
      ]);
      expect(s.state.list(FILTER6)[1]).toMatchObject({ chain: 'forward', action: 'drop', 'dst-address-list': 'simpul-block' });
      // the IPv4 side is unchanged
      expect(s.state.list(AL).map((e) => e.address)).toEqual(['198.51.100.0/24', '203.0.113.7']);
    }

    const before = routers.map((r) => sim(r.id).stats.writes);
    for (const r of (await syncAll()).values()) expect(r).toMatchObject({ result: 'ok', writes: 0, plan: [] });
    expect(routers.map((r) => sim(r.id).stats.writes)).toEqual(before);

    v6prefixes.length = 0;
    const removed = await syncAll();
    for (const r of ros6) expect(removed.get(r.id)?.plan).toEqual([]);
    for (const r of ros7) {
      expect(removed.get(r.id)?.plan.map((p) => `${p.op} ${p.menu}`)).toEqual([`remove ${AL6}`, `remove ${AL6}`, `remove ${FILTER6}`]);
      const s = sim(r.id);
      expect(s.state.list(AL6)).toEqual([]);
      expect(s.state.list(FILTER6).map((e) => e.comment)).toEqual([
        'defconf: drop invalid',
        'simpul:blocking foreign-dns udp',
        'simpul:blocking foreign-dns tcp',
        'defconf: accept established',
      ]);
    }
  });
});
