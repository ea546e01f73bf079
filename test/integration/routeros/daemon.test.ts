// The RouterOS module in the daemon, lab mode, example regency: every router synced through the
// module; routes and NAT following IPAM; plan and apply over HTTP with roles; audit; metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { LAB_STARTERS } from '../../../src/lab/lab.js';
import { startRouterLab, type RouterLab } from '../../../src/lab/routeros/starter.js';
import type { RouterSim } from '../../../src/lab/routeros/server.js';
import { ADMIN, tempDir, testConfig } from '../../helpers/daemon.js';
import { simpulAsync } from '../../helpers/cli.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: Daemon;
let lab: RouterLab | undefined;
let cleanup: () => void;
let dir: string;
const saved = [...LAB_STARTERS];
const tokens: Record<string, string> = {};

async function call(method: string, path: string, token: string = ADMIN, json?: unknown): Promise<{ status: number; body: Json; type: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(d.url + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, body: text && type.includes('json') ? JSON.parse(text) : text, type };
}
const get = (path: string, token?: string) => call('GET', path, token);
const sim = (id: string) => lab?.sims.get(id) as RouterSim;
const routes = () =>
  sim('diskominfo-core01')
    .state.list('/ip/route')
    .filter((r) => r.comment?.startsWith('simpul:routes'));
const nat = () => sim('diskominfo-edge01').state.list('/ip/firewall/nat');
const simpul = simpulAsync;
const states = async () => ((await get('/api/v1/routers')).body as unknown as Json[]).map((r) => r.state as string);

beforeAll(async () => {
  // only the router simulators, captured so the test can look inside them
  LAB_STARTERS.splice(0, LAB_STARTERS.length, async (inv, cred) => (lab = await startRouterLab(inv, cred)));
  const t = tempDir();
  cleanup = t.cleanup;
  dir = t.dir;
  const config = testConfig(t.dir, { log: { level: 'warn' } });
  config.lab = true;
  d = await startDaemon(config, { logStream: new PassThrough() });
  for (const [name, role, opd] of [
    ['op', 'noc-operator', undefined],
    ['dinkes', 'opd-admin', 'DINKES'],
    ['viewer', 'viewer', undefined],
  ] as const) {
    const r = await call('POST', '/api/v1/tokens', ADMIN, { name, role, ...(opd ? { opd } : {}) });
    tokens[name] = r.body.token as string;
  }
  // expect.poll is for tests only: wait by hand for the first sync of every router
  for (let i = 0; i < 300 && !(await states()).every((s) => s === 'in-sync'); i++) await new Promise((r) => setTimeout(r, 100));
}, 60_000);

afterAll(async () => {
  await d?.close();
  LAB_STARTERS.splice(0, LAB_STARTERS.length, ...saved);
  cleanup?.();
});

