import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

let d: TestDaemon;
const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
const pools: Record<string, number> = {};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(
  path: string,
  init: { method?: string; json?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json }> {
  const r = await d.api(path, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
const post = (path: string, json: unknown, token?: string) => call(path, { method: 'POST', json, token });

beforeAll(async () => {
  d = await startTestDaemon({ clock });
  for (const [name, scope, cidr, role, extra] of [
    ['lan-v4', 'private', '10.20.0.0/16', 'opd-lan', {}],
    ['backbone', 'private', '10.255.255.0/24', 'backbone-p2p', {}],
    ['lan-v6', 'private', '2001:db8:100::/48', 'opd-lan', {}],
    ['public', 'public', '203.0.113.0/24', 'public-service', {}],
    ['backbone-v6', 'private', '2001:db8:ff::/64', 'backbone-p2p', {}],
  ] as const) {
    const r = await post('/api/v1/pools', { name, scope, cidr, role, ...extra });
    expect(r.status).toBe(201);
    pools[name] = r.body.id;
  }
});
afterAll(() => d.stop());

describe('pools', () => {
  it('refuses an overlapping pool in the same scope and names the one it overlaps', async () => {
    const r = await post('/api/v1/pools', { name: 'dup', scope: 'private', cidr: '10.20.128.0/17', role: 'opd-lan' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'POOL_OVERLAP' });
    expect(r.body.detail).toContain("pool 'lan-v4' (10.20.0.0/16)");
  });

  it('answers bad CIDRs with the fix', async () => {
    const a = await post('/api/v1/pools', { name: 'x', scope: 'private', cidr: '10.0.0.0/33', role: 'opd-lan' });
    expect(a.status).toBe(400);
    expect(a.body.code).toBe('CIDR_LENGTH_OUT_OF_RANGE');
    const b = await post('/api/v1/pools', { name: 'x', scope: 'private', cidr: '10.0.0.1/24', role: 'opd-lan' });
    expect(b.body).toMatchObject({ status: 400, code: 'CIDR_HOST_BITS_SET', suggestion: '10.0.0.0/24', field: 'cidr' });
    expect(b.body.detail).toContain('did you mean 10.0.0.0/24');
    const c = await post('/api/v1/pools', { name: 'x', scope: 'private', cidr: 'banana', role: 'opd-lan' });
    expect(c.body.code).toBe('CIDR_MALFORMED');
  });
});

describe('allocation', () => {
  it('hands out the next free aligned block, first-fit from the lowest address', async () => {
    const a = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DINKES', purpose: 'LAN kantor', prefixLength: 24 });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ cidr: '10.20.0.0/24', opd: 'DINKES', state: 'allocated' });
    const b = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'BAPPEDA', purpose: 'LAN', addresses: 50 });
    expect(b.body.cidr).toBe('10.20.1.0/26');
    const c = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'BAPPEDA', purpose: 'CCTV', prefixLength: 25 });
    expect(c.body.cidr).toBe('10.20.1.128/25');
  });

  it('best-fit keeps large blocks whole; a specific free prefix is given, a taken one refused', async () => {
    const specific = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DISDIK', purpose: 'server', prefix: '10.20.4.0/24' });
    expect(specific.body.cidr).toBe('10.20.4.0/24');
    const taken = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DISDIK', purpose: 'x', prefix: '10.20.4.128/25' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('PREFIX_TAKEN');
    expect(taken.body.detail).toContain('10.20.4.0/24');
    // Free space now: 10.20.1.64/26, 10.20.2.0/23, 10.20.5.0/24, 10.20.6.0/23, ...
    const bf = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DISDIK', purpose: 'printer', prefixLength: 27, strategy: 'best-fit' });
    expect(bf.body.cidr).toBe('10.20.1.64/27');
    // A /24: first-fit would split the /23 at 10.20.2.0; best-fit takes the exact hole 10.20.5.0/24
    // and keeps the /23 whole.
    const bf24 = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DISDIK', purpose: 'LAN', prefixLength: 24, strategy: 'best-fit' });
    expect(bf24.body.cidr).toBe('10.20.5.0/24');
    const ff24 = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DISDIK', purpose: 'LAN 2', prefixLength: 24 });
    expect(ff24.body.cidr).toBe('10.20.2.0/24');
  });

  it('returns the same block for a retried request with the same Idempotency-Key', async () => {
    const body = { opd: 'DINSOS', purpose: 'LAN', prefixLength: 26 };
    const first = await call(`/api/v1/pools/${pools['lan-v4']}/allocations`, {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': 'dinsos-lan-2026-03' },
    });
    const again = await call(`/api/v1/pools/${pools['lan-v4']}/allocations`, {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': 'dinsos-lan-2026-03' },
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const other = await call(`/api/v1/pools/${pools['lan-v4']}/allocations`, {
      method: 'POST',
      json: { ...body, prefixLength: 25 },
      headers: { 'idempotency-key': 'dinsos-lan-2026-03' },
    });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it("gives backbone links /31 and /127 by default, IPv6 LANs a /64 out of the OPD's own /56", async () => {
    const p2p = await post(`/api/v1/pools/${pools.backbone}/allocations`, { opd: 'DISKOMINFO', purpose: 'bb-dinkes' });
    expect(p2p.body.cidr).toBe('10.255.255.0/31');
    const p2p6 = await post(`/api/v1/pools/${pools['backbone-v6']}/allocations`, { opd: 'DISKOMINFO', purpose: 'bb-dinkes' });
    expect(p2p6.body.cidr).toBe('2001:db8:ff::/127');
    const lan1 = await post(`/api/v1/pools/${pools['lan-v6']}/allocations`, { opd: 'DINKES', purpose: 'LAN' });
    const lan2 = await post(`/api/v1/pools/${pools['lan-v6']}/allocations`, { opd: 'DINKES', purpose: 'WiFi tamu' });
    const other = await post(`/api/v1/pools/${pools['lan-v6']}/allocations`, { opd: 'BAPPEDA', purpose: 'LAN' });
    expect([lan1.body.cidr, lan2.body.cidr, other.body.cidr]).toEqual(['2001:db8:100::/64', '2001:db8:100:1::/64', '2001:db8:100:100::/64']);
    const parent = await call(`/api/v1/prefixes/${lan1.body.parentId}`);
    expect(parent.body).toMatchObject({ cidr: '2001:db8:100::/56', opd: 'DINKES' });
    expect(parent.body.utilization.allocated).toBe((2n * 2n ** 64n).toString());
  });

  it('answers 409 with the largest free block when nothing fits', async () => {
    const small = await post('/api/v1/pools', { name: 'tiny', scope: 'public', cidr: '198.51.100.0/29', role: 'public-service' });
    await post(`/api/v1/pools/${small.body.id}/allocations`, { opd: 'DISKOMINFO', purpose: 'web', prefixLength: 30 });
    const r = await post(`/api/v1/pools/${small.body.id}/allocations`, { opd: 'DISKOMINFO', purpose: 'mail', prefixLength: 29 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'POOL_EXHAUSTED', largestFree: '198.51.100.4/30' });
  });

  it('refuses bad sizes, wrong families, unknown OPDs, and writes nothing', async () => {
    const before = d.services.store.db.prepare('SELECT count(*) FROM ipam_prefixes').pluck().get();
    const url = `/api/v1/pools/${pools['lan-v4']}/allocations`;
    const cases: [unknown, number, string][] = [
      [{ opd: 'DINKES', purpose: 'x', prefixLength: 33 }, 400, 'CIDR_LENGTH_OUT_OF_RANGE'],
      [{ opd: 'DINKES', purpose: 'x', prefixLength: 8 }, 400, 'PREFIX_LENGTH_NOT_IN_PARENT'],
      [{ opd: 'DINKES', purpose: 'x', addresses: -5 }, 400, 'SIZE_INVALID'],
      [{ opd: 'DINKES', purpose: 'x', addresses: '999999999999999999999999' }, 400, 'SIZE_TOO_LARGE'],
      [{ opd: 'DINKES', purpose: 'x', addresses: 0 }, 400, 'SIZE_INVALID'],
      [{ opd: 'DINKES', purpose: 'x', prefix: '2001:db8::/64' }, 400, 'FAMILY_MISMATCH'],
      [{ opd: 'DINKES', purpose: 'x', prefix: '10.20.9.1/24' }, 400, 'CIDR_HOST_BITS_SET'],
      [{ opd: 'DINKES', purpose: 'x', prefix: '10.99.0.0/24' }, 400, 'NOT_IN_POOL'],
      [{ opd: 'NOSUCH', purpose: 'x', prefixLength: 24 }, 400, 'UNKNOWN_OPD'],
      [{ opd: 'DINKES', purpose: 'x' }, 400, 'SIZE_REQUIRED'],
      [{ opd: 'DINKES', purpose: 'x', prefixLength: 24, addresses: 10 }, 400, 'SIZE_AMBIGUOUS'],
      [{ opd: 'DINKES', purpose: 'x', prefixLength: 24, colour: 'red' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(url, body);
      expect({ body, status: r.status, code: r.body.code }).toEqual({ body, status, code });
      expect(r.body.detail.length).toBeGreaterThan(10);
    }
    expect((await post('/api/v1/pools/9999/allocations', { opd: 'DINKES', purpose: 'x', prefixLength: 24 })).status).toBe(404);
    expect(d.services.store.db.prepare('SELECT count(*) FROM ipam_prefixes').pluck().get()).toBe(before);
  });
});

describe('addresses, release and quarantine', () => {
  it('never hands out network, broadcast or the gateway; /31 uses both addresses', async () => {
    const p = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DISHUB', purpose: 'LAN', prefixLength: 29 });
    const first = await post(`/api/v1/prefixes/${p.body.id}/addresses`, { hostname: 'pc-01', mac: 'AA:BB:CC:00:11:22' });
    expect(first.status).toBe(201);
    const base = p.body.cidr.split('/')[0].split('.').map(Number);
    const at = (n: number) => `${base[0]}.${base[1]}.${base[2]}.${base[3] + n}`;
    expect(first.body).toMatchObject({ address: at(2), hostname: 'pc-01', mac: 'aa:bb:cc:00:11:22', opd: 'DISHUB' });
    const gw = await post(`/api/v1/prefixes/${p.body.id}/addresses`, { address: at(1) });
    expect(gw.body).toMatchObject({ status: 400, code: 'ADDRESS_RESERVED' });
    const gwOk = await post(`/api/v1/prefixes/${p.body.id}/addresses`, { address: at(1), gateway: true, device: 'dishub-rtr01' });
    expect(gwOk.status).toBe(201);
    expect((await post(`/api/v1/prefixes/${p.body.id}/addresses`, { address: at(0) })).body.code).toBe('ADDRESS_RESERVED');
    expect((await post(`/api/v1/prefixes/${p.body.id}/addresses`, { address: at(7) })).body.code).toBe('ADDRESS_RESERVED');
    expect((await post(`/api/v1/prefixes/${p.body.id}/addresses`, { address: at(2) })).body).toMatchObject({ status: 409, code: 'ADDRESS_TAKEN' });
    expect((await post(`/api/v1/prefixes/${p.body.id}/addresses`, { address: '10.99.0.1' })).status).toBe(400);
    for (let i = 3; i <= 6; i++) expect((await post(`/api/v1/prefixes/${p.body.id}/addresses`, {})).body.address).toBe(at(i));
    expect((await post(`/api/v1/prefixes/${p.body.id}/addresses`, {})).body).toMatchObject({ status: 409, code: 'PREFIX_FULL' });

    const link = await post(`/api/v1/pools/${pools.backbone}/allocations`, { opd: 'DISKOMINFO', purpose: 'bb-dishub' });
    const a = await post(`/api/v1/prefixes/${link.body.id}/addresses`, { device: 'diskominfo-core01' });
    const b = await post(`/api/v1/prefixes/${link.body.id}/addresses`, { device: 'dishub-rtr01' });
    expect([a.body.address, b.body.address]).toEqual(['10.255.255.2', '10.255.255.3']);
  });

  it('releases into quarantine, reuses only after it, and keeps history', async () => {
    const tiny = await post('/api/v1/pools', { name: 'q-test', scope: 'private', cidr: '172.16.0.0/30', role: 'loopback' });
    const a = await post(`/api/v1/pools/${tiny.body.id}/allocations`, { opd: 'RSUD', purpose: 'loopback', prefixLength: 31 });
    const b = await post(`/api/v1/pools/${tiny.body.id}/allocations`, { opd: 'RSUD', purpose: 'loopback', prefixLength: 31 });
    expect([a.body.cidr, b.body.cidr]).toEqual(['172.16.0.0/31', '172.16.0.2/31']);
    const rel = await call(`/api/v1/prefixes/${a.body.id}`, { method: 'DELETE' });
    expect(rel.body).toMatchObject({ state: 'quarantined', quarantineUntil: '2026-03-31T00:00:00.000Z' });
    expect((await call(`/api/v1/prefixes/${a.body.id}`, { method: 'DELETE' })).status).toBe(409);
    const full = await post(`/api/v1/pools/${tiny.body.id}/allocations`, { opd: 'DINKES', purpose: 'x', prefixLength: 31 });
    expect(full.body.code).toBe('POOL_EXHAUSTED');
    const pool = await call(`/api/v1/pools/${tiny.body.id}`);
    expect(pool.body.utilization).toMatchObject({ total: '4', allocated: '2', quarantined: '2', free: '0' });
    clock.advance(31 * 86_400_000);
    const reuse = await post(`/api/v1/pools/${tiny.body.id}/allocations`, { opd: 'DINKES', purpose: 'x', prefixLength: 31 });
    expect(reuse.body.cidr).toBe('172.16.0.0/31');
    const history = await call(`/api/v1/prefixes?pool=${tiny.body.id}&state=released`);
    expect(history.body).toEqual([expect.objectContaining({ id: a.body.id, opd: 'RSUD', state: 'released', releasedAt: '2026-03-01T00:00:00.000Z' })]);
    const audit = await call(`/api/v1/audit?objectType=prefix&objectId=${a.body.id}`);
    expect(audit.body.map((e: Json) => e.action)).toEqual(['ipam.prefix.quarantine-end', 'ipam.prefix.release', 'ipam.prefix.allocate']);
  });

  it('refuses to release a prefix that still holds addresses or sub-prefixes', async () => {
    const p = await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DPUPR', purpose: 'LAN', prefixLength: 24 });
    const vlan = await post(`/api/v1/prefixes/${p.body.id}/allocations`, { opd: 'DPUPR', purpose: 'VLAN 10 staf', prefixLength: 26 });
    expect(vlan.body).toMatchObject({ parentId: p.body.id, cidr: p.body.cidr.replace('.0/24', '.0/26') });
    expect((await post(`/api/v1/prefixes/${p.body.id}/allocations`, { opd: 'DINKES', purpose: 'x', prefixLength: 26 })).body.code).toBe('OPD_MISMATCH');
    expect((await post(`/api/v1/prefixes/${p.body.id}/addresses`, {})).body.code).toBe('PREFIX_HAS_CHILDREN');
    const r = await call(`/api/v1/prefixes/${p.body.id}`, { method: 'DELETE' });
    expect(r.body).toMatchObject({ status: 409, code: 'PREFIX_IN_USE' });
  });
});

describe('utilization and scoping', () => {
  it('reports per pool and per OPD and exports Prometheus gauges', async () => {
    const u = await call('/api/v1/ipam/utilization');
    const lan = u.body.pools.find((p: Json) => p.name === 'lan-v4');
    expect(BigInt(lan.utilization.allocated) + BigInt(lan.utilization.free) + BigInt(lan.utilization.quarantined)).toBe(65536n);
    const dinkes = u.body.opds.find((o: Json) => o.opd === 'DINKES' && o.family === 4);
    expect(dinkes).toMatchObject({ allocated: '258', prefixes: 2 }); // its /24 and the reused /31
    const metrics = await (await fetch(d.url + '/metrics')).text();
    expect(metrics).toMatch(new RegExp(`^simpul_ipam_pool_addresses\\{pool="lan-v4",family="4",state="allocated"\\} ${lan.utilization.allocated}$`, 'm'));
    expect(metrics).toMatch(/^simpul_ipam_pool_utilization_ratio\{pool="lan-v4",family="4"\} 0\.\d+$/m);
  });

  it('an opd-admin reads only its own prefixes and cannot allocate', async () => {
    const t = (await post('/api/v1/tokens', { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' })).body.token as string;
    const mine = await call('/api/v1/prefixes', { token: t });
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((p: Json) => p.opd === 'DINKES')).toBe(true);
    const bappeda = (await call('/api/v1/prefixes?opd=BAPPEDA')).body[0];
    expect((await call(`/api/v1/prefixes/${bappeda.id}`, { token: t })).status).toBe(404);
    expect((await call(`/api/v1/prefixes/${bappeda.id}/addresses`, { token: t })).status).toBe(404);
    expect((await post(`/api/v1/pools/${pools['lan-v4']}/allocations`, { opd: 'DINKES', purpose: 'x', prefixLength: 28 }, t)).status).toBe(403);
    const u = await call('/api/v1/ipam/utilization', { token: t });
    expect(u.body.pools.length).toBeGreaterThan(0);
    expect(u.body.pools.every((p: Json) => p.utilization === null)).toBe(true);
    expect(u.body.opds.every((o: Json) => o.opd === 'DINKES')).toBe(true);
  });
});
