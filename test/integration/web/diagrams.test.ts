// LAN diagrams, cable labels and compliance in the browser (real HTTP, no browser): uploads as a
// person's form, the report in words with its picture, hostile files, other offices' pages; and the
// API's diagram and block-list import routes taking a browser form (real multipart bodies).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { ROOT, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { type CookieJar, form, loginAs, page, textOf, upload as postFiles, type UploadFile } from './browserless.js';

let d: TestDaemon;
let bappeda: CookieJar;
let bpkad: CookieJar;
let noc: CookieJar;
const PASSWORD = 'kata-sandi-yang-panjang';
const BAPPEDA = readFileSync(join(ROOT, 'topology', 'BAPPEDA.drawio'));
const BPKAD = readFileSync(join(ROOT, 'topology', 'BPKAD.yaml'), 'utf8');
const SURVEY = readFileSync(join(ROOT, 'topology', 'DINKES-survey.csv'));

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' } } });
  const admin = systemActor('test');
  await d.services.users.create(admin, { username: 'rina', displayName: 'Rina (Bappeda)', role: 'opd-admin', opd: 'BAPPEDA', password: PASSWORD });
  await d.services.users.create(admin, { username: 'agus', displayName: 'Agus (BPKAD)', role: 'opd-admin', opd: 'BPKAD', password: PASSWORD, language: 'en' });
  await d.services.users.create(admin, { username: 'sari', displayName: 'Sari (NOC)', role: 'noc-operator', password: PASSWORD });
  bappeda = await loginAs(d, 'rina', PASSWORD);
  bpkad = await loginAs(d, 'agus', PASSWORD);
  noc = await loginAs(d, 'sari', PASSWORD);
}, 60_000);
afterAll(() => d?.stop());

const upload = (jar: CookieJar, path: string, files: UploadFile[], fields: Record<string, string> = {}, opts: { csrf?: string | null; from?: string } = {}) =>
  postFiles(d, jar, path, files, fields, opts);

const versionsOf = (opd: string) => d.services.store.db.prepare('SELECT count(*) FROM diagram_versions WHERE opd = ?').pluck().get(opd) as number;

