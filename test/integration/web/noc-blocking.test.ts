// The NOC's block list pages over real HTTP: categories and sources, adding (and refusing) an
// entry, removing one, per-office exclusions, uploading a list file as a browser form, and the
// exceptions across offices with revoking one for a reason. Hostile input, missing CSRF tokens,
// oversized uploads and an office admin are each answered with a page, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { type CookieJar, csrfOf, form, loginAs, page, textOf, upload as postFiles } from './browserless.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
let noc: CookieJar, viewer: CookieJar, office: CookieJar;
const PASSWORD = 'kata-sandi-yang-panjang';
const MAX_IMPORT = 1024 * 1024;
let dinkesToken: string;

const api = async (path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<Json> =>
  (await d.api(path, init)).json() as Promise<Json>;
const entriesOf = async (cat: string, source?: string) =>
  ((await api(`/api/v1/blocklists/${cat}/entries?limit=1000${source ? `&source=${source}` : ''}`)).entries as Json[]).map((e) => e.value as string);
const auditCount = () => d.services.store.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;

/** The list upload form; an empty file field when `file` is null, as a browser sends a form with no file chosen. */
const upload = (jar: CookieJar, cat: string, fields: Record<string, string>, file: { name: string; body: string | Uint8Array } | null, csrf?: string | null) =>
  postFiles(d, jar, `/noc/blocklists/${cat}/import`, [file ? { ...file, type: 'text/plain' } : { name: '', body: '' }], fields, {
    csrf,
    from: `/noc/blocklists/${cat}`,
  });

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' }, blocking: { maxImportBytes: MAX_IMPORT } } });
  const admin = systemActor('test');
  await d.services.users.create(admin, { username: 'sari', displayName: 'Sari (NOC)', role: 'noc-operator', password: PASSWORD });
  await d.services.users.create(admin, { username: 'wati', displayName: 'Wati', role: 'viewer', password: PASSWORD });
  await d.services.users.create(admin, { username: 'budi', displayName: 'Budi', role: 'opd-admin', opd: 'DINKES', password: PASSWORD });
  [noc, viewer, office] = [await loginAs(d, 'sari', PASSWORD), await loginAs(d, 'wati', PASSWORD), await loginAs(d, 'budi', PASSWORD)];
  const r = await d.api('/api/v1/blocklists/judi/import?source=national', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'judi.example\n*.slot.example\n203.0.113.7\n',
  });
  expect(r.status).toBe(200);
  dinkesToken = (await api('/api/v1/tokens', { method: 'POST', json: { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' } })).token as string;
}, 120_000);
afterAll(() => d?.stop());

describe('block list pages', () => {
  it("shows categories with their sources and counts, and a category's entries", async () => {
    const list = await page(d, noc, '/noc/blocklists');
    expect(list.res.status).toBe(200);
    expect(list.html).toContain('href="/noc/blocklists/judi"');
    expect(textOf(list.html)).toContain('national (3)');
    expect(list.html).toContain('aria-current="page"'); // the nav names the area
    const judi = await page(d, noc, '/noc/blocklists/judi');
    expect(judi.res.status).toBe(200);
    for (const v of ['judi.example', '*.slot.example', '203.0.113.7']) expect(judi.html).toContain(`<code>${v}</code>`);
    expect((await page(d, noc, '/noc/blocklists/judi?q=slot')).html).not.toContain('<code>judi.example</code>');
    expect((await page(d, noc, '/noc/blocklists/nope')).res.status).toBe(404);
    expect((await d.api('/api/v1/blocklists', { method: 'POST', json: { name: 'uji-teks', description: '<script>alert(1)</script> "kutip"' } })).status).toBe(
      201,
    );
    for (const path of ['/noc/blocklists', '/noc/blocklists/uji-teks']) {
      const p = await page(d, noc, path);
      expect(p.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;kutip&quot;');
      expect(p.html).not.toContain('<script>alert(1)');
    }
  });

  it("adds an entry, and refuses one in words next to the field: the regency's own domain, a bad name, hostile text", async () => {
    const ok = await form(d, noc, '/noc/blocklists/lainnya/entries', { value: 'Slot-Gacor.Example' }, { from: '/noc/blocklists/lainnya' });
    expect(ok.res.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe('/noc/blocklists/lainnya?done=entryAdded');
    expect(textOf((await page(d, noc, '/noc/blocklists/lainnya?done=entryAdded')).html)).toContain('Entri ditambahkan');
    expect(await entriesOf('lainnya')).toContain('slot-gacor.example');
    const audited = d.services.store.db.prepare("SELECT actor_id FROM audit_log WHERE action = 'blocklist.entry.add' ORDER BY seq DESC LIMIT 1").pluck().get();
    expect(audited).toBe('user:sari');

    const before = await entriesOf('lainnya');
    const own = await form(d, noc, '/noc/blocklists/lainnya/entries', { value: 'portal.sungailestarikab.go.id' }, { from: '/noc/blocklists/lainnya' });
    expect(own.res.status).toBe(400);
    expect(own.html).toMatch(/<small id="f-value-err" class="field-error">Domain pemerintah daerah sendiri \(sungailestarikab\.go\.id\)/);
    expect(own.html).toContain('aria-invalid="true"');
    expect(own.html).toContain('value="portal.sungailestarikab.go.id"');

    const hostile = ['<script>alert(1)</script>', '"\'><img src=x onerror=alert(1)>', 'a\u0000b.example', 'bad..name', '10.0.0.0/8'];
    for (const value of hostile) {
      const r = await form(d, noc, '/noc/blocklists/lainnya/entries', { value }, { from: '/noc/blocklists/lainnya' });
      expect(r.res.status, value).toBe(400);
      expect(r.html, value).toContain('class="field-error"');
      expect(r.html).not.toContain('<script>alert(1)');
      expect(r.html).not.toContain('<img src=x');
    }
    const long = await form(d, noc, '/noc/blocklists/lainnya/entries', { value: `${'a'.repeat(5000)}.example` }, { from: '/noc/blocklists/lainnya' });
    expect(long.res.status).toBe(400);
    expect(long.html).toContain('Paling banyak 300 karakter');
    const huge = await form(d, noc, '/noc/blocklists/lainnya/entries', { value: 'x'.repeat(2 * 1024 * 1024) }, { from: '/noc/blocklists/lainnya' });
    expect(huge.res.status).toBe(413);
    expect(huge.html).toContain('terlalu besar');
    expect(await entriesOf('lainnya')).toEqual(before);
  });

  it('refuses a POST without the CSRF token with a 403 page, storing nothing', async () => {
    const before = auditCount();
    const r = await form(d, noc, '/noc/blocklists/lainnya/entries', { value: 'nocsrf.example' }, { csrf: null });
    expect(r.res.status).toBe(403);
    expect(r.html).toContain('Muat ulang halaman');
    const up = await upload(noc, 'lainnya', { source: 'feed' }, { name: 'a.txt', body: 'x.example\n' }, null);
    expect(up.res.status).toBe(403);
    expect(auditCount()).toBe(before);
  });

  it('removes an entry and saves the offices a category does not apply to', async () => {
    const [entry] = (await api('/api/v1/blocklists/lainnya/entries?q=slot-gacor')).entries as Json[];
    const r = await form(d, noc, `/noc/blocklists/lainnya/entries/${entry!.id}/remove`, {}, { from: '/noc/blocklists/lainnya' });
    expect(r.res.status).toBe(303);
    expect(await entriesOf('lainnya')).not.toContain('slot-gacor.example');
    const body = new URLSearchParams([
      ['_csrf', csrfOf((await page(d, noc, '/noc/blocklists/judi')).html)],
      ['excluded', 'DINKES'],
      ['excluded', 'BAPPEDA'],
    ]);
    const saved = await fetch(`${d.url}/noc/blocklists/judi/policy`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: noc.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(saved.status).toBe(303);
    expect(((await api('/api/v1/blocklists')) as unknown as Json[]).find((c) => c.name === 'judi')!.excludedOpds).toEqual(['BAPPEDA', 'DINKES']);
    expect((await page(d, noc, '/noc/blocklists/judi')).html).toMatch(/value="DINKES" checked/);
    expect((await form(d, noc, '/noc/blocklists/judi/policy', { excluded: '<script>' }, { from: '/noc/blocklists/judi' })).res.status).toBe(400);
    expect((await form(d, noc, '/noc/blocklists/judi/policy', {}, { from: '/noc/blocklists/judi' })).res.status).toBe(303);
    expect(((await api('/api/v1/blocklists')) as unknown as Json[]).find((c) => c.name === 'judi')!.excludedOpds).toEqual([]);
  });
});

describe('list upload', () => {
  it('imports a file sent as a browser form and shows its report: lines, accepted, refused with the first errors', async () => {
    const file = 'iklan.example\n0.0.0.0 tracker.example\nbad..name\nportal.sungailestarikab.go.id\n<script>alert(1)</script>\n';
    const r = await upload(noc, 'lainnya', { source: 'feed-iklan', format: 'auto' }, { name: 'iklan.txt', body: file });
    expect(r.res.status).toBe(200);
    const text = textOf(r.html);
    expect(text).toContain('Laporan unggahan');
    expect(text).toMatch(/Baris 5 Diterima 2/);
    expect(text).toMatch(/Tidak sah 2 Ditolak 1/);
    expect(r.html).toContain('PROTECTED_DOMAIN');
    expect(r.html).not.toContain('<script>alert(1)');
    expect((await entriesOf('lainnya', 'feed-iklan')).sort()).toEqual(['iklan.example', 'tracker.example']);
    const src = ((await api('/api/v1/blocklists')) as unknown as Json[]).find((c) => c.name === 'lainnya')!.sources.find((x: Json) => x.name === 'feed-iklan');
    expect(src).toMatchObject({ lines: 5, accepted: 2, refused: 1, invalid: 2, importedBy: 'user:sari' });
    const dry = await upload(noc, 'lainnya', { source: 'feed-iklan', dryRun: '1' }, { name: 'x.txt', body: 'other.example\n' });
    expect(textOf(dry.html)).toContain('Uji saja');
    expect((await entriesOf('lainnya', 'feed-iklan')).sort()).toEqual(['iklan.example', 'tracker.example']);
  });

  it('says what is wrong with the form next to its field: a bad source name, no file', async () => {
    const bad = await upload(noc, 'lainnya', { source: '<script>x' }, { name: 'a.txt', body: 'a.example\n' });
    expect(bad.res.status).toBe(400);
    expect(bad.html).toMatch(/id="f-source-err" class="field-error">Nama sumber/);
    expect(bad.html).not.toContain('<script>x');
    const none = await upload(noc, 'lainnya', { source: 'feed2' }, null);
    expect(none.res.status).toBe(400);
    expect(none.html).toMatch(/id="f-file-err" class="field-error">Pilih berkas/);
    const manual = await upload(noc, 'lainnya', { source: 'manual' }, { name: 'a.txt', body: 'a.example\n' });
    expect(manual.res.status).toBe(400);
    expect(manual.html).toContain('Sumber &#39;manual&#39;');
    expect(await entriesOf('lainnya', 'feed2')).toEqual([]);
  });

  it('answers a 50 MB upload, and one just over the limit that streams, with a 413 page; nothing stored', async () => {
    const big = await upload(noc, 'lainnya', { source: 'huge' }, { name: 'big.txt', body: new Uint8Array(50 * 1024 * 1024).fill(0x61) });
    expect(big.res.status).toBe(413);
    expect(big.html).toContain('terlalu besar');
    const over = await upload(noc, 'lainnya', { source: 'huge' }, { name: 'over.txt', body: 'z.example\n'.repeat(MAX_IMPORT / 10 + 100) });
    expect(over.res.status).toBe(413);
    expect(await entriesOf('lainnya', 'huge')).toEqual([]);
    expect(d.services.store.db.prepare('SELECT count(*) FROM block_staging').pluck().get()).toBe(0);
    // the connection and the session still serve
    expect((await page(d, noc, '/noc/blocklists')).res.status).toBe(200);
  }, 120_000);
});

describe('exceptions across offices', () => {
  let excId: number;
  beforeAll(async () => {
    const until = new Date(Date.now() + 20 * 86_400_000).toISOString();
    const filed = await api('/api/v1/requests', {
      method: 'POST',
      token: dinkesToken,
      json: { type: 'unblock', domain: 'judi.example', duty: 'pengawasan', justification: 'laporan', until },
    });
    const ok = await api(`/api/v1/requests/${filed.id}/approve`, { method: 'POST', json: {} });
    excId = ok.result.exception.id as number;
  });

  it('lists them with their office and end, filtered by office and state', async () => {
    const p = await page(d, noc, '/noc/exceptions');
    expect(p.res.status).toBe(200);
    expect(p.html).toContain(`action="/noc/exceptions/${excId}/revoke"`);
    expect(textOf(p.html)).toMatch(/judi\.example · DINKES/);
    expect(p.html).toMatch(/Berlaku sampai<\/dt><dd><time datetime="[^"]+Z">/);
    expect((await page(d, noc, '/noc/exceptions?opd=BAPPEDA')).html).not.toContain('judi.example · DINKES');
    expect((await page(d, noc, '/noc/exceptions?state=revoked')).html).not.toContain(`/noc/exceptions/${excId}/revoke`);
    expect((await page(d, noc, '/noc/exceptions?state=%3Cscript%3E')).res.status).toBe(400);
    const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    expect((await page(d, noc, `/noc/exceptions?by=${day(40)}`)).html).toContain(`/noc/exceptions/${excId}/revoke`);
    expect((await page(d, noc, `/noc/exceptions?by=${day(2)}`)).html).not.toContain(`/noc/exceptions/${excId}/revoke`);
    expect((await page(d, noc, '/noc/exceptions?by=2026-02-30')).res.status).toBe(400);
    expect((await page(d, noc, '/noc/exceptions?opd=NOPE')).res.status).toBe(404);
  });

  it('revoking needs a reason: refused next to the field when missing or hostile, then done and audited', async () => {
    for (const reason of ['', '   ', 'a\u0000b', 'x'.repeat(1001)]) {
      const r = await form(d, noc, `/noc/exceptions/${excId}/revoke`, { reason }, { from: '/noc/exceptions' });
      expect(r.res.status, JSON.stringify(reason.slice(0, 5))).toBe(400);
      expect(r.html).toMatch(new RegExp(`id="reason-${excId}-err" class="field-error"`));
    }
    expect((await api(`/api/v1/exceptions?opd=DINKES`)).exceptions[0].state).toBe('active');
    const reason = 'Situs <script>alert("x")</script> dipakai untuk hal lain';
    const ok = await form(d, noc, `/noc/exceptions/${excId}/revoke`, { reason }, { from: '/noc/exceptions' });
    expect(ok.res.status).toBe(303);
    const after = (await api('/api/v1/exceptions?opd=DINKES')).exceptions[0];
    expect(after).toMatchObject({ state: 'revoked', revokedBy: 'user:sari', revokeReason: reason });
    const shown = await page(d, noc, ok.res.headers.get('location')!);
    expect(shown.html).toContain('Situs &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; dipakai');
    expect(textOf(shown.html)).toContain('Pengecualian dicabut');
    const again = await form(d, noc, `/noc/exceptions/${excId}/revoke`, { reason: 'lagi' }, { from: '/noc/exceptions?state=all' });
    expect(again.res.status).toBe(409);
  });
});

describe('who may', () => {
  it('a viewer reads the pages without their buttons, and a POST is refused', async () => {
    const p = await page(d, viewer, '/noc/blocklists/judi');
    expect(p.res.status).toBe(200);
    expect(p.html).not.toContain('/entries"');
    expect(p.html).not.toContain('/import?');
    expect((await page(d, viewer, '/noc/exceptions')).html).not.toContain('/revoke"');
    const r = await form(d, viewer, '/noc/blocklists/judi/entries', { value: 'viewer.example' }, { from: '/noc/blocklists/judi' });
    expect(r.res.status).toBe(403);
    expect(await entriesOf('judi')).not.toContain('viewer.example');
  });

  it('an office admin finds no NOC page (404), and cannot post to one', async () => {
    for (const path of ['/noc/blocklists', '/noc/blocklists/judi', '/noc/exceptions']) expect((await page(d, office, path)).res.status, path).toBe(404);
    expect((await page(d, office, '/')).html).not.toContain('/noc/blocklists');
    const r = await form(d, office, '/noc/blocklists/judi/entries', { value: 'office.example' }, { from: '/' });
    expect(r.res.status).toBe(404);
    const up = await upload(office, 'judi', { source: 'x' }, { name: 'a.txt', body: 'office.example\n' }, csrfOf((await page(d, office, '/')).html));
    expect(up.res.status).toBe(404);
    expect(await entriesOf('judi')).not.toContain('office.example');
  });
});
