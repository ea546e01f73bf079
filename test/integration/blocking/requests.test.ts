import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let dinkes: string, bappeda: string, operator: string, viewer: string;
const HOUR = 3_600_000;

async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<{ status: number; body: Json }> {
  const r = await d.api(path, init);
  const text = await r.text();
  return { status: r.status, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : (text as unknown as Json) };
}
const post = (path: string, json: unknown, token?: string) => call(path, { method: 'POST', json, token });
const token = async (role: string, opd?: string) =>
  (await post('/api/v1/tokens', { name: `${role}-${opd ?? ''}`, role, ...(opd ? { opd } : {}) })).body.token as string;
const blocked = async (opd: string, q: string, tok?: string) => (await call(`/api/v1/opds/${opd}/policy?${q}`, { token: tok })).body;
const unblock = (body: Json, tok = dinkes) =>
  post('/api/v1/requests', { type: 'unblock', justification: 'monitoring judi online untuk laporan', duty: 'pengawasan konten', ...body }, tok);
const metric = async (name: string) => {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name));
};

beforeAll(async () => {
  d = await startTestDaemon({ clock });
  [dinkes, bappeda, operator, viewer] = [
    await token('opd-admin', 'DINKES'),
    await token('opd-admin', 'BAPPEDA'),
    await token('noc-operator'),
    await token('viewer'),
  ];
  const r = await d.api('/api/v1/blocklists/judi/import?source=national', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'judi.example\n*.slot.example\n203.0.113.7\n198.51.100.0/24\n',
  });
  expect(r.status).toBe(200);
  expect((await post('/api/v1/blocklists/lainnya/entries', { value: 'judi.example' })).status).toBe(201);
});
afterAll(() => d.stop());

describe('policy query', () => {
  it('says what blocks a name and why, including a wildcard parent and a covering prefix', async () => {
    const a = await blocked('DINKES', 'domain=WWW.Slot.Example.');
    expect(a).toMatchObject({
      blocked: true,
      query: { kind: 'domain', value: 'www.slot.example' },
      matches: [{ category: 'judi', kind: 'wildcard', value: 'slot.example', source: 'national', applies: true, openedBy: null }],
    });
    expect(a.why).toBe('blocked by *.slot.example in judi (source national)');
    const b = await blocked('DINKES', 'address=198.51.100.20');
    expect(b).toMatchObject({ blocked: true, matches: [{ kind: 'prefix', value: '198.51.100.0/24' }] });
    const c = await blocked('DINKES', 'domain=ok.example');
    expect(c).toMatchObject({ blocked: false, why: 'not on any block list', matches: [] });
    const j = await blocked('DINKES', 'domain=judi.example');
    expect(j.matches.map((m: Json) => m.category).sort()).toEqual(['judi', 'lainnya']);
  });

  it('follows the per-OPD policy: an excluded category does not block', async () => {
    expect((await call('/api/v1/blocklists/lainnya/policy', { method: 'PUT', json: { excludedOpds: ['BAPPEDA'] }, token: operator })).status).toBe(200);
    expect((await call('/api/v1/blocklists/judi/policy', { method: 'PUT', json: { excludedOpds: ['BAPPEDA'] }, token: operator })).status).toBe(200);
    const a = await blocked('BAPPEDA', 'domain=judi.example');
    expect(a).toMatchObject({ blocked: false });
    expect(a.why).toContain('BAPPEDA is excluded');
    expect((await blocked('DINKES', 'domain=judi.example')).blocked).toBe(true);
    const p = (await call('/api/v1/opds/BAPPEDA/policy')).body;
    expect(p.categories.filter((c: Json) => !c.applies).map((c: Json) => c.name)).toEqual(['judi', 'lainnya']);
    expect((await call('/api/v1/opds/BAPPEDA/blocklist')).body).toEqual({ opd: 'BAPPEDA', domains: [], prefixes: [], withheld: [] });
    expect((await call('/api/v1/blocklists/judi/policy', { method: 'PUT', json: { excludedOpds: [] } })).status).toBe(200);
    expect((await call('/api/v1/blocklists/lainnya/policy', { method: 'PUT', json: { excludedOpds: [] } })).status).toBe(200);
    expect((await call('/api/v1/blocklists/judi/policy', { method: 'PUT', json: { excludedOpds: ['NOPE'] } })).body.code).toBe('UNKNOWN_OPD');
  });

  it('an opd-admin asks only about its own OPD', async () => {
    expect((await call('/api/v1/opds/BAPPEDA/policy?domain=judi.example', { token: dinkes })).status).toBe(404);
    expect((await call('/api/v1/opds/DINKES/policy?domain=judi.example', { token: dinkes })).status).toBe(200);
    expect((await call('/api/v1/opds/DINKES/policy?domain=a.example&address=1.2.3.4')).body.code).toBe('QUERY_REQUIRED');
  });
});

