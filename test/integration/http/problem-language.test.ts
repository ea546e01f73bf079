/**
 * A problem's `detail` follows Accept-Language on every route: Bahasa Indonesia from the
 * `problems` catalog when asked for (the thrower's English kept as `detailEn`), the thrower's
 * English as before with `en`, `*`, another language or no header; `code`, `type` and `field`
 * never change with the language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const until = '2026-12-20';
let dinkes = '';

interface Answer {
  status: number;
  lang: string | null;
  contentType: string;
  body: Json;
}
async function call(
  path: string,
  lang: string | undefined,
  init: { method?: string; json?: unknown; token?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const r = await d.api(path, { ...init, headers: { ...(lang === undefined ? {} : { 'accept-language': lang }), ...init.headers } });
  return { status: r.status, lang: r.headers.get('content-language'), contentType: r.headers.get('content-type') ?? '', body: (await r.json()) as Json };
}

/** The same request without the header, in English and in Indonesian: the language changes, nothing else does. */
async function inEachLanguage(path: string, init: Parameters<typeof call>[2] = {}) {
  const [none, en, id] = [await call(path, undefined, init), await call(path, 'en', init), await call(path, 'id', init)];
  for (const a of [none, en, id]) expect(a.contentType).toMatch(/^application\/problem\+json/);
  expect(en.body).toEqual(none.body);
  expect(none.body.detailEn).toBeUndefined();
  expect([none.lang, en.lang, id.lang]).toEqual(['en', 'en', 'id']);
  const same = (b: Json) => ({ type: b.type, code: b.code, status: b.status, field: b.field, title: b.title, instance: b.instance });
  expect(same(id.body)).toEqual(same(en.body));
  expect(id.body.type).toBe(`urn:simpul:problem:${String(id.body.code).toLowerCase().replaceAll('_', '-')}`);
  expect(id.body.detailEn).toBe(en.body.detail);
  expect(id.body.detail).not.toBe(en.body.detail);
  return { en: en.body, id: id.body };
}