describe('diagram pages', () => {
  it('an office admin uploads its draw.io diagram and reads the findings in words beside the picture', async () => {
    const office = await page(d, bappeda, '/diagrams/BAPPEDA');
    expect(office.res.status).toBe(200);
    expect(office.html).toContain('enctype="multipart/form-data"');
    expect(textOf(office.html)).toContain('belum pernah mengunggah diagram');
    const up = await upload(bappeda, '/diagrams/BAPPEDA', [{ name: 'BAPPEDA.drawio', body: BAPPEDA }]);
    expect(up.res.status).toBe(303);
    expect(up.res.headers.get('location')).toBe('/diagrams/BAPPEDA/versions/1?done=uploaded');
    const report = await page(d, bappeda, '/diagrams/BAPPEDA/versions/1?done=uploaded');
    expect(report.res.status).toBe(200);
    const text = textOf(report.html);
    expect(text).toContain('Diagram tersimpan sebagai versi baru');
    // the uploader by name, not the account id
    expect(text).toContain('oleh Rina (Bappeda)');
    expect(text).not.toContain('user:rina');
    expect(text).toContain('Hasil pemeriksaan');
    // Findings are listed in words, numbered as in the picture; the picture is inline SVG with a legend.
    expect(report.html).toMatch(/<ol class="findings"[^>]*>\s*<li value="1" class="finding sev-(error|warning|info)">/);
    expect(report.html).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" role="img"/);
    expect(report.html).toContain('Keterangan');
    expect(report.html).toContain('bappeda-sw01');
    // The strict CSP holds: no style attributes and no inline scripts on the page.
    expect(report.html).not.toMatch(/\sstyle=/);
    expect(report.html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const svg = await page(d, bappeda, '/diagrams/BAPPEDA/versions/1/picture.svg');
    expect(svg.res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(svg.html).toContain('Temuan');
  });

  it('the same file again is answered with the stored version, and the page says so', async () => {
    const up = await upload(bappeda, '/diagrams/BAPPEDA', [{ name: 'lagi.drawio', body: BAPPEDA }]);
    expect(up.res.status).toBe(303);
    expect(up.res.headers.get('location')).toBe('/diagrams/BAPPEDA/versions/1?done=unchanged');
    expect(textOf((await page(d, bappeda, up.res.headers.get('location')!)).html)).toContain('sama persis dengan versi 1');
    expect(versionsOf('BAPPEDA')).toBe(1);
  });

  it('a junk file, an empty form and a 50 MB file are answered with a page that says what to do; nothing is stored', async () => {
    const junk = await upload(bappeda, '/diagrams/BAPPEDA', [
      { name: 'foto.png', body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe]) },
    ]);
    expect(junk.res.status).toBe(415);
    expect(textOf(junk.html)).toContain('Berkas ini bukan teks');
    expect(junk.html).toContain('aria-invalid="true"');
    // A file input left empty: the browser sends a part with no file name and no bytes.
    const empty = await upload(bappeda, '/diagrams/BAPPEDA', [{ name: '', body: '' }]);
    expect(empty.res.status).toBe(400);
    expect(textOf(empty.html)).toContain('Formulir tidak memuat berkas');
    const huge = await upload(bappeda, '/diagrams/BAPPEDA', [{ name: 'besar.drawio', body: new Uint8Array(50 * 1024 * 1024).fill(0x20) }]);
    expect(huge.res.status).toBe(413);
    expect(textOf(huge.html)).toContain('Berkas terlalu besar');
    expect(versionsOf('BAPPEDA')).toBe(1);
  });

  it('a form without the CSRF token is refused', async () => {
    const r = await upload(bappeda, '/diagrams/BAPPEDA', [{ name: 'BAPPEDA.drawio', body: BAPPEDA }], {}, { csrf: null });
    expect(r.res.status).toBe(403);
    expect(versionsOf('BAPPEDA')).toBe(1);
  });

  it('a device name with <script> in an uploaded YAML diagram is shown as text', async () => {
    const hostile = BPKAD.replace('name: Switch Ruang Server', 'name: "<script>alert(1)</script> Switch \\"x\\" \'y\'"');
    const up = await upload(bpkad, '/diagrams/BPKAD', [{ name: '<b>bpkad</b>.yaml', body: hostile, type: 'application/x-yaml' }]);
    expect(up.res.status).toBe(303);
    const v = await page(d, bpkad, up.res.headers.get('location')!);
    expect(v.res.status).toBe(200);
    expect(v.html).not.toContain('<script>alert(1)');
    expect(v.html).not.toContain('<b>bpkad</b>');
    expect(v.html).toContain('&lt;script&gt;');
    expect(textOf(v.html)).toContain('LAN diagram of BPKAD'); // English: the account's language
  });

  it("another office's diagrams are not found for an office admin; the NOC sees them", async () => {
    for (const path of ['/diagrams/BPKAD', '/diagrams/BPKAD/versions/1', '/diagrams/BPKAD/versions/1/picture.svg', '/diagrams/BPKAD/versions/1/withdraw']) {
      const r = await page(d, bappeda, path);
      expect(r.res.status, path).toBe(404);
      expect(r.html).not.toContain('bpkad-sw01');
    }
    const post = await upload(bappeda, '/diagrams/BPKAD', [{ name: 'x.yaml', body: BPKAD }], {}, { from: '/diagrams/BAPPEDA' });
    expect(post.res.status).toBe(404);
    expect(versionsOf('BPKAD')).toBe(1);
    expect((await page(d, noc, '/diagrams/BPKAD/versions/1')).res.status).toBe(200);
    expect((await page(d, bappeda, '/diagrams')).res.headers.get('location')).toBe('/diagrams/BAPPEDA');
  });

  it('a second version shows its changes; the latest is withdrawn after a confirmation page', async () => {
    const changed = BPKAD.replace('name: Switch Bidang Anggaran', 'name: Switch Anggaran Baru');
    const up = await upload(bpkad, '/diagrams/BPKAD', [{ name: 'bpkad-2.yaml', body: changed }]);
    expect(up.res.headers.get('location')).toBe('/diagrams/BPKAD/versions/2?done=uploaded');
    const v2 = textOf((await page(d, bpkad, '/diagrams/BPKAD/versions/2')).html);
    expect(v2).toContain('Device changed');
    expect(v2).toContain('Switch Anggaran Baru');
    const compared = textOf((await page(d, bpkad, '/diagrams/BPKAD/versions/2?compare=1')).html);
    expect(compared).toContain('Changes from version 1 to version 2');
    const confirm = await page(d, bpkad, '/diagrams/BPKAD/versions/2/withdraw');
    expect(textOf(confirm.html)).toContain('Withdraw version 2');
    const done = await form(d, bpkad, '/diagrams/BPKAD/versions/2/withdraw', {});
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get('location')).toBe('/diagrams/BPKAD?done=withdrawn');
    const office = textOf((await page(d, bpkad, '/diagrams/BPKAD?done=withdrawn')).html);
    expect(office).toContain('The latest version was withdrawn');
    expect(office).toContain('Diagram in force: version 1');
    // Withdrawing version 1's successor again is refused with the reason, nothing changes.
    const again = await form(d, bpkad, '/diagrams/BPKAD/versions/2/withdraw', {}, { from: '/diagrams/BPKAD/versions/2/withdraw' });
    expect(again.res.status).toBe(409);
    expect(textOf(again.html)).toContain('already been withdrawn');
  });
});

