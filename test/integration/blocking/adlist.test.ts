// Router-fetched block lists (RouterOS 7.15+ /ip/dns/adlist) through the whole daemon in lab mode:
// the simulated routers fetch their OPD's hosts file from Simpul over HTTPS (verifying Simpul's
// certificate), answer DNS from it, reload when the list changes; older routers keep static
// entries in their version's form; the version the router reports wins over the inventory's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { ManualClock } from '../../../src/common/clock.js';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { LAB_STARTERS } from '../../../src/lab/lab.js';
import { LAB_SIMPUL_CERT } from '../../../src/lab/lab-tls.js';
import type { RouterSim } from '../../../src/lab/routeros/server.js';
import { startRouterLab, type RouterLab } from '../../../src/lab/routeros/starter.js';
import { listVersion } from '../../../src/blocking/adlist-files.js';
import { ADMIN, tempDir, testConfig } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ADLIST = '/ip/dns/adlist';
const DNS = '/ip/dns/static';
const HOUR = 3_600_000;

let d: Daemon;
let lab: RouterLab | undefined;
let cleanup: () => void;
const saved = [...LAB_STARTERS];
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let operator: string, dinkes: string;
let logs = '';

async function call(method: string, path: string, token: string = ADMIN, json?: unknown, text?: string): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (text !== undefined) headers['content-type'] = 'text/plain';
  const r = await fetch(d.url + path, { method, headers, body: json === undefined ? text : JSON.stringify(json) });
  const t = await r.text();
  return { status: r.status, body: t && r.headers.get('content-type')?.includes('json') ? JSON.parse(t) : (t as unknown as Json) };
}

/** GET over HTTPS verifying Simpul's lab certificate, from a chosen loopback address. */
function fetchList(url: string, opts: { from?: string; etag?: string } = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca: LAB_SIMPUL_CERT, localAddress: opts.from ?? '127.0.0.1', headers: opts.etag ? { 'if-none-match': opts.etag } : {} },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
}
async function bodyOf(res: IncomingMessage): Promise<string> {
  let s = '';
  res.setEncoding('utf8');
  for await (const c of res) s += c;
  return s;
}

const sim = (id: string) => lab?.sims.get(id) as RouterSim;
const adlistRows = (id: string) => sim(id).state.list(ADLIST);
const urlOf = (id: string) => adlistRows(id)[0]?.url ?? '';
const dnsRows = (id: string) =>
  sim(id)
    .state.list(DNS)
    .filter((r) => r.comment?.startsWith('simpul:'))
    .map((r) => `${r.name ?? `/${r.regexp}/`} ${r.type}${r['match-subdomain'] === 'true' ? ' +sub' : ''}`)
    .sort();
const router = async (id: string) => (await call('GET', `/api/v1/routers/${id}`)).body;