beforeAll(async () => {
  d = await startTestDaemon({ clock });
  dinkes = (await call('/api/v1/tokens', undefined, { method: 'POST', json: { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' } })).body.token;
  const r = await d.api('/api/v1/blocklists/judi/import?source=national', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'judi.example\n198.51.100.0/24\n',
  });
  expect(r.status).toBe(200);
});
afterAll(() => d.stop());

describe('problem detail languages', () => {
  it('IPAM: a full pool names its largest free block in Indonesian; a bad CIDR names the field and the fix', async () => {
    const pool = await call('/api/v1/pools', undefined, {
      method: 'POST',
      json: { name: 'tiny', scope: 'public', cidr: '198.18.0.0/29', role: 'public-service' },
    });
    expect(pool.status).toBe(201);
    expect(
      (await call(`/api/v1/pools/${pool.body.id}/allocations`, undefined, { method: 'POST', json: { opd: 'DISKOMINFO', purpose: 'web', prefixLength: 30 } }))
        .status,
    ).toBe(201);
    const full = await inEachLanguage(`/api/v1/pools/${pool.body.id}/allocations`, {
      method: 'POST',
      json: { opd: 'DISKOMINFO', purpose: 'mail', prefixLength: 29 },
    });
    expect(full.en).toMatchObject({ status: 409, code: 'POOL_EXHAUSTED', largestFree: '198.18.0.4/30' });
    expect(full.en.detail).toContain('no free /29');
    expect(full.id.detail).toBe(
      'Pool ini tidak punya blok kosong sebesar yang diminta (blok kosong terbesar: 198.18.0.4/30). Minta blok yang lebih kecil, atau minta NOC memakai pool lain.',
    );

    const bits = await inEachLanguage('/api/v1/pools', { method: 'POST', json: { name: 'x', scope: 'private', cidr: '10.0.0.1/24', role: 'opd-lan' } });
    expect(bits.id).toMatchObject({ code: 'CIDR_HOST_BITS_SET', field: 'cidr', suggestion: '10.0.0.0/24' });
    expect(bits.id.detail).toBe("Isian 'cidr' bukan alamat awal bloknya; mungkin maksud Anda 10.0.0.0/24.");
    expect(bits.id.detailEn).toContain('did you mean 10.0.0.0/24');
  });

  it('requests: a missing OPD and an unknown type, and a site already open for the office', async () => {
    const opd = await inEachLanguage('/api/v1/requests', {
      method: 'POST',
      json: { type: 'ip-block', prefixLength: 24, purpose: 'LAN', justification: 'kantor baru' },
    });
    expect(opd.id).toMatchObject({ status: 400, code: 'OPD_REQUIRED', field: 'opd' });
    expect(opd.id.detail).toBe('Sebutkan kode OPD-nya, misalnya DINKES.');
    const type = await inEachLanguage('/api/v1/requests', { method: 'POST', token: dinkes, json: { type: 'teleport', justification: 'x' } });
    expect(type.id).toMatchObject({ code: 'UNKNOWN_REQUEST_TYPE', field: 'type' });
    expect(type.id.detail).toContain('Pilih ip-block (minta blok IP) atau unblock');
    const open = await inEachLanguage('/api/v1/requests', {
      method: 'POST',
      token: dinkes,
      json: { type: 'unblock', domain: 'free.example', duty: 'pengawasan', justification: 'laporan', until },
    });
    expect(open.id).toMatchObject({ status: 422, code: 'NOT_BLOCKED', field: 'domain' });
    expect(open.id.detail).toMatch(/^Situs ini tidak diblokir untuk kantor Anda/);
  });

  it('blocking: an entry covered by a wider one says which, and a wildcard too broad for a block list', async () => {
    const parent = await inEachLanguage('/api/v1/requests', {
      method: 'POST',
      token: dinkes,
      json: { type: 'unblock', address: '198.51.100.20', duty: 'pengawasan', justification: 'laporan', until },
    });
    expect(parent.id).toMatchObject({ status: 422, code: 'BLOCKED_BY_PARENT', field: 'address', blockedBy: { category: 'judi', value: '198.51.100.0/24' } });
    expect(parent.id.detail).toContain('198.51.100.0/24 dalam kategori judi');
    // A code that reaches the AppError through the value judge (a carrier), not as a literal.
    const broad = await inEachLanguage('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value: '*.go.id' } });
    expect(broad.id).toMatchObject({ status: 400, code: 'WILDCARD_TOO_BROAD', field: 'value' });
    expect(broad.id.detail).toMatch(/^Tanda bintang ini mencakup terlalu banyak situs/);
  });

  it('auth: a missing or unknown token, with the Bearer challenge in both languages', async () => {
    const missing = await inEachLanguage('/api/v1/opds', { token: null });
    expect(missing.id).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });
    expect(missing.id.detail).toBe('Permintaan ini memerlukan token API. Kirim header "Authorization: Bearer <token>".');
    const r = await d.api('/api/v1/opds', { token: null, headers: { 'accept-language': 'id' } });
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="simpul"');
    const unknown = await inEachLanguage('/api/v1/opds', { token: 'nosuchtoken-0123456789abcdef' });
    expect(unknown.id).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(unknown.id.detail).toBe('Token API tidak dikenal. Minta token kepada admin NOC.');
    const forbidden = await inEachLanguage('/api/v1/tokens', { token: dinkes });
    expect(forbidden.id).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('validation: names the field and what is allowed, from the catalog', async () => {
    const role = await inEachLanguage('/api/v1/tokens', { method: 'POST', json: { name: 'x', role: 'god' } });
    expect(role.id).toMatchObject({ code: 'VALIDATION_FAILED', field: 'role' });
    expect(role.en.detail).toMatch(/^body field 'role': must be one of 'noc-admin', /);
    expect(role.id.detail).toMatch(/^Isian 'role' pada isi permintaan harus salah satu dari 'noc-admin', 'noc-operator', 'opd-admin', 'viewer'\.$/);
    const extra = await inEachLanguage('/api/v1/tokens', { method: 'POST', json: { name: 'x', role: 'viewer', colour: 'red' } });
    expect(extra.en.detail).toBe("body: unknown field 'colour'");
    expect(extra.id.detail).toBe("Isian 'colour' pada isi permintaan tidak dikenal. Hapus isian itu, lalu kirim lagi.");
    const required = await inEachLanguage('/api/v1/tokens', { method: 'POST', json: { name: 'x' } });
    expect(required.id.detail).toBe("Isian 'role' pada isi permintaan wajib diisi.");
    const limit = await inEachLanguage('/api/v1/audit?limit=-1');
    expect(limit.id).toMatchObject({ code: 'VALIDATION_FAILED', field: 'limit' });
    expect(limit.id.detail).toMatch(/^Isian 'limit' pada parameter URL paling kecil harus 1\.$/);
    const date = await inEachLanguage('/api/v1/exceptions?endingBefore=soon');
    expect(date.id.detail).toContain('tanggal dan jam (2026-12-31T17:00:00+07:00)');
  });

  it('Fastify and routing problems too: bad JSON, an unknown API route', async () => {
    const json = await inEachLanguage('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(json.id).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(json.id.detail).toMatch(/^Isi permintaan bukan JSON yang sah/);
    const route = await inEachLanguage('/api/v1/nowhere');
    expect(route.id).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('chooses by preference: q-values, `in`, `*` and other languages (English), regional tags', async () => {
    const ask = async (lang: string) => (await call('/api/v1/opds', lang, { token: null })).lang;
    expect(await ask('en;q=0.5, id')).toBe('id');
    expect(await ask('id;q=0.4, en;q=0.9')).toBe('en');
    expect(await ask('id-ID,id;q=0.9')).toBe('id');
    expect(await ask('in')).toBe('id');
    expect(await ask('*')).toBe('en');
    expect(await ask('fr, de;q=0.8')).toBe('en');
    expect(await ask('fr, *;q=0.5, id;q=0.1')).toBe('id');
  });

  it('label and diagram routes keep choosing their own way: Indonesian unless English is preferred', async () => {
    const upload = (lang?: string) =>
      call('/api/v1/opds/DINKES/diagrams', lang, { method: 'POST', token: dinkes, headers: { 'content-type': 'application/xml' }, body: '' });
    const [none, en, id] = [await upload(), await upload('en'), await upload('id')];
    expect([none.body.code, en.body.code, id.body.code]).toEqual(['DIAGRAM_EMPTY', 'DIAGRAM_EMPTY', 'DIAGRAM_EMPTY']);
    expect([none.lang, en.lang, id.lang]).toEqual(['id', 'en', 'id']);
    expect(none.body.detail).toBe(id.body.detail);
    expect(id.body.detail).toBe(id.body.message.id);
    expect(en.body.detail).toBe(en.body.message.en);
    expect(id.body.detailEn).toBeUndefined();
  });
});