describe('unblock requests', () => {
  it('refuses what cannot be an exception, with the reason', async () => {
    const until = new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString();
    expect((await unblock({ domain: 'free.example', until })).body).toMatchObject({ status: 422, code: 'NOT_BLOCKED' });
    const parent = await unblock({ domain: 'www.slot.example', until });
    expect(parent.body).toMatchObject({ status: 422, code: 'BLOCKED_BY_PARENT', blockedBy: { kind: 'wildcard', value: 'slot.example' } });
    expect(parent.body.detail).toContain('ask for slot.example');
    expect((await unblock({ address: '198.51.100.20', until })).body.code).toBe('BLOCKED_BY_PARENT');
    expect((await unblock({ domain: 'judi.example', until: '2026-01-01T00:00:00Z' })).body.code).toBe('UNTIL_IN_PAST');
    expect((await unblock({ domain: 'judi.example', until: '2028-12-01T00:00:00Z' })).body.code).toBe('UNTIL_TOO_FAR');
    expect((await unblock({ domain: 'judi.example' })).body.code).toBe('UNTIL_REQUIRED');
    expect((await unblock({ domain: '*.slot.example', until })).body.code).toBe('WILDCARD_NOT_ALLOWED');
    expect((await unblock({ domain: 'judi.example', address: '203.0.113.7', until })).body.code).toBe('TARGET_REQUIRED');
    expect((await unblock({ domain: 'judi.example', until, opd: 'BAPPEDA' })).status).toBe(403);
    expect((await unblock({ domain: 'judi.example', until }, viewer)).status).toBe(403);
  });

  it('approve with a shorter end: open for that OPD alone, then blocked again at expiry by the clock', async () => {
    const until = new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString();
    const filed = await unblock({ domain: 'Judi.Example', until });
    expect(filed.status).toBe(201);
    expect(filed.body.body).toMatchObject({ domain: 'judi.example', until });
    expect((await unblock({ domain: 'judi.example', until })).body.code).toBe('REQUEST_PENDING');
    expect((await post(`/api/v1/requests/${filed.body.id}/approve`, {}, dinkes)).status).toBe(403);
    expect(
      (await post(`/api/v1/requests/${filed.body.id}/approve`, { until: new Date(clock.now().getTime() + 40 * 24 * HOUR).toISOString() }, operator)).body.code,
    ).toBe('UNTIL_LONGER');
    const shorter = new Date(clock.now().getTime() + 2 * HOUR).toISOString();
    const ok = await post(`/api/v1/requests/${filed.body.id}/approve`, { until: shorter, note: 'dua jam saja' }, operator);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'approved', result: { exception: { opd: 'DINKES', value: 'judi.example', until: shorter, state: 'active' } } });
    const excId = ok.body.result.exception.id as number;

    const open = await blocked('DINKES', 'domain=judi.example', dinkes);
    expect(open).toMatchObject({ blocked: false, exceptions: [{ id: excId }] });
    expect(open.why).toBe(`open by exception #${excId}`);
    expect(open.matches.every((m: Json) => m.openedBy === excId)).toBe(true);
    expect((await blocked('DISDIK', 'domain=judi.example')).blocked).toBe(true);
    const eff = (await call('/api/v1/opds/DINKES/blocklist')).body;
    expect(eff.domains.map((x: Json) => x.name)).toEqual(['slot.example']);
    expect((await call('/api/v1/opds/DISDIK/blocklist')).body.domains.map((x: Json) => x.name)).toEqual(['judi.example', 'slot.example']);
    expect((await unblock({ domain: 'judi.example', until })).body.code).toBe('ALREADY_OPEN');
    expect(await metric('simpul_opd_exceptions{')).toEqual(['simpul_opd_exceptions{opd="DINKES"} 1']);
    expect((await call('/api/v1/opds/DINKES/exceptions', { token: dinkes })).body).toHaveLength(1);
    expect((await call('/api/v1/opds/DINKES/exceptions', { token: bappeda })).status).toBe(404);

    // Past the end: blocked again before the sweeper runs, then the sweep records it.
    clock.advance(2 * HOUR + 1000);
    expect((await blocked('DINKES', 'domain=judi.example')).blocked).toBe(true);
    expect((await call('/api/v1/opds/DINKES/blocklist')).body.domains.map((x: Json) => x.name)).toEqual(['judi.example', 'slot.example']);
    expect(await metric('simpul_opd_exceptions{')).toEqual([]);
    const all = (await call('/api/v1/opds/DINKES/exceptions?all=true')).body as Json[];
    expect(all[0]).toMatchObject({ id: excId, state: 'expired', expiredAt: null });
  });

  it('reject with a reason the OPD reads', async () => {
    const until = new Date(clock.now().getTime() + 24 * HOUR).toISOString();
    const filed = await unblock({ address: '203.0.113.7', until });
    expect(filed.status).toBe(201);
    expect((await post(`/api/v1/requests/${filed.body.id}/reject`, { reason: '' }, operator)).status).toBe(400);
    const r = await post(`/api/v1/requests/${filed.body.id}/reject`, { reason: 'gunakan jaringan lain' }, operator);
    expect(r.body).toMatchObject({ state: 'rejected', reason: 'gunakan jaringan lain' });
    expect((await call(`/api/v1/requests/${filed.body.id}`, { token: dinkes })).body.reason).toBe('gunakan jaringan lain');
    expect((await blocked('DINKES', 'address=203.0.113.7')).blocked).toBe(true);
  });

  it('revocation ends an exception at once; each step is in the audit log', async () => {
    const until = new Date(clock.now().getTime() + 24 * HOUR).toISOString();
    const filed = await unblock({ address: '198.51.100.0/24', until }, bappeda);
    expect(filed.status).toBe(201);
    const ok = await post(`/api/v1/requests/${filed.body.id}/approve`, {}, operator);
    const id = ok.body.result.exception.id as number;
    expect((await blocked('BAPPEDA', 'address=198.51.100.20')).blocked).toBe(false);
    expect((await post(`/api/v1/exceptions/${id}/revoke`, { reason: 'x' }, bappeda)).status).toBe(403);
    const rv = await post(`/api/v1/exceptions/${id}/revoke`, { reason: 'tugas selesai' }, operator);
    expect(rv.body).toMatchObject({ id, state: 'revoked', revokeReason: 'tugas selesai' });
    expect((await post(`/api/v1/exceptions/${id}/revoke`, { reason: 'again' }, operator)).body.code).toBe('EXCEPTION_NOT_ACTIVE');
    expect((await blocked('BAPPEDA', 'address=198.51.100.20')).blocked).toBe(true);
    const audit = JSON.stringify((await call('/api/v1/audit?limit=500')).body);
    for (const a of [
      'blocklist.import',
      'blocklist.entry.add',
      'blocklist.policy.set',
      'request.file',
      'request.approve',
      'request.reject',
      'blocklist.exception.create',
      'blocklist.exception.revoke',
    ])
      expect(audit).toContain(a);
  });
});

