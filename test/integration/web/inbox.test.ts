// The in-app notifications in the browser: the unread count on every page, the list, opening one
// (marked read, taken to its page), all read at once; another person's notification is not found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { type CookieJar, form, loginAs, page, textOf } from './browserless.js';

let d: TestDaemon;
let noc: CookieJar;
let other: CookieJar;
const PASSWORD = 'kata-sandi-yang-panjang';

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' } } });
  const admin = systemActor('test');
  await d.services.users.create(admin, { username: 'sari', displayName: 'Sari (NOC)', role: 'noc-operator', password: PASSWORD });
  await d.services.users.create(admin, {
    username: 'budi',
    displayName: 'Budi (Dinkes)',
    role: 'opd-admin',
    opd: 'DINKES',
    password: PASSWORD,
    language: 'en',
  });
  noc = await loginAs(d, 'sari', PASSWORD);
  other = await loginAs(d, 'budi', PASSWORD);
  const token = (
    (await (await d.api('/api/v1/tokens', { method: 'POST', json: { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' } })).json()) as { token: string }
  ).token;
  for (const purpose of ['Ruang server <b>baru</b>', 'Puskesmas keliling'])
    expect(
      (await d.api('/api/v1/requests', { method: 'POST', token, json: { type: 'ip-block', prefixLength: 28, purpose, justification: 'perangkat baru' } }))
        .status,
    ).toBe(201);
}, 60_000);
afterAll(() => d?.stop());

const idsOn = (html: string) => [...html.matchAll(/action="\/notifications\/(\d+)\/read"/g)].map((m) => Number(m[1]));

describe('notifications page', () => {
  it('shows the unread count on every page and lists the requests filed, escaped, newest first', async () => {
    const home = await page(d, noc, '/');
    expect(home.html).toMatch(/href="\/notifications"[^>]*>Pemberitahuan <span class="badge"[^>]*>2<\/span>/);
    const list = await page(d, noc, '/notifications');
    expect(list.res.status).toBe(200);
    expect(textOf(list.html)).toContain('2 belum dibaca dari 2 pemberitahuan');
    expect(list.html).not.toContain('<b>baru</b>');
    expect(idsOn(list.html)).toHaveLength(2);
  });

  it('opening one marks it read and goes to its page; the count drops', async () => {
    const [id] = idsOn((await page(d, noc, '/notifications')).html);
    const opened = await form(d, noc, `/notifications/${id}/read`, { open: '1' }, { from: '/notifications' });
    expect(opened.res.status).toBe(303);
    expect(opened.res.headers.get('location')).toMatch(/^\/requests\/\d+$/);
    expect((await page(d, noc, '/')).html).toMatch(/<span class="badge"[^>]*>1<\/span>/);
    const unread = await page(d, noc, '/notifications?unread=1');
    expect(idsOn(unread.html)).toHaveLength(1);
  });

  it("another person's notification is not found, and a POST without the CSRF token is refused", async () => {
    const [id] = idsOn((await page(d, noc, '/notifications')).html);
    const foreign = await form(d, other, `/notifications/${id}/read`, {}, { from: '/notifications' });
    expect(foreign.res.status).toBe(404);
    const forged = await form(d, noc, '/notifications/read-all', {}, { csrf: null });
    expect(forged.res.status).toBe(403);
    expect(idsOn((await page(d, noc, '/notifications?unread=1')).html)).toHaveLength(1);
  });

  it('marks all read at once, and a junk page number or id is answered without a 500', async () => {
    const all = await form(d, noc, '/notifications/read-all', {}, { from: '/notifications' });
    expect(all.res.headers.get('location')).toBe('/notifications?ok=allRead');
    const after = await page(d, noc, '/notifications?ok=allRead');
    expect(textOf(after.html)).toContain('Semua pemberitahuan sudah ditandai dibaca');
    expect(after.html).not.toMatch(/class="badge"[^>]*>\d/);
    expect((await page(d, noc, '/notifications?page=-3&unread=x')).res.status).toBe(200);
    expect((await form(d, noc, '/notifications/99999999999/read', {}, { from: '/notifications' })).res.status).toBe(404);
    expect((await form(d, noc, '/notifications/abc/read', {}, { from: '/notifications' })).res.status).toBe(404);
  });
});
