// GET /api/v1/exceptions: unblock exceptions across offices, made the real way (requests filed
// by offices, approved by the NOC), filtered by OPD, state and end, paged, scoped for opd-admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const HOUR = 3_600_000;
const at = (hours: number) => new Date(clock.now().getTime() + hours * HOUR).toISOString();
let dinkes: string, bappeda: string, operator: string, viewer: string;
const ids: Record<string, number> = {};

async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<{ status: number; type: string; body: Json }> {
  const r = await d.api(path, init);
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, type, body: text && type.includes('json') ? JSON.parse(text) : (text as unknown as Json) };
}
const post = (path: string, json: unknown, token?: string) => call(path, { method: 'POST', json, token });
const token = async (role: string, opd?: string) =>
  (await post('/api/v1/tokens', { name: `${role}-${opd ?? ''}`, role, ...(opd ? { opd } : {}) })).body.token as string;

/** An office asks, the NOC approves: the exception exists as it would in production. */
async function exception(tok: string, target: Json, untilHours: number): Promise<number> {
  const filed = await post(
    '/api/v1/requests',
    { type: 'unblock', justification: 'pemantauan konten untuk laporan', duty: 'pengawasan', until: at(untilHours), ...target },
    tok,
  );
  expect(filed.status).toBe(201);
  const ok = await post(`/api/v1/requests/${filed.body.id}/approve`, {}, operator);
  expect(ok.status).toBe(200);
  return ok.body.result.exception.id as number;
}
const list = async (q = '', tok?: string) => call(`/api/v1/exceptions${q}`, { token: tok });
const idsOf = (r: { body: Json }) => (r.body.exceptions as Json[]).map((e) => e.id as number);

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
    body: 'judi.example\n203.0.113.7\n',
  });
  expect(r.status).toBe(200);
  ids.dinkesLong = await exception(dinkes, { domain: 'judi.example' }, 30 * 24);
  ids.bappedaShort = await exception(bappeda, { domain: 'judi.example' }, 2);
  ids.bappedaRevoked = await exception(bappeda, { address: '203.0.113.7' }, 10 * 24);
  expect((await post(`/api/v1/exceptions/${ids.bappedaRevoked}/revoke`, { reason: 'tidak diperlukan lagi' }, operator)).status).toBe(200);
  clock.advance(3 * HOUR); // the short one has ended
}, 120_000);
afterAll(() => d?.stop());

describe('GET /api/v1/exceptions', () => {
  it("lists every office's exceptions with their state and end, to the NOC and a viewer", async () => {
    const all = await list();
    expect(all.status).toBe(200);
    expect(all.body.next).toBeNull();
    expect(all.body.exceptions).toMatchObject([
      { id: ids.dinkesLong, opd: 'DINKES', kind: 'domain', value: 'judi.example', state: 'active' },
      { id: ids.bappedaShort, opd: 'BAPPEDA', state: 'expired' },
      { id: ids.bappedaRevoked, opd: 'BAPPEDA', kind: 'address', value: '203.0.113.7', state: 'revoked', revokeReason: 'tidak diperlukan lagi' },
    ]);
    expect(idsOf(await list('', viewer))).toEqual(idsOf(all));
  });

  it('filters by OPD, by state and by end, and the filters combine', async () => {
    expect(idsOf(await list('?opd=BAPPEDA'))).toEqual([ids.bappedaShort, ids.bappedaRevoked]);
    expect(idsOf(await list('?state=active'))).toEqual([ids.dinkesLong]);
    expect(idsOf(await list('?state=expired'))).toEqual([ids.bappedaShort]);
    expect(idsOf(await list('?state=revoked'))).toEqual([ids.bappedaRevoked]);
    // Ending within the next 20 days: the revoked one (10 days) and the ended one, not the 30-day one.
    const soon = encodeURIComponent(at(20 * 24));
    expect(idsOf(await list(`?endingBefore=${soon}`))).toEqual([ids.bappedaShort, ids.bappedaRevoked]);
    expect(idsOf(await list(`?endingBefore=${soon}&state=revoked&opd=BAPPEDA`))).toEqual([ids.bappedaRevoked]);
    // An offset in the date-time is honoured (same instant as UTC).
    expect(idsOf(await list(`?endingBefore=${encodeURIComponent('2026-11-23T12:00:00+07:00')}`))).toEqual([ids.bappedaShort]);
  });

  it('pages with limit and next', async () => {
    const first = await list('?limit=2');
    expect(idsOf(first)).toEqual([ids.dinkesLong, ids.bappedaShort]);
    expect(first.body.next).toBe(ids.bappedaShort);
    const second = await list(`?limit=2&after=${first.body.next}`);
    expect(idsOf(second)).toEqual([ids.bappedaRevoked]);
    expect(second.body.next).toBeNull();
  });

  it('an opd-admin sees only its own office, and another office answers 404', async () => {
    expect(idsOf(await list('', dinkes))).toEqual([ids.dinkesLong]);
    expect(idsOf(await list('?state=expired', dinkes))).toEqual([]);
    expect(idsOf(await list('', bappeda))).toEqual([ids.bappedaShort, ids.bappedaRevoked]);
    expect((await list('?opd=BAPPEDA', dinkes)).status).toBe(404);
    expect(idsOf(await list('?opd=DINKES', dinkes))).toEqual([ids.dinkesLong]);
    expect((await list('?opd=NOPE')).status).toBe(404);
    expect((await list('', 'not-a-token')).status).toBe(401);
  });

  it('answers bad filters with problem+json naming what is allowed, never a 500', async () => {
    for (const q of [
      '?state=open',
      '?endingBefore=tomorrow',
      '?endingBefore=2026-13-45T99:00:00Z',
      '?limit=0',
      '?limit=abc',
      '?after=-1',
      '?opd=dinkes',
      `?opd=${'A'.repeat(40)}`,
      '?opd=%3Cscript%3E',
      '?state=%00',
    ]) {
      const r = await list(q);
      expect(r.status, q).toBe(400);
      expect(r.type, q).toContain('application/problem+json');
      expect(r.body.detail, q).toBeTruthy();
    }
  });
});