describe('categories, entries, exports, metrics', () => {
  it('the NOC adds a category and entries; others may not', async () => {
    expect((await post('/api/v1/blocklists', { name: 'kripto' }, dinkes)).status).toBe(403);
    const c = await post('/api/v1/blocklists', { name: 'kripto', description: 'crypto scams' }, operator);
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: 'kripto', entries: 0, excludedOpds: [] });
    expect((await post('/api/v1/blocklists', { name: 'kripto' }, operator)).body.code).toBe('CATEGORY_EXISTS');
    const e = await post('/api/v1/blocklists/kripto/entries', { value: 'a.slot.example' }, operator);
    expect(e.status).toBe(201);
    expect(e.body.warnings[0]).toContain('*.slot.example in judi');
    expect((await post('/api/v1/blocklists/kripto/entries', { value: 'a.slot.example' }, operator)).body.code).toBe('ENTRY_EXISTS');
    expect((await post('/api/v1/blocklists/kripto/entries', { value: '10.0.0.0/8' }, operator)).status).toBe(422);
    expect((await post('/api/v1/blocklists/kripto/entries', { value: 'x.example' }, viewer)).status).toBe(403);
    expect((await call(`/api/v1/blocklists/kripto/entries/${e.body.entry.id}`, { method: 'DELETE', token: operator })).status).toBe(204);
    const page = (await call('/api/v1/blocklists/judi/entries?limit=2')).body;
    expect(page.entries).toHaveLength(2);
    const next = (await call(`/api/v1/blocklists/judi/entries?limit=2&after=${page.next}`)).body;
    expect(next.entries).toHaveLength(2);
    expect(next.next).toBeNull();
    expect((await call('/api/v1/blocklists/judi/entries?q=slot')).body.entries.map((x: Json) => x.value)).toEqual(['slot.example']);
    expect(await metric('simpul_blocklist_entries{category="judi"}')).toEqual(['simpul_blocklist_entries{category="judi"} 4']);
  });

  it("exports an RPZ zone that parses back to the OPD's effective list", async () => {
    const r = await d.api('/api/v1/blocklists/export?format=rpz&opd=DINKES', { token: dinkes });
    expect(r.status).toBe(200);
    const zone = parseRpz(await r.text());
    expect(zone.soa).toBeTruthy();
    expect(zone.ns).toBe(true);
    expect([...zone.names].sort()).toEqual(['*.slot.example', 'judi.example', 'slot.example']);
    expect(zone.ips.map(fromRpzIp).sort()).toEqual(['198.51.100.0/24', '203.0.113.7/32']);
    expect((await d.api('/api/v1/blocklists/export?format=rpz', { token: dinkes })).status).toBe(400);
    expect((await d.api('/api/v1/blocklists/export?format=rpz&opd=BAPPEDA', { token: dinkes })).status).toBe(404);
    const u = await (await d.api('/api/v1/blocklists/export?format=unbound')).text();
    expect(u).toContain('local-zone: "slot.example." always_nxdomain');
  });
});

