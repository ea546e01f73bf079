// Blocking through the whole daemon in lab mode: a list imported over HTTP reaches every OPD
// router (simulated, real node-routeros) through the reconciler; an approved exception is absent
// on its own OPD's router only and comes back when it ends (controllable clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { ManualClock } from '../../../src/common/clock.js';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { LAB_STARTERS } from '../../../src/lab/lab.js';
import type { RouterSim } from '../../../src/lab/routeros/server.js';
import { startRouterLab, type RouterLab } from '../../../src/lab/routeros/starter.js';
import { ADMIN, tempDir, testConfig } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const DNS = '/ip/dns/static';
const AL = '/ip/firewall/address-list';
const FILTER = '/ip/firewall/filter';
const HOUR = 3_600_000;

let d: Daemon;
let lab: RouterLab | undefined;
let cleanup: () => void;
const saved = [...LAB_STARTERS];
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let dinkes: string, operator: string;

async function call(method: string, path: string, token: string = ADMIN, json?: unknown, text?: string): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (text !== undefined) headers['content-type'] = 'text/plain';
  const r = await fetch(d.url + path, { method, headers, body: json === undefined ? text : JSON.stringify(json) });
  const t = await r.text();
  return { status: r.status, body: t && r.headers.get('content-type')?.includes('json') ? JSON.parse(t) : (t as unknown as Json) };
}
const sim = (id: string) => lab?.sims.get(id) as RouterSim;
const blocking = (id: string, menu: string) =>
  sim(id)
    .state.list(menu)
    .filter((r) => r.comment?.startsWith('simpul:blocking'));
const dnsNames = (id: string) => blocking(id, DNS).map((r) => `${r.name ?? `/${r.regexp}/`} ${r.type}${r['match-subdomain'] === 'true' ? ' +sub' : ''}`);
const totalWrites = () => [...(lab?.sims.values() ?? [])].reduce((n, s) => n + s.stats.writes, 0);