describe('routers in the daemon (lab mode)', () => {
  it('syncs every inventory router through the module, leaving what it does not own', async () => {
    const list = (await get('/api/v1/routers')).body as unknown as Json[];
    expect(list).toHaveLength(35);
    expect(list.find((r) => r.id === 'diskominfo-core01')).toMatchObject({ opd: 'DISKOMINFO', state: 'in-sync', drift: 0, lastSuccessAt: expect.any(String) });
    // the unmanaged configuration a router arrived with is still there
    const dinkes = sim('dinkes-rtr01');
    expect(dinkes.state.list('/ip/firewall/filter').some((r) => r.comment === 'accept established,related')).toBe(true);
    expect(dinkes.state.list('/ip/firewall/nat')).toEqual([expect.objectContaining({ action: 'masquerade', comment: 'defconf: masquerade' })]);
    expect(dinkes.state.list('/ip/address')).toEqual([expect.objectContaining({ address: '10.255.10.1/24' })]);
    // an idempotent second apply of all writes nothing anywhere
    const writes = [...(lab?.sims.values() ?? [])].reduce((n, s) => n + s.stats.writes, 0);
    const all = await call('POST', '/api/v1/routers/apply', tokens.op);
    expect(all.status).toBe(200);
    expect((all.body.results as Json[]).every((r) => r.result === 'ok' && r.writes === 0)).toBe(true);
    expect([...(lab?.sims.values() ?? [])].reduce((n, s) => n + s.stats.writes, 0)).toBe(writes);
  });

  it('puts a route per OPD LAN on the core toward the OPD end of its backbone /31', async () => {
    const dinkes = routes().find((r) => r['dst-address'] === '10.20.10.0/24');
    expect(dinkes).toMatchObject({ gateway: '10.254.0.19', comment: 'simpul:routes 10.20.10.0/24 DINKES' });
    expect(routes().find((r) => r['dst-address'] === '10.20.1.0/24')?.gateway).toBe('10.254.0.1');
    const core = (await get('/api/v1/routers/diskominfo-core01')).body;
    expect(core.notes).toContain('2001:db8:1000::/56 (DINKES): no route; DINKES has no IPv6 backbone address (allocate its backbone /127 in IPAM)');
    expect(sim('diskominfo-core01').state.list('/ipv6/route')).toEqual([]);
  });

  it('routes an OPD IPv6 block once its backbone link has a /127', async () => {
    const pool = await call('POST', '/api/v1/pools', ADMIN, { name: 'backbone-v6', scope: 'private', cidr: '2001:db8:ffff::/64', role: 'backbone-p2p' });
    expect(pool.status).toBe(201);
    const link = await call('POST', `/api/v1/pools/${pool.body.id}/allocations`, ADMIN, { opd: 'DINKES', purpose: 'backbone bb-dinkes v6' });
    expect(link.body.cidr).toBe('2001:db8:ffff::/127');
    await expect
      .poll(() => sim('diskominfo-core01').state.list('/ipv6/route'), { timeout: 5000 })
      .toEqual([
        expect.objectContaining({ 'dst-address': '2001:db8:1000::/56', gateway: '2001:db8:ffff::1', comment: 'simpul:routes 2001:db8:1000::/56 DINKES' }),
      ]);
    expect((await call('DELETE', `/api/v1/prefixes/${link.body.id}`)).status).toBe(200);
    await expect.poll(() => sim('diskominfo-core01').state.list('/ipv6/route'), { timeout: 5000 }).toEqual([]);
  });

  it('follows an IPAM allocation and its release without an operator', async () => {
    const pools = (await get('/api/v1/pools')).body as unknown as Json[];
    const lan = pools.find((p) => p.name === 'lan-v4');
    const alloc = await call('POST', `/api/v1/pools/${lan?.id}/allocations`, ADMIN, { opd: 'DINKES', purpose: 'VLAN CCTV', prefixLength: 25 });
    expect(alloc.status).toBe(201);
    const cidr = alloc.body.cidr as string;
    await expect.poll(() => routes().find((r) => r['dst-address'] === cidr)?.gateway, { timeout: 5000 }).toBe('10.254.0.19');
    const released = await call('DELETE', `/api/v1/prefixes/${alloc.body.id}`);
    expect(released.status).toBe(200);
    await expect.poll(() => routes().some((r) => r['dst-address'] === cidr), { timeout: 5000 }).toBe(false);
  });

  it('an OPD that loses its backbone link loses its routes, with the reason shown', async () => {
    const prefixes = (await get('/api/v1/prefixes?opd=KECBUKIT')).body as unknown as Json[];
    const link = prefixes.find((p) => p.cidr === '10.254.0.64/31');
    for (const a of (await get(`/api/v1/prefixes/${link?.id}/addresses`)).body as unknown as Json[])
      expect((await call('DELETE', `/api/v1/addresses/${a.id}`)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/prefixes/${link?.id}`)).status).toBe(200);
    await expect.poll(() => routes().some((r) => r.comment?.endsWith(' KECBUKIT')), { timeout: 5000 }).toBe(false);
    const core = (await get('/api/v1/routers/diskominfo-core01')).body;
    expect((core.notes as string[]).some((n) => n.includes('KECBUKIT has no IPv4 backbone address'))).toBe(true);
  });

  it('NATs a public address assigned to a data-center server on the edge router', async () => {
    expect(
      nat()
        .filter((r) => r.comment?.startsWith('simpul:nat'))
        .map((r) => r.comment),
    ).toContain('simpul:nat 203.0.113.2 dst-nat srv-website');
    expect(nat().find((r) => r.comment === 'simpul:nat 203.0.113.2 dst-nat srv-website')).toMatchObject({
      chain: 'dstnat',
      action: 'dst-nat',
      'dst-address': '203.0.113.2',
      'to-addresses': '10.30.0.12',
    });
    // src-nat rules sit before the router's own masquerade in the srcnat chain
    const srcnat = nat().filter((r) => r.chain === 'srcnat');
    expect(srcnat.at(-1)).toMatchObject({ action: 'masquerade' });
    expect(srcnat.filter((r) => r.action === 'src-nat')).toHaveLength(3);
    const pub = ((await get('/api/v1/prefixes?opd=DISKOMINFO')).body as unknown as Json[]).find((p) => p.cidr === '203.0.113.0/28');
    const a = await call('POST', `/api/v1/prefixes/${pub?.id}/addresses`, ADMIN, { address: '203.0.113.9', device: 'srv-simpeg', hostname: 'srv-simpeg' });
    expect(a.status).toBe(201);
    await expect
      .poll(() => nat().find((r) => r.comment === 'simpul:nat 203.0.113.9 src-nat srv-simpeg'), { timeout: 5000 })
      .toMatchObject({ chain: 'srcnat', action: 'src-nat', 'src-address': '10.30.0.14', 'to-addresses': '203.0.113.9' });
    expect(nat().some((r) => r.comment === 'simpul:nat 203.0.113.9 dst-nat srv-simpeg')).toBe(true);
    expect((await call('DELETE', `/api/v1/addresses/${a.body.id}`)).status).toBe(200);
    await expect.poll(() => nat().some((r) => r.comment?.includes('203.0.113.9')), { timeout: 5000 }).toBe(false);
  });

  it('plans without writing, and an operator applies with an audit entry holding the plan', async () => {
    const s = sim('dinkes-rtr01');
    const owned = s.state.list('/ip/firewall/filter').find((r) => r.comment?.startsWith('simpul:'));
    s.state.remove('/ip/firewall/filter', [owned?.['.id'] ?? '']);
    const writes = s.stats.writes;
    const plan = await get('/api/v1/routers/dinkes-rtr01/plan', tokens.viewer);
    expect(plan.status).toBe(200);
    expect(plan.body.steps).toEqual([
      expect.objectContaining({ op: 'add', menu: '/ip/firewall/filter', key: owned?.comment, reason: expect.stringContaining('missing') }),
    ]);
    expect(s.stats.writes).toBe(writes);
    // a plan is a read: the router keeps the state its last sync gave it (correctDrift is on here)
    expect((await get('/api/v1/routers/dinkes-rtr01')).body).toMatchObject({ state: 'in-sync', drift: 0, reason: null });

    expect((await call('POST', '/api/v1/routers/dinkes-rtr01/apply', tokens.dinkes)).status).toBe(403);
    expect((await call('POST', '/api/v1/routers/dinkes-rtr01/apply', tokens.viewer)).status).toBe(403);
    const applied = await call('POST', '/api/v1/routers/dinkes-rtr01/apply', tokens.op);
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ router: 'dinkes-rtr01', result: 'ok', writes: 1, state: 'in-sync', steps: [expect.objectContaining({ op: 'add' })] });
    expect(s.state.list('/ip/firewall/filter').some((r) => r.comment === owned?.comment)).toBe(true);

    const audit = (await get('/api/v1/audit?objectType=router&objectId=dinkes-rtr01&action=routeros.apply')).body as unknown as Json[];
    expect(audit[0]).toMatchObject({
      actor: { role: 'noc-operator' },
      opd: 'DINKES',
      after: { result: 'ok', writes: 1, plan: { total: 1, byOp: { add: 1 }, steps: [expect.objectContaining({ op: 'add', key: owned?.comment })] } },
    });
  });

  it('scopes routers to an opd-admin and answers unknown routers with 404', async () => {
    const mine = (await get('/api/v1/routers', tokens.dinkes)).body as unknown as Json[];
    expect(mine.map((r) => r.id)).toEqual(['dinkes-rtr01']);
    expect((await get('/api/v1/routers/setda-rtr01', tokens.dinkes)).status).toBe(404);
    expect((await call('POST', '/api/v1/routers/setda-rtr01/apply', tokens.dinkes)).status).toBe(404);
    const none = await get('/api/v1/routers/no-such-router/plan');
    expect(none).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(none.type).toContain('application/problem+json');
  });

  it('an unreachable router is a 503 problem naming the error kind, then it comes back', async () => {
    await sim('setda-rtr01').stop();
    const plan = await get('/api/v1/routers/setda-rtr01/plan');
    expect(plan).toMatchObject({ status: 503, body: { code: 'ROUTER_UNREACHABLE', kind: 'unreachable', router: 'setda-rtr01' } });
    expect(plan.type).toContain('application/problem+json');
    const apply = await call('POST', '/api/v1/routers/setda-rtr01/apply', tokens.op);
    expect(apply).toMatchObject({ status: 503, body: { code: 'ROUTER_UNREACHABLE' } });
    expect((await get('/api/v1/routers/setda-rtr01')).body.state).toBe('unreachable');
    const audit = (await get('/api/v1/audit?objectId=setda-rtr01&action=routeros.apply')).body as unknown as Json[];
    expect(audit[0]?.after).toMatchObject({ result: 'unreachable', kind: 'unreachable' });
    const all = await call('POST', '/api/v1/routers/apply', tokens.op);
    expect(all.status).toBe(200);
    expect((all.body.results as Json[]).find((r) => r.router === 'setda-rtr01')).toMatchObject({
      result: 'unreachable',
      state: 'unreachable',
      errors: [expect.objectContaining({ kind: 'unreachable' })],
    });
    await sim('setda-rtr01').start();
    const back = await call('POST', '/api/v1/routers/setda-rtr01/apply', tokens.op);
    expect(back).toMatchObject({ status: 200, body: { result: 'ok', state: 'in-sync' } });
  });

  it('the CLI lists and applies through the API', { timeout: 60_000 }, async () => {
    const env = { SIMPUL_URL: d.url, SIMPUL_TOKEN: tokens.op as string };
    // each run starts tsx: two, side by side, keep this test short
    const [list, apply] = await Promise.all([simpul(['routers', 'list'], env), simpul(['routers', 'apply', 'dinkes-rtr01'], env)]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ROUTER\s+OPD\s+STATE/);
    // the apply running beside it may show the router syncing
    expect(list.stdout).toMatch(/^dinkes-rtr01\s+DINKES\s+(in-sync|syncing)\s+\d+\s+0\s/m);
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/^dinkes-rtr01\s+ok\s+0\s+0\s+in-sync/m);
  });

  it('IPAM announces its changes: an allocation resyncs the core only; a commit of another domain resyncs no router', async () => {
    const syncs = async (router: string) => {
      const text = (await get('/metrics')).body as unknown as string;
      return Number(new RegExp(`^simpul_routeros_sync_total\\{router="${router}",result="ok"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    const [core0, edge0] = [await syncs('diskominfo-core01'), await syncs('diskominfo-edge01')];
    expect((await call('POST', '/api/v1/tokens', ADMIN, { name: 'quiet', role: 'viewer' })).status).toBe(201);
    const lan = ((await get('/api/v1/pools')).body as unknown as Json[]).find((p) => p.name === 'lan-v4');
    const alloc = await call('POST', `/api/v1/pools/${lan?.id}/allocations`, ADMIN, { opd: 'BAPPEDA', purpose: 'VLAN rapat', prefixLength: 26 });
    await expect.poll(() => routes().some((r) => r['dst-address'] === alloc.body.cidr), { timeout: 5000 }).toBe(true);
    await expect.poll(() => syncs('diskominfo-core01'), { timeout: 5000 }).toBeGreaterThan(core0);
    expect(await syncs('diskominfo-edge01')).toBe(edge0);
  });

  it("a block imported with `simpul ipam import` reaches the core's routes at once, not at the next drift check", { timeout: 60_000 }, async () => {
    const file = join(dir, 'blocks.csv');
    writeFileSync(file, 'kind,prefix,opd,purpose\nprefix,10.20.77.0/24,DINKES,LAN gedung C\n');
    const r = await simpul(['ipam', 'import', file], { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN });
    expect(r.status, r.stderr).toBe(0);
    // the drift check runs every 300 s here: only the daemon hearing the import's commit puts the route there
    await expect.poll(() => routes().find((x) => x['dst-address'] === '10.20.77.0/24')?.gateway, { timeout: 10_000 }).toBe('10.254.0.19');
  });

  it('exposes per-router metrics', async () => {
    const text = (await get('/metrics')).body as unknown as string;
    expect(text).toMatch(/^simpul_routeros_up\{router="diskominfo-core01"\} 1$/m);
    expect(text).toMatch(/^simpul_routeros_sync_total\{router="dinkes-rtr01",result="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^simpul_routeros_drift_entries\{router="dinkes-rtr01"\} 0$/m);
    expect(text).toMatch(/^simpul_routeros_last_success_timestamp_seconds\{router="diskominfo-edge01"\} \d+(\.\d+)?$/m);
    expect(text).toMatch(/^simpul_routeros_sync_duration_seconds_count [1-9]\d*$/m);
    // failures from 0 (a panel of failures draws zeros), and the sync state as one 1 among the states
    expect(text).toMatch(/^simpul_routeros_sync_total\{router="dinkes-rtr01",result="refused"\} 0$/m);
    expect(text).toMatch(/^simpul_routeros_state\{router="dinkes-rtr01",state="in-sync"\} 1$/m);
    const states = [...text.matchAll(/^simpul_routeros_state\{router="dinkes-rtr01",state="([a-z-]+)"\} (\d)$/gm)];
    expect(states.map((m) => m[1]).sort()).toEqual(['degraded', 'drift', 'in-sync', 'syncing', 'unknown', 'unreachable']);
    expect(states.filter((m) => m[2] === '1')).toHaveLength(1);
  });
});