/** What the router's DNS service answers: the A address, or the error code (ENOTFOUND = NXDOMAIN). */
async function ask(id: string, name: string): Promise<string> {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${sim(id).dns.port}`]);
  return r.resolve4(name).then(
    (a) => a.join(','),
    (e: NodeJS.ErrnoException) => e.code ?? 'error',
  );
}

const NAMES = ['judi.example', 'wiki.example', 'slot.example'];

beforeAll(async () => {
  LAB_STARTERS.splice(0, LAB_STARTERS.length, async (inv, cred) => (lab = await startRouterLab(inv, cred)));
  const t = tempDir();
  cleanup = t.cleanup;
  // info: request lines are logged, and must never show a router's secret
  const config = testConfig(t.dir, { log: { level: 'info' }, blocking: { expirySweepSeconds: 1, adlist: { enabled: true, reloadWaitSeconds: 1 } } });
  config.lab = true;
  const logStream = new PassThrough();
  logStream.on('data', (c) => (logs += c.toString()));
  d = await startDaemon(config, { logStream, clock });
  operator = (await call('POST', '/api/v1/tokens', ADMIN, { name: 'op', role: 'noc-operator' })).body.token as string;
  dinkes = (await call('POST', '/api/v1/tokens', ADMIN, { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' })).body.token as string;
  const imported = await call('POST', '/api/v1/blocklists/judi/import?source=national', operator, undefined, `${NAMES.join('\n')}\n*.gacor.example\n`);
  expect(imported.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await d?.close();
  LAB_STARTERS.splice(0, LAB_STARTERS.length, ...saved);
  cleanup?.();
});

describe('router-fetched lists (RouterOS 7.15+ adlist)', () => {
  it('a 7.19 router holds one adlist entry for Simpul over HTTPS and answers the listed names itself', async () => {
    // the import's steps may queue several syncs: wait for the last one to have left the router in sync
    await expect
      .poll(async () => ({ state: (await router('dinkes-rtr01')).state, dns: (await router('dinkes-rtr01')).dns, static: dnsRows('dinkes-rtr01').length }), {
        timeout: 15_000,
      })
      .toEqual({ state: 'in-sync', dns: { mode: 'adlist', names: 3 }, static: 2 });
    const rows = adlistRows('dinkes-rtr01');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ 'ssl-verify': 'true', 'name-count': '3' });
    expect(rows[0]?.url).toMatch(new RegExp(`^${d.tlsUrl}/adlist/dinkes-rtr01/[A-Za-z0-9_-]{32}\\.txt$`));
    // names come from the list; the wildcard stays a static entry; the DoH canary is NXDOMAIN
    expect(dnsRows('dinkes-rtr01')).toEqual(['gacor.example NXDOMAIN +sub', 'use-application-dns.net NXDOMAIN']);
    expect(await ask('dinkes-rtr01', 'judi.example')).toBe('0.0.0.0');
    expect(await ask('dinkes-rtr01', 'www.gacor.example')).toBe('ENOTFOUND');
    expect(await ask('dinkes-rtr01', 'use-application-dns.net')).toBe('ENOTFOUND');
    expect(await ask('dinkes-rtr01', 'puskesmas.example')).toBe('EREFUSED');

    const detail = await router('dinkes-rtr01');
    expect(detail).toMatchObject({ state: 'in-sync', system: { version: '7.19.1', board: 'RB5009UG+S+IN' }, inventoryMismatch: [] });
    const plan = (await call('GET', '/api/v1/routers/dinkes-rtr01/plan')).body;
    expect(plan.notes).toContain(
      'DNS blocking: adlist, the router fetches its 3 names from Simpul (version ' + rows[0]?.comment?.split(' ').at(-1) + '); wildcards stay static entries',
    );
    // the secret is the router's capability: never in the API or the audit log
    const secret = /\/([^/]+)\.txt$/.exec(urlOf('dinkes-rtr01'))?.[1] as string;
    const audit = await call('GET', '/api/v1/audit?objectType=router&objectId=dinkes-rtr01');
    for (const body of [detail, plan, audit.body, logs]) expect(JSON.stringify(body)).not.toContain(secret);
    expect(logs).toContain('"url":"/api/v1/routers/dinkes-rtr01/plan"');
  });

  it("an exception approved for one OPD leaves that OPD's list only, the router reloads, and expiry brings it back", async () => {
    const fetches = sim('dinkes-rtr01').adlist.fetches;
    const filed = await call('POST', '/api/v1/requests', dinkes, {
      type: 'unblock',
      domain: 'wiki.example',
      justification: 'rujukan materi',
      duty: 'promosi kesehatan',
      until: new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString(),
    });
    expect(filed.status).toBe(201);
    expect(
      (await call('POST', `/api/v1/requests/${filed.body.id}/approve`, operator, { until: new Date(clock.now().getTime() + 2 * HOUR).toISOString() })).status,
    ).toBe(200);
    await expect.poll(() => ask('dinkes-rtr01', 'wiki.example'), { timeout: 10_000 }).toBe('EREFUSED');
    expect(sim('dinkes-rtr01').adlist.fetches).toBeGreaterThan(fetches);
    expect(await ask('dinkes-rtr01', 'judi.example')).toBe('0.0.0.0');
    expect(await ask('bapenda-rtr01', 'wiki.example')).toBe('0.0.0.0');
    await expect.poll(async () => (await router('dinkes-rtr01')).dns, { timeout: 10_000 }).toEqual({ mode: 'adlist', names: 2 });

    clock.advance(2 * HOUR + 60_000);
    // the expiry sweep (every second here) marks it expired; the router reloads the list with it
    await expect.poll(() => ask('dinkes-rtr01', 'wiki.example'), { timeout: 10_000 }).toBe('0.0.0.0');
  });

  it('6.49 and 7.4 routers get static entries in their forms; the version the router reports wins, and a disagreeing inventory is reported', async () => {
    await expect.poll(() => dnsRows('bpbd-rtr01'), { timeout: 10_000 }).toContain('judi.example A');
    expect(dnsRows('bpbd-rtr01')).toEqual([
      '/(^|\\.)gacor\\.example$/ A',
      '/(^|\\.)gacor\\.example$/ AAAA',
      'judi.example A',
      'judi.example AAAA',
      'slot.example A',
      'slot.example AAAA',
      'use-application-dns.net NXDOMAIN',
      'wiki.example A',
      'wiki.example AAAA',
    ]);
    expect(adlistRows('bpbd-rtr01')).toEqual([]);
    expect((await router('bpbd-rtr01')).dns).toEqual({ mode: 'static', names: 4 });

    // dinsos-rtr01 is 7.16.2 in the inventory; the router itself now says 7.4
    const s = sim('dinsos-rtr01');
    await expect.poll(() => adlistRows('dinsos-rtr01').length, { timeout: 10_000 }).toBe(1);
    s.state.resource.version = '7.4 (stable)';
    s.dropConnections();
    const applied = await call('POST', '/api/v1/routers/dinsos-rtr01/apply', operator);
    expect(applied.status).toBe(200);
    expect(dnsRows('dinsos-rtr01')).toEqual([
      '/(^|\\.)gacor\\.example$/ NXDOMAIN',
      'judi.example NXDOMAIN',
      'slot.example NXDOMAIN',
      'use-application-dns.net NXDOMAIN',
      'wiki.example NXDOMAIN',
    ]);
    // (a real 7.4 has no /ip/dns/adlist menu to clean up; the static entries answer first)
    expect(await ask('dinsos-rtr01', 'judi.example')).toBe('ENOTFOUND');
    expect(await router('dinsos-rtr01')).toMatchObject({
      dns: { mode: 'static', names: 4 },
      system: { version: '7.4' },
      inventoryMismatch: [{ field: 'version', inventory: '7.16.2', router: '7.4' }],
    });
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toMatch(/simpul_router_inventory_mismatch\{router="dinsos-rtr01",field="version"\} 1/);
    expect(metrics).not.toMatch(/simpul_router_inventory_mismatch\{router="dinkes-rtr01"/);
  });

  it('refuses a wrong secret, another address, a revoked secret and a router without adlist, with no list', async () => {
    const url = urlOf('bapenda-rtr01');
    const ok = await fetchList(url);
    expect(ok.statusCode).toBe(200);
    expect(await bodyOf(ok)).toContain('0.0.0.0 judi.example\n');

    const wrong = await fetchList(url.replace(/\/[^/]+\.txt$/, '/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.txt'));
    expect(wrong.statusCode).toBe(404);
    expect(await bodyOf(wrong)).not.toContain('judi');
    const plain = await fetch(url.replace(d.tlsUrl as string, d.url));
    expect(plain.status).toBe(403);
    expect(await plain.text()).not.toContain('judi');
    const other = await fetchList(url, { from: '127.0.0.2' });
    expect(other.statusCode).toBe(403);
    expect(JSON.parse(await bodyOf(other))).toMatchObject({ code: 'ADLIST_ADDRESS_REFUSED' });

    // an old router has no list to fetch, even with a secret
    expect((await call('POST', '/api/v1/routers/bpbd-rtr01/adlist/revoke', operator)).status).toBe(200);
    expect((await call('POST', '/api/v1/routers/bapenda-rtr01/adlist/revoke', dinkes)).status).toBe(403);
    const revoked = await call('POST', '/api/v1/routers/bapenda-rtr01/adlist/revoke', operator);
    expect(revoked).toMatchObject({ status: 200, body: { router: 'bapenda-rtr01' } });
    const gone = await fetchList(url);
    expect(gone.statusCode).toBe(404);
    expect(JSON.parse(await bodyOf(gone))).toMatchObject({ code: 'ADLIST_NOT_FOUND' });
    // the router is given its new URL and fetches from it
    await expect.poll(() => urlOf('bapenda-rtr01'), { timeout: 10_000 }).not.toBe(url);
    await expect.poll(() => ask('bapenda-rtr01', 'judi.example'), { timeout: 10_000 }).toBe('0.0.0.0');
    const audit = (await call('GET', '/api/v1/audit?objectType=router&objectId=bapenda-rtr01')).body as unknown as Json[];
    expect(audit.map((a) => a.action)).toContain('blocking.adlist.secret.revoke');
  });

  it('the ETag names the body: the same version answers 304, a new version another ETag', async () => {
    const url = urlOf('bkpsdm-rtr01');
    const first = await fetchList(url);
    const etag = first.headers.etag as string;
    const names = (await bodyOf(first))
      .split('\n')
      .filter((l) => l.startsWith('0.0.0.0 '))
      .map((l) => l.slice(8));
    expect(`"${listVersion(names)}"`).toBe(etag);
    const same = await fetchList(url, { etag });
    expect(same.statusCode).toBe(304);
    expect(await bodyOf(same)).toBe('');
    expect((await call('POST', '/api/v1/blocklists/judi/entries', operator, { value: 'baru.example' })).status).toBe(201);
    const changed = await fetchList(url, { etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(await bodyOf(changed)).toContain('0.0.0.0 baru.example\n');
  });

  it('a router that cannot fetch from Simpul is degraded with the reason', async () => {
    const s = sim('bkpsdm-rtr01');
    // the router no longer trusts Simpul's certificate, and its list is gone
    s.adlist.opts.trustedCa = '';
    s.state.remove(
      ADLIST,
      adlistRows('bkpsdm-rtr01').map((r) => r['.id'] as string),
    );
    const applied = await call('POST', '/api/v1/routers/bkpsdm-rtr01/apply', operator);
    expect(applied.body).toMatchObject({ result: 'ok', state: 'degraded' });
    const r = await router('bkpsdm-rtr01');
    expect(r).toMatchObject({ state: 'degraded', dns: { mode: 'adlist', names: 0 } });
    expect(r.reason).toMatch(/cannot fetch its list from Simpul/);
    s.adlist.opts.trustedCa = LAB_SIMPUL_CERT;
    const again = await call('POST', '/api/v1/routers/bkpsdm-rtr01/apply', operator);
    expect(again.body).toMatchObject({ state: 'in-sync' });
  });
});