describe('label pages', () => {
  it('pasted labels get a verdict each, in words; hostile text is shown escaped', async () => {
    const r = await form(d, bappeda, '/labels', { labels: 'BAPPEDA.L1R01.SW01:2/BAPPEDA.L2R05.AP02:ether1\nbukan label <script>x</script>\n# komentar' });
    expect(r.res.status).toBe(200);
    const text = textOf(r.html);
    expect(text).toMatch(/Hasil: \d dari 2 label benar/);
    expect(text).toContain('Salah');
    expect(r.html).not.toContain('<script>x</script>');
    expect(r.html).toContain('bukan label &lt;script&gt;');
    const empty = await form(d, bappeda, '/labels', { labels: '   ' });
    expect(empty.res.status).toBe(400);
    expect(textOf(empty.html)).toContain('Tulis paling sedikit satu label');
    // A NUL and a quote-breaking string are answered with a page, never a 500; 2 MB is too large.
    const nul = await form(d, bappeda, '/labels', { labels: 'BAPPEDA.L1R01.SW01:2\u0000/"\'><x' });
    expect(nul.res.status).toBeLessThan(500);
    expect(nul.html).not.toContain('"\'><x');
    const big = await form(d, bappeda, '/labels', { labels: 'X'.repeat(2 * 1024 * 1024) });
    expect(big.res.status).toBe(413);
  });

  it('a cable survey uploaded by the NOC for an office is reported per cable', async () => {
    const up = await upload(
      noc,
      '/labels/survey',
      [{ name: 'DINKES-survey.csv', body: SURVEY, type: 'text/csv' }],
      { 'survey-opd': 'DINKES' },
      { from: '/labels' },
    );
    expect(up.res.status).toBe(303);
    const loc = up.res.headers.get('location')!;
    expect(loc).toMatch(/^\/labels\/surveys\/DINKES\/\d+$/);
    const sv = await page(d, noc, loc);
    expect(sv.res.status).toBe(200);
    expect(textOf(sv.html)).toMatch(/kabel dari \d+ label yang dibaca/);
    expect((await page(d, bappeda, loc)).res.status).toBe(404);
    const noOffice = await upload(noc, '/labels/survey', [{ name: 's.csv', body: SURVEY }], {}, { from: '/labels' });
    expect(noOffice.res.status).toBe(400);
  });
});