beforeAll(async () => {
  LAB_STARTERS.splice(0, LAB_STARTERS.length, async (inv, cred) => (lab = await startRouterLab(inv, cred)));
  const t = tempDir();
  cleanup = t.cleanup;
  // RSUD's router model may hold 5 blocking entries only: the list below is 8
  const config = testConfig(t.dir, { log: { level: 'warn' }, blocking: { modelLimits: { default: 20000, 'CCR2004-1G-12S+2XS': 5 } } });
  config.lab = true;
  d = await startDaemon(config, { logStream: new PassThrough(), clock });
  dinkes = (await call('POST', '/api/v1/tokens', ADMIN, { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' })).body.token as string;
  operator = (await call('POST', '/api/v1/tokens', ADMIN, { name: 'op', role: 'noc-operator' })).body.token as string;
  const states = async () => ((await call('GET', '/api/v1/routers')).body as unknown as Json[]).map((r) => r.state as string);
  for (let i = 0; i < 300 && !(await states()).every((s) => s === 'in-sync'); i++) await new Promise((r) => setTimeout(r, 100));
  const imported = await call(
    'POST',
    '/api/v1/blocklists/judi/import?source=national',
    operator,
    undefined,
    'judi.example\n*.slot.example\n192.0.2.7\n198.51.100.0/24\nwiki.example\n',
  );
  expect(imported.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await d?.close();
  LAB_STARTERS.splice(0, LAB_STARTERS.length, ...saved);
  cleanup?.();
});

describe('blocking enforced by the daemon on every OPD router', () => {
  it("pushes the imported list to each OPD router in its version's form, and nothing to DISKOMINFO", async () => {
    await expect
      .poll(() => dnsNames('dinkes-rtr01'), { timeout: 10_000 })
      .toEqual(['judi.example NXDOMAIN', 'slot.example NXDOMAIN +sub', 'wiki.example NXDOMAIN']);
    // 7.16.2 and 6.49.17 routers in the example regency
    await expect
      .poll(() => dnsNames('bapenda-rtr01'), { timeout: 10_000 })
      .toEqual(['judi.example NXDOMAIN', 'slot.example NXDOMAIN +sub', 'wiki.example NXDOMAIN']);
    await expect
      .poll(() => dnsNames('bpbd-rtr01'), { timeout: 10_000 })
      .toEqual(['judi.example A', 'judi.example AAAA', '/(^|\\.)slot\\.example$/ A', '/(^|\\.)slot\\.example$/ AAAA', 'wiki.example A', 'wiki.example AAAA']);
    const routers = ((await call('GET', '/api/v1/routers')).body as unknown as Json[]).map((r) => r.id as string);
    for (const id of routers) {
      const want = id.startsWith('diskominfo-') || id === 'rsud-rtr01' ? [] : ['198.51.100.0/24', '192.0.2.7'];
      await expect
        .poll(
          () =>
            blocking(id, AL)
              .map((r) => r.address)
              .sort(),
          { timeout: 10_000 },
        )
        .toEqual([...want].sort());
    }
    expect(blocking('diskominfo-core01', DNS)).toEqual([]);
    const filter = sim('dinkes-rtr01')
      .state.list(FILTER)
      .map((r) => r.comment);
    expect(filter.indexOf('simpul:blocking drop simpul-block')).toBeLessThan(filter.indexOf('accept established,related'));
    expect(filter).toContain('simpul:blocking foreign-dns udp');
  });

  it('refuses to push past the model limit: the router is degraded with the count and the limit, and gets nothing', async () => {
    await expect.poll(async () => (await call('GET', '/api/v1/routers/rsud-rtr01')).body.state, { timeout: 10_000 }).toBe('degraded');
    const rsud = (await call('GET', '/api/v1/routers/rsud-rtr01')).body;
    expect(rsud.reason).toMatch(/rsud-rtr01 \(CCR2004-1G-12S\+2XS\) would hold 10 blocking entries, more than its limit of 5/);
    // what it held before the import (the foreign-DNS rules) stays; nothing of the new list arrives
    expect([DNS, AL].flatMap((m) => blocking('rsud-rtr01', m))).toEqual([]);
    expect(blocking('rsud-rtr01', FILTER).map((r) => r.comment)).toEqual(['simpul:blocking foreign-dns udp', 'simpul:blocking foreign-dns tcp']);
  });

  it('a second apply of every router writes nothing', async () => {
    // let the reconciler's own pushes (started by the import) finish first
    let before = -1;
    for (let i = 0; i < 100 && totalWrites() !== before; i++) {
      before = totalWrites();
      await new Promise((r) => setTimeout(r, 300));
    }
    const all = await call('POST', '/api/v1/routers/apply', operator);
    expect(all.status).toBe(200);
    expect((all.body.results as Json[]).filter((r) => r.writes !== 0 || (r.result !== 'ok' && r.router !== 'rsud-rtr01'))).toEqual([]);
    expect(totalWrites()).toBe(before);
  });

  it('an approved exception is absent on its own OPD router only, and returns when it ends', async () => {
    const filed = await call('POST', '/api/v1/requests', dinkes, {
      type: 'unblock',
      domain: 'wiki.example',
      justification: 'rujukan materi penyuluhan',
      duty: 'promosi kesehatan',
      until: new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString(),
    });
    expect(filed.status).toBe(201);
    const ok = await call('POST', `/api/v1/requests/${filed.body.id}/approve`, operator, { until: new Date(clock.now().getTime() + 2 * HOUR).toISOString() });
    expect(ok.status).toBe(200);
    await expect.poll(() => dnsNames('dinkes-rtr01'), { timeout: 10_000 }).toEqual(['judi.example NXDOMAIN', 'slot.example NXDOMAIN +sub']);
    expect(dnsNames('bapenda-rtr01')).toContain('wiki.example NXDOMAIN');
    expect(dnsNames('dinsos-rtr01')).toContain('wiki.example NXDOMAIN');

    clock.advance(2 * HOUR + 60_000);
    // the next sync (here asked for at once) pushes the desired state of the new time
    const applied = await call('POST', '/api/v1/routers/dinkes-rtr01/apply', operator);
    expect(applied.body).toMatchObject({ result: 'ok', writes: 1 });
    expect(dnsNames('dinkes-rtr01')).toEqual(['judi.example NXDOMAIN', 'slot.example NXDOMAIN +sub', 'wiki.example NXDOMAIN']);
  });
});
