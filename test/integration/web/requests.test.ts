// The request pages over real HTTP: an office files, the NOC decides, each sees the other's
// steps by name; hostile input, another office's ids and forged posts are refused and store nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { csrfOf, form, loginAs, page, textOf, type CookieJar } from './browserless.js';

const PW = 'kata sandi yang panjang';
let d: TestDaemon;
let budi: CookieJar; // DINKES admin
let ani: CookieJar; // BAPPEDA admin
let sari: CookieJar; // NOC operator

const count = () => d.services.store.db.prepare('SELECT count(*) FROM requests').pluck().get() as number;
const _latestId = () => d.services.store.db.prepare('SELECT max(id) FROM requests').pluck().get() as number;
/** A day `days` from now as the form's date input sends it. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const idOf = (res: Response) => Number(/\/requests\/(\d+)/.exec(res.headers.get('location') ?? '')?.[1]);

beforeAll(async () => {
  d = await startTestDaemon();
  const admin = systemActor('test');
  await d.services.users.create(admin, { username: 'budi', displayName: 'Budi Santoso', role: 'opd-admin', opd: 'DINKES', password: PW });
  await d.services.users.create(admin, { username: 'ani', displayName: 'Ani Wulandari', role: 'opd-admin', opd: 'BAPPEDA', password: PW });
  await d.services.users.create(admin, { username: 'sari', displayName: 'Sari Rahayu', role: 'noc-operator', password: PW });
  d.services.ipam.createPool(admin, { name: 'lan-opd', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' });
  const r = await d.api('/api/v1/blocklists/judi/import?source=national', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'judi.example\n*.slot.example\n',
  });
  expect(r.status).toBe(200);
  [budi, ani, sari] = [await loginAs(d, 'budi', PW), await loginAs(d, 'ani', PW), await loginAs(d, 'sari', PW)];
}, 60_000);
afterAll(() => d?.stop());

describe('IP-block request pages', () => {
  it('the form works out the size, files with the person named, and the NOC approval shows the block', async () => {
    const preview = await form(d, budi, '/requests/new/ip-block', {
      devices: '28',
      family: '4',
      purpose: 'LAN ruang rapat',
      justification: 'gedung baru',
      preview: '1',
    });
    expect(preview.res.status).toBe(200);
    expect(textOf(preview.html)).toContain('/27, 30 alamat');
    const before = count();
    expect(count()).toBe(before);

    const filed = await form(d, budi, '/requests/new/ip-block', { devices: '28', family: '4', purpose: 'LAN ruang rapat', justification: 'gedung baru' });
    expect(filed.res.status).toBe(303);
    const id = idOf(filed.res);
    const shown = textOf((await page(d, budi, `/requests/${id}?ok=requestFiled`)).html);
    expect(shown).toContain('Permohonan sudah dikirim');
    expect(shown).toContain('/27, 30 alamat');
    expect(shown).toContain('oleh Budi Santoso');
    expect(shown).toContain('Menunggu');

    // The queue shows it, named; the approval goes through the same service as the API.
    const queue = textOf((await page(d, sari, '/noc/requests')).html);
    expect(queue).toContain(`#${id}`);
    expect(queue).toContain('Budi Santoso');
    const ok = await form(d, sari, `/noc/requests/${id}/approve`, { poolId: '', strategy: 'best-fit', note: '' }, { from: '/noc/requests' });
    expect(ok.res.status).toBe(303);
    const after = textOf((await page(d, budi, `/requests/${id}`)).html);
    expect(after).toMatch(/Blok IP untuk kantor Anda: 10\.20\.\d+\.\d+\/27/);
    expect(after).toContain('Disetujui oleh Sari Rahayu');
    // The API names the people too.
    const api = (await (await d.api(`/api/v1/requests/${id}`)).json()) as { createdByName: string; decidedByName: string };
    expect(api).toMatchObject({ createdByName: 'Budi Santoso', decidedByName: 'Sari Rahayu' });
    // The office's home lists the block and the request.
    const home = textOf((await page(d, budi, '/')).html);
    expect(home).toMatch(/10\.20\.\d+\.\d+\/27/);
    expect(home).toContain(`#${id}`);
  });

  it('hostile input: every field error at once, a 400 page, nothing stored', async () => {
    const before = count();
    const bad = await form(d, budi, '/requests/new/ip-block', {
      devices: '<script>alert(1)</script>',
      family: '5',
      purpose: 'LAN\u0000"><script>alert(1)</script>',
      justification: 'x'.repeat(1_000_000),
    });
    expect(bad.res.status).toBe(400);
    expect(bad.html).not.toContain('<script>alert(1)</script>');
    const errors = [...bad.html.matchAll(/id="f-(\w+)-err"/g)].map((m) => m[1]).sort();
    expect(errors).toEqual(['devices', 'family', 'justification', 'purpose']);
    expect(textOf(bad.html)).toContain('karakter tak terlihat');
    expect(count()).toBe(before);

    // Over the body limit: a 413 page, nothing stored.
    const huge = await form(d, budi, '/requests/new/ip-block', { devices: '5', family: '4', purpose: 'p', justification: 'x'.repeat(1_100_000) });
    expect(huge.res.status).toBe(413);
    expect(count()).toBe(before);
  });

  it('script and quotes that are valid text are stored as typed and shown as text', async () => {
    const xss = `"><script>alert('x')</script><img src=x onerror=alert(1)>`;
    const filed = await form(d, budi, '/requests/new/ip-block', { devices: '5', family: '4', purpose: xss, justification: xss });
    expect(filed.res.status).toBe(303);
    for (const [jar, path] of [
      [budi, `/requests/${idOf(filed.res)}`],
      [sari, '/noc/requests'],
    ] as const) {
      const { html } = await page(d, jar, path);
      expect(html).not.toContain("<script>alert('x')");
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;');
    }
  });

  it("another office's request is a 404 page; a POST without the CSRF token is a 403 and changes nothing", async () => {
    const filed = await form(d, budi, '/requests/new/ip-block', { devices: '10', family: '4', purpose: 'p', justification: 'j' });
    const id = idOf(filed.res);
    const other = await page(d, ani, `/requests/${id}`);
    expect(other.res.status).toBe(404);
    expect(textOf(other.html)).toContain('bukan milik kantor Anda');
    expect((await form(d, ani, `/requests/${id}/cancel`, {}, { from: '/requests' })).res.status).toBe(404);
    expect(textOf((await page(d, ani, '/requests')).html)).not.toContain(`#${id}`);
    expect((await page(d, ani, '/requests/abc')).res.status).toBe(404);

    const before = count();
    const forged = await form(d, budi, '/requests/new/ip-block', { devices: '10', family: '4', purpose: 'p', justification: 'j' }, { csrf: null });
    expect(forged.res.status).toBe(403);
    expect(count()).toBe(before);
    expect((await form(d, sari, `/noc/requests/${id}/reject`, { reason: 'no' }, { csrf: null })).res.status).toBe(403);
    expect(((await d.api(`/api/v1/requests/${id}`).then((r) => r.json())) as { state: string }).state).toBe('pending');

    // The owner cancels it.
    const cancel = await form(d, budi, `/requests/${id}/cancel`, {}, { from: `/requests/${id}` });
    expect(cancel.res.status).toBe(303);
    expect(textOf((await page(d, budi, `/requests/${id}`)).html)).toContain('Dibatalkan oleh Budi Santoso');
  });

  it('only the NOC opens the queue and decides', async () => {
    expect((await page(d, budi, '/noc/requests')).res.status).toBe(403);
    const filed = await form(d, budi, '/requests/new/ip-block', { devices: '10', family: '4', purpose: 'p', justification: 'j' });
    const id = idOf(filed.res);
    const token = csrfOf((await page(d, budi, '/requests')).html);
    expect((await form(d, budi, `/noc/requests/${id}/approve`, {}, { csrf: token })).res.status).toBe(403);
    expect(
      (await form(d, sari, '/requests/new/ip-block', { devices: '10', family: '4', purpose: 'p', justification: 'j' }, { from: '/requests' })).res.status,
    ).toBe(403);
  });
});

describe('the NOC queue', () => {
  it('a rejection needs a reason; several approve at once, each with its own outcome', async () => {
    const ids: number[] = [];
    for (const n of ['5', '12', '60'])
      ids.push(idOf((await form(d, budi, '/requests/new/ip-block', { devices: n, family: '4', purpose: `LAN ${n}`, justification: 'j' })).res));
    const empty = await form(d, sari, `/noc/requests/${ids[0]}/reject`, { reason: '' }, { from: '/noc/requests' });
    expect(empty.res.status).toBe(400);
    expect(empty.html).toContain(`id="r${ids[0]}-reason-err"`);
    const rejected = await form(d, sari, `/noc/requests/${ids[0]}/reject`, { reason: 'pakai blok yang sudah ada' }, { from: '/noc/requests' });
    expect(rejected.res.status).toBe(303);
    expect(textOf((await page(d, budi, `/requests/${ids[0]}`)).html)).toContain('pakai blok yang sudah ada');

    // The rejected one is in the batch too: it fails alone, the others are approved.
    const token = csrfOf((await page(d, sari, '/noc/requests')).html);
    const res = await fetch(`${d.url}/noc/requests/approve`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: sari.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams([['_csrf', token], ...ids.map((i): [string, string] => ['ids', String(i)])]),
    });
    expect(res.status).toBe(200);
    const text = textOf(await res.text());
    expect(text).toMatch(new RegExp(`#${ids[0]} ?: tidak disetujui: Permohonan ini sudah diputuskan`));
    expect(text).toMatch(new RegExp(`#${ids[1]} ?: disetujui; blok 10\\.20\\.\\d+\\.\\d+/28`));
    expect(text).toMatch(new RegExp(`#${ids[2]} ?: disetujui; blok 10\\.20\\.\\d+\\.\\d+/26`));
    const states = ids.map((i) => d.services.store.db.prepare('SELECT state FROM requests WHERE id = ?').pluck().get(i));
    expect(states).toEqual(['rejected', 'approved', 'approved']);

    const none = await form(d, sari, '/noc/requests/approve', {}, { from: '/noc/requests' });
    expect(none.res.status).toBe(400);
  });

  it('lists page and filter; an OPD admin sees only its own office', async () => {
    const mine = (await page(d, budi, '/requests?state=approved&type=ip-block')).html;
    expect(mine).toContain('class="state state-approved"');
    expect(mine).not.toContain('class="state state-pending"');
    // More than a page of requests (filed through the same service the pages use).
    const actor = { id: 'user:ani', role: 'opd-admin' as const, opd: 'BAPPEDA', name: 'Ani Wulandari' };
    for (let i = 0; i < 21; i++) d.services.requests.file(actor, { type: 'ip-block', prefixLength: 29, purpose: `p${i}`, justification: 'j' });
    expect((await page(d, budi, '/requests')).html).not.toContain('BAPPEDA');
    const all = await page(d, sari, '/requests?page=1');
    expect(all.res.status).toBe(200);
    expect(all.html).toContain('rel="next"');
    const p2 = await page(d, sari, '/requests?page=2');
    expect(p2.html).toContain('rel="prev"');
    // A hand-edited filter shows the list, never an error page.
    expect((await page(d, sari, '/requests?state=%3Cscript%3E&page=-1')).res.status).toBe(200);
  });
});

describe('unblock request pages', () => {
  it('checks first, then files with a plain date; the NOC shortens it; the office sees until when', async () => {
    const check = textOf((await page(d, budi, '/requests/new/unblock?site=https%3A%2F%2Fwww.slot.example%2Fhalaman')).html);
    expect(check).toContain('www.slot.example diblokir untuk DINKES');
    expect(check).toContain('kategori judi, entri *.slot.example');
    expect(textOf((await page(d, budi, '/requests/new/unblock?site=bebas.example')).html)).toContain('tidak ada di daftar blokir');

    // Blocked by the wildcard parent: the page says what to ask for instead.
    const parent = await form(
      d,
      budi,
      '/requests/new/unblock',
      { site: 'www.slot.example', duty: 'pengawasan', justification: 'laporan', until: day(30) },
      { from: '/requests/new/unblock' },
    );
    expect(parent.res.status).toBe(400);
    expect(textOf(parent.html)).toContain('ajukan untuk slot.example');

    const bad = await form(
      d,
      budi,
      '/requests/new/unblock',
      { site: 'judi.example', duty: '', justification: 'a\u0000b', until: 'besok' },
      { from: '/requests/new/unblock' },
    );
    expect(bad.res.status).toBe(400);
    expect([...bad.html.matchAll(/id="f-(\w+)-err"/g)].map((m) => m[1]).sort()).toEqual(['duty', 'justification', 'until']);

    const before = count();
    const filed = await form(
      d,
      budi,
      '/requests/new/unblock',
      { site: 'judi.example', duty: 'pengawasan konten', justification: 'bahan laporan bulanan', until: day(30) },
      { from: '/requests/new/unblock' },
    );
    expect(filed.res.status).toBe(303);
    expect(count()).toBe(before + 1);
    const id = idOf(filed.res);

    const longer = await form(d, sari, `/noc/requests/${id}/approve`, { until: day(60) }, { from: '/noc/requests' });
    expect(longer.res.status).toBe(400);
    expect(textOf(longer.html)).toContain('hanya boleh memperpendek');
    const ok = await form(d, sari, `/noc/requests/${id}/approve`, { until: day(10) }, { from: '/noc/requests' });
    expect(ok.res.status).toBe(303);
    const shown = textOf((await page(d, budi, `/requests/${id}`)).html);
    expect(shown).toContain('judi.example dibuka untuk kantor Anda sampai');
    expect(textOf((await page(d, budi, '/requests/new/unblock?site=judi.example')).html)).toContain('sudah terbuka untuk kantor Anda');
  });
});
