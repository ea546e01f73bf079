import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { systemActor } from '../../../src/auth/actor.js';
import { AppError } from '../../../src/common/errors.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { CookieJar, form, loginAs, page, textOf } from '../web/browserless.js';

const PW = 'kata sandi yang panjang';
const admin = systemActor('test');

describe('accounts, sessions and the login page', () => {
  let d: TestDaemon;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00Z'));

  beforeAll(async () => {
    d = await startTestDaemon({ clock, modules: [] });
    for (const [username, role, opd] of [
      ['budi', 'opd-admin', 'DINKES'],
      ['sari', 'noc-operator', null],
      ['ani', 'opd-admin', 'BAPPEDA'],
      ['kunci', 'viewer', null],
      ['mati', 'viewer', null],
    ] as const)
      await d.services.users.create(admin, { username, displayName: `${username} "<b>"`, role, opd, password: PW });
  }, 60_000);
  afterAll(() => d?.stop());

  it('API: a noc-admin creates an account with a generated password shown once; no hash is ever returned', async () => {
    const res = await d.api('/api/v1/users', { method: 'POST', json: { username: 'rudi', displayName: 'Rudi', role: 'noc-admin' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: Record<string, unknown>; password: string };
    expect(body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const all = JSON.stringify(await (await d.api('/api/v1/users')).json()) + JSON.stringify(body.user);
    expect(all).not.toMatch(/scrypt|password_hash|passwordHash/);
    expect((await d.api('/api/v1/users/rudi')).status).toBe(200);
    const patched = await d.api('/api/v1/users/rudi', { method: 'PATCH', json: { displayName: 'Rudi H', language: 'en' } });
    expect(await patched.json()).toMatchObject({ displayName: 'Rudi H', language: 'en' });
    // The generated password works on the login page.
    await loginAs(d, 'rudi', body.password);
  });

  it('API: hostile or wrong input is a 4xx problem, never a 500, and stores nothing', async () => {
    const bad = [
      { username: '<script>alert(1)</script>', displayName: 'x', role: 'viewer' },
      { username: 'nul', displayName: 'a\u0000b', role: 'viewer' },
      { username: 'quote', displayName: 'x', role: 'viewer', password: 'short' },
      { username: 'opdless', displayName: 'x', role: 'opd-admin' },
      { username: 'other', displayName: 'x', role: 'opd-admin', opd: 'NOPE' },
      { username: 'extra', displayName: 'x', role: 'viewer', isAdmin: true },
      { username: 'big', displayName: 'x'.repeat(1_100_000), role: 'viewer' },
    ];
    for (const json of bad) {
      const res = await d.api('/api/v1/users', { method: 'POST', json });
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const names = ((await (await d.api('/api/v1/users')).json()) as { username: string }[]).map((u) => u.username);
    for (const n of ['nul', 'quote', 'opdless', 'other', 'extra', 'big']) expect(names).not.toContain(n);
    expect((await d.api('/api/v1/users', { method: 'POST', json: { username: 'budi', displayName: 'x', role: 'viewer' } })).status).toBe(409);
  });

  it('API: only a noc-admin manages accounts', async () => {
    const tok = (await (await d.api('/api/v1/tokens', { method: 'POST', json: { name: 'op', role: 'noc-operator' } })).json()) as { token: string };
    expect((await d.api('/api/v1/users', { token: tok.token })).status).toBe(403);
    expect((await d.api('/api/v1/users/budi/unlock', { method: 'POST', token: tok.token })).status).toBe(403);
  });

  it('wrong password and unknown user get the same words; the right one logs in with a new session id', async () => {
    const jar = new CookieJar();
    const wrong = await form(d, jar, '/login', { username: 'sari', password: 'not her password' });
    const unknown = await form(d, jar, '/login', { username: 'nobody', password: 'not her password' });
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    const msg = (html: string) => /class="form-error"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(msg(wrong.html)).toBe('Nama pengguna atau kata sandi salah. Periksa lalu coba lagi.');
    expect(msg(unknown.html)).toBe(msg(wrong.html));

    await loginAs(d, 'sari', PW, jar);
    const first = jar.cookies.get('simpul_session')!;
    expect((await page(d, jar, '/')).res.status).toBe(200);
    // Logging in again (same browser) rotates the id; the old one no longer opens anything.
    await loginAs(d, 'sari', PW, jar);
    const second = jar.cookies.get('simpul_session')!;
    expect(second).not.toBe(first);
    const old = new CookieJar();
    old.cookies.set('simpul_session', first);
    expect((await page(d, old, '/')).res.headers.get('location')).toBe('/login?why=ended');
  });

  it('the session cookie is HttpOnly, SameSite=Lax, and Secure only behind TLS', async () => {
    const jar = new CookieJar();
    const { res } = await form(d, jar, '/login', { username: 'sari', password: PW });
    const c = res.headers.getSetCookie().find((x) => x.startsWith('simpul_session='))!;
    expect(c).toMatch(/HttpOnly/);
    expect(c).toMatch(/SameSite=Lax/);
    expect(c).not.toMatch(/Secure/);
  });

  it('five wrong passwords lock the account with the time it ends; a noc-admin unlocks it', async () => {
    const jar = new CookieJar();
    let last = { res: new Response(), html: '' };
    for (let i = 0; i < 5; i++) last = await form(d, jar, '/login', { username: 'kunci', password: `salah ${i} sekali` });
    expect(last.res.status).toBe(423);
    expect(textOf(last.html)).toMatch(/dikunci sampai \d{1,2} \w{3} 2026,? \d{2}\.\d{2} WIB/);
    // Even the right password is refused while locked.
    expect((await form(d, jar, '/login', { username: 'kunci', password: PW })).res.status).toBe(423);
    const unlock = await d.api('/api/v1/users/kunci/unlock', { method: 'POST' });
    expect(unlock.status).toBe(200);
    await loginAs(d, 'kunci', PW);
    const actions = d.services.store.db.prepare("SELECT action FROM audit_log WHERE object_id = 'kunci'").pluck().all();
    expect(actions).toEqual(expect.arrayContaining(['user.login-failed', 'user.lockout', 'user.unlock', 'user.login']));
  });

  it('a disabled account cannot log in and its open sessions end', async () => {
    const jar = await loginAs(d, 'mati', PW);
    expect((await d.api('/api/v1/users/mati/disable', { method: 'POST' })).status).toBe(200);
    expect((await page(d, jar, '/')).res.status).toBe(303);
    const r = await form(d, new CookieJar(), '/login', { username: 'mati', password: PW });
    expect(r.res.status).toBe(401);
    expect(textOf(r.html)).toContain('dinonaktifkan');
  });

  it('sessions end after the idle time and after the absolute time', async () => {
    const jar = await loginAs(d, 'sari', PW);
    clock.advance(31 * 60_000);
    expect((await page(d, jar, '/account')).res.headers.get('location')).toMatch(/^\/login\?why=ended/);

    const busy = await loginAs(d, 'sari', PW);
    // Active every 20 minutes: never idle, but the 12-hour limit still ends it.
    for (let i = 0; i < 35; i++) {
      clock.advance(20 * 60_000);
      expect((await page(d, busy, '/')).res.status).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await page(d, busy, '/')).res.status).toBe(303);
  });

  it('logout revokes the session on the server: a copy of the cookie opens nothing', async () => {
    const jar = await loginAs(d, 'sari', PW);
    const copy = new CookieJar();
    copy.cookies.set('simpul_session', jar.cookies.get('simpul_session')!);
    const out = await form(d, jar, '/logout', {}, { from: '/' });
    expect(out.res.status).toBe(303);
    expect(out.res.headers.get('location')).toBe('/login?ok=loggedOut');
    expect((await page(d, copy, '/')).res.status).toBe(303);
  });

  it('a POST without the CSRF token gets a 403 page saying to reload', async () => {
    const jar = await loginAs(d, 'sari', PW);
    const r = await form(d, jar, '/logout', {}, { csrf: null });
    expect(r.res.status).toBe(403);
    expect(textOf(r.html)).toContain('Muat ulang halaman');
    expect((await page(d, jar, '/')).res.status).toBe(200);
  });

  it('a session resolves to the same scoped Actor as a token: another OPD is 404', async () => {
    const jar = await loginAs(d, 'budi', PW);
    const home = await page(d, jar, '/');
    expect(home.html).toContain('(DINKES)');
    expect(home.html).toContain('budi &quot;&lt;b&gt;&quot;');
    const actor = d.services.sessions.resolve(jar.cookies.get('simpul_session'))!.actor;
    expect(actor).toMatchObject({ id: 'user:budi', role: 'opd-admin', opd: 'DINKES', name: 'budi "<b>"' });
    expect(() => d.services.inventory.getOpd(actor, 'BAPPEDA')).toThrow(AppError);
    expect(d.services.inventory.getOpd(actor, 'DINKES').code).toBe('DINKES');
    expect(d.services.users.byActorId('user:budi')?.opd).toBe('DINKES');
    expect(d.services.users.recipients({ roles: ['opd-admin'], opd: 'DINKES' }).map((u) => u.username)).toEqual(['budi']);
  });

  it('hostile login input gets a 4xx page that says what to do, never a 500', async () => {
    const cases: Record<string, string>[] = [
      { username: '<script>alert(1)</script>', password: '"><img src=x>' },
      { username: 'a\u0000b', password: 'x' },
      { username: '', password: '' },
      { username: 'x'.repeat(70_000), password: 'x' },
      { username: 'sari', password: 'p'.repeat(1_100_000) },
    ];
    for (const c of cases) {
      const r = await form(d, new CookieJar(), '/login', c);
      expect(r.res.status, JSON.stringify(c).slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(r.res.status).toBeLessThan(500);
      expect(r.html).not.toContain('<script>alert(1)');
      expect(r.html).not.toContain('<img src=x>');
      expect(r.res.headers.get('content-type')).toContain('text/html');
    }
    const empty = await form(d, new CookieJar(), '/login', { username: '', password: '' });
    // Both missing fields are reported at once, each next to its field.
    expect(empty.html).toContain('id="f-username-err"');
    expect(empty.html).toContain('id="f-password-err"');
  });

  it('every page carries the security headers, the 404 page too', async () => {
    for (const path of ['/login', '/no-such-page']) {
      const { res } = await page(d, new CookieJar(), path);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
    expect((await page(d, new CookieJar(), '/no-such-page')).res.status).toBe(404);
  });
});