/** A tiny RPZ reader: directives, SOA/NS at the apex, and `name CNAME .` policy records. */
function parseRpz(text: string): { soa: string | null; ns: boolean; names: Set<string>; ips: string[] } {
  let origin = '';
  let soa: string | null = null;
  let ns = false;
  const names = new Set<string>();
  const ips: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*/, '').trim();
    if (!line) continue;
    const f = line.split(/\s+/);
    if (f[0] === '$ORIGIN') origin = f[1]!;
    else if (f[0] === '$TTL') expect(Number(f[1])).toBeGreaterThan(0);
    else if (f[0] === '@' && f[2] === 'SOA') soa = line;
    else if (f[0] === '@' && f[2] === 'NS') ns = true;
    else {
      expect(f.slice(1)).toEqual(['CNAME', '.']);
      expect(f[0]).toMatch(/^(\*\.)?[a-z0-9_.-]+$/);
      if (f[0]!.endsWith('.rpz-ip')) ips.push(f[0]!);
      else names.add(f[0]!);
    }
  }
  expect(origin).toMatch(/\.$/);
  return { soa, ns, names, ips };
}
const fromRpzIp = (owner: string) => {
  const [len, ...rest] = owner.replace(/\.rpz-ip$/, '').split('.');
  return `${rest.reverse().join('.')}/${len}`;
};