describe('compliance page', () => {
  it('the NOC sees every office, overdue first, with links to their diagrams; an office admin may not', async () => {
    const r = await page(d, noc, '/noc/compliance');
    expect(r.res.status).toBe(200);
    const rows = [...r.html.matchAll(/<tr data-opd="([A-Z0-9]+)"/g)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThan(3);
    // Never submitted comes before the two offices that uploaded today.
    expect(rows.indexOf('BAPPEDA')).toBeGreaterThan(rows.findIndex((o) => o !== 'BAPPEDA' && o !== 'BPKAD'));
    expect(r.html).toContain('href="/diagrams/BAPPEDA"');
    const byName = await page(d, noc, '/noc/compliance?sort=opd&dir=desc');
    const names = [...byName.html.matchAll(/<tr data-opd="([A-Z0-9]+)"/g)].map((m) => m[1]!);
    expect(names).toEqual([...names].sort().reverse());
    expect((await page(d, bappeda, '/noc/compliance')).res.status).toBe(403);
  });
});

describe('API: uploads as a browser form', () => {
  const post = (path: string, fd: FormData, token?: string) => d.api(path, { method: 'POST', body: fd, ...(token ? { token } : {}) });
  const formOf = (...files: UploadFile[]) => {
    const fd = new FormData();
    fd.append('note', 'a field the route ignores');
    for (const f of files) fd.append('file', new Blob([f.body], { type: f.type ?? 'application/octet-stream' }), f.name);
    return fd;
  };

  it('the diagram route takes one file field: the same answers as a raw body', async () => {
    const dinkes = readFileSync(join(ROOT, 'topology', 'DINKES.drawio'));
    const first = await post('/api/v1/opds/DINKES/diagrams', formOf({ name: 'DINKES.drawio', body: dinkes }));
    expect(first.status).toBe(201);
    const body = (await first.json()) as { version: { version: number; fileName: string }; unchanged: boolean };
    expect(body.version.fileName).toBe('DINKES.drawio');
    const again = await post('/api/v1/opds/DINKES/diagrams', formOf({ name: 'DINKES.drawio', body: dinkes }));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { unchanged: boolean }).unchanged).toBe(true);
  });

  it('no file or two files -> 400 saying what to do; too large -> 413; nothing stored', async () => {
    const before = versionsOf('DISDIK');
    const none = await post('/api/v1/opds/DISDIK/diagrams', formOf());
    expect(none.status).toBe(400);
    expect(((await none.json()) as { code: string }).code).toBe('FORM_NO_FILE');
    const disdik = readFileSync(join(ROOT, 'topology', 'DISDIK.drawio'));
    const two = await post('/api/v1/opds/DISDIK/diagrams', formOf({ name: 'a.drawio', body: disdik }, { name: 'b.drawio', body: disdik }));
    expect(two.status).toBe(400);
    const problem = (await two.json()) as { code: string; detail: string };
    expect(problem.code).toBe('FORM_TWO_FILES');
    expect(problem.detail).toContain('satu berkas');
    const big = await post('/api/v1/opds/DISDIK/diagrams', formOf({ name: 'big.drawio', body: new Uint8Array(11 * 1024 * 1024).fill(0x20) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('DIAGRAM_TOO_LARGE');
    expect(versionsOf('DISDIK')).toBe(before);
  });

  it('the block-list import takes one file field; two files import nothing', async () => {
    expect((await d.api('/api/v1/blocklists', { method: 'POST', json: { name: 'uji-form' } })).status).toBe(201);
    const list = { name: 'list.txt', body: 'judi.example\n0.0.0.0 taruhan.example\n||kasino.example^\n', type: 'text/plain' };
    const two = await post('/api/v1/blocklists/uji-form/import?source=feed', formOf(list, list));
    expect(two.status).toBe(400);
    expect(((await two.json()) as { code: string }).code).toBe('FORM_TWO_FILES');
    const count = () => d.services.store.db.prepare("SELECT count(*) FROM block_entries_live WHERE category = 'uji-form'").pluck().get() as number;
    expect(count()).toBe(0);
    const none = await post('/api/v1/blocklists/uji-form/import?source=feed', formOf());
    expect(none.status).toBe(400);
    const ok = await post('/api/v1/blocklists/uji-form/import?source=feed', formOf(list));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { accepted: number }).accepted).toBe(3);
    expect(count()).toBe(3);
  });
});
