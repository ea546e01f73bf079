// Users and tokens for a noc-admin: accounts made with a password shown once, all field errors at
// once, disable/enable/unlock/reset, tokens shown once and revoked; nobody else reaches the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { CookieJar, form, loginAs, page, textOf } from './browserless.js';

let d: TestDaemon;
const PW = 'kata-sandi-yang-panjang';
const jars: Record<string, CookieJar> = {};
const secretOn = (html: string) => /id="secret" type="text" readonly value="([^"]+)"/.exec(html)?.[1];
const secrets: string[] = [];

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' } } });
  for (const [username, role, opd] of [
    ['admin', 'noc-admin'],
    ['sari', 'noc-operator'],
    ['lihat', 'viewer'],
    ['budi', 'opd-admin', 'DINKES'],
  ] as const) {
    await d.services.users.create(systemActor('test'), { username, displayName: `Nama ${username}`, role, opd, password: PW });
    jars[username] = await loginAs(d, username, PW);
  }
}, 60_000);
afterAll(() => d?.stop());

describe('accounts', () => {
  it('a noc-admin creates an OPD admin; the generated password is shown once and works', async () => {
    const r = await form(d, jars.admin!, '/noc/users/new', {
      username: 'rina',
      displayName: 'Rina <Dinkes>',
      email: 'rina@dinkes.go.id',
      role: 'opd-admin',
      opd: 'DINKES',
      language: 'id',
      password: '',
    });
    expect(r.res.status).toBe(200);
    expect(textOf(r.html)).toContain('Akun rina (Rina &lt;Dinkes&gt;) sudah dibuat');
    const pw = secretOn(r.html)!;
    expect(pw.length).toBeGreaterThanOrEqual(10);
    secrets.push(pw);
    expect(d.services.users.get(systemActor('test'), 'rina')).toMatchObject({ role: 'opd-admin', opd: 'DINKES', displayName: 'Rina <Dinkes>' });
    const rina = await loginAs(d, 'rina', pw);
    expect(textOf((await page(d, rina, '/account')).html)).toContain('rina');
    const list = await page(d, jars.admin!, '/noc/users');
    expect(list.html).toContain('Rina &lt;Dinkes&gt;');
    expect(list.html).not.toContain(pw);
  });

  it('reports every field error at once, keeps what was typed (never the password), stores nothing', async () => {
    const before = d.services.users.list(systemActor('test')).length;
    const r = await form(d, jars.admin!, '/noc/users/new', {
      username: 'Bad Name!',
      displayName: 'a\u0000b',
      email: 'bukan-surel',
      role: 'opd-admin',
      opd: '',
      language: 'fr',
      password: 'pendek',
    });
    expect(r.res.status).toBe(400);
    const text = textOf(r.html);
    expect(r.html.match(/class="field-error"/g)).toHaveLength(6);
    expect(text).toContain('Admin OPD harus terikat pada satu OPD');
    expect(text).toContain('Kata sandi paling sedikit 10 karakter');
    expect(r.html).toContain('value="Bad Name!"');
    expect(r.html).not.toContain('pendek');
    const taken = await form(d, jars.admin!, '/noc/users/new', { username: 'rina', displayName: 'Lagi', role: 'viewer', language: 'id' });
    expect(taken.res.status).toBe(400);
    expect(textOf(taken.html)).toContain('sudah dipakai');
    const huge = await form(d, jars.admin!, '/noc/users/new', { username: 'besar', displayName: 'x'.repeat(1_000_000), role: 'viewer', language: 'id' });
    expect([400, 413]).toContain(huge.res.status);
    expect(d.services.users.list(systemActor('test'))).toHaveLength(before);
  });

  it('an office chosen for a NOC role is dropped; a typed password is set and not shown', async () => {
    const r = await form(d, jars.admin!, '/noc/users/new', {
      username: 'tono',
      displayName: 'Tono',
      role: 'noc-operator',
      opd: 'DINKES',
      language: 'en',
      password: 'sandi tono yang panjang',
    });
    expect(r.res.status).toBe(200);
    expect(secretOn(r.html)).toBeUndefined();
    expect(r.html).not.toContain('sandi tono yang panjang');
    expect(d.services.users.get(systemActor('test'), 'tono')).toMatchObject({ role: 'noc-operator', opd: null, language: 'en' });
    await loginAs(d, 'tono', 'sandi tono yang panjang');
  });

  it('disable ends the sessions and refuses login; enable; lockout lifted by unlock; reset shows a new password once', async () => {
    const tono = await loginAs(d, 'tono', 'sandi tono yang panjang');
    expect((await form(d, jars.admin!, '/noc/users/tono/disable', {}, { from: '/noc/users' })).res.headers.get('location')).toBe('/noc/users?done=disabled');
    expect((await page(d, tono, '/account')).res.status).toBe(303);
    await expect(loginAs(d, 'tono', 'sandi tono yang panjang')).rejects.toThrow();
    expect((await form(d, jars.admin!, '/noc/users/tono/enable', {}, { from: '/noc/users' })).res.status).toBe(303);
    await loginAs(d, 'tono', 'sandi tono yang panjang');

    for (let i = 0; i < 5; i++) await form(d, new CookieJar(), '/login', { username: 'tono', password: `salah ${i} sekali` });
    expect(textOf((await page(d, jars.admin!, '/noc/users')).html)).toContain('Terkunci sampai');
    expect((await form(d, jars.admin!, '/noc/users/tono/unlock', {}, { from: '/noc/users' })).res.status).toBe(303);
    expect(textOf((await page(d, jars.admin!, '/noc/users?done=unlocked')).html)).toContain('Kunci akun sudah dibuka');

    const reset = await form(d, jars.admin!, '/noc/users/tono/reset-password', {}, { from: '/noc/users' });
    const pw = secretOn(reset.html)!;
    secrets.push(pw);
    await expect(loginAs(d, 'tono', 'sandi tono yang panjang')).rejects.toThrow();
    await loginAs(d, 'tono', pw);
    expect((await page(d, jars.admin!, '/noc/users')).html).not.toContain(pw);
    // The admin's own row offers no disable button.
    expect((await page(d, jars.admin!, '/noc/users')).html).not.toContain('action="/noc/users/admin/disable"');
  });
});

describe('tokens', () => {
  it('made with its secret shown once; it works until revoked', async () => {
    const bad = await form(d, jars.admin!, '/noc/tokens/new', { name: '', role: 'opd-admin', expiresInDays: '-3' }, { from: '/noc/users' });
    expect(bad.res.status).toBe(400);
    expect(bad.html.match(/class="field-error"/g)).toHaveLength(3);
    const r = await form(
      d,
      jars.admin!,
      '/noc/tokens/new',
      { name: 'Skrip "cadangan" <NOC>', role: 'noc-operator', expiresInDays: '30' },
      { from: '/noc/users' },
    );
    expect(r.res.status).toBe(200);
    const secret = secretOn(r.html)!;
    expect(secret).toMatch(/^spl_/);
    secrets.push(secret);
    expect((await d.api('/api/v1/whoami', { token: secret })).status).toBe(200);
    const list = await page(d, jars.admin!, '/noc/users');
    expect(list.html).not.toContain(secret);
    expect(list.html).toContain('Skrip &quot;cadangan&quot; &lt;NOC&gt;');
    const id = /action="\/noc\/tokens\/(tok_[0-9a-f]{12})\/revoke"/.exec(list.html)![1]!;
    expect((await form(d, jars.admin!, `/noc/tokens/${id}/revoke`, {}, { from: '/noc/users' })).res.status).toBe(303);
    expect((await d.api('/api/v1/whoami', { token: secret })).status).toBe(401);
    expect((await form(d, jars.admin!, '/noc/tokens/tok_zz/revoke', {}, { from: '/noc/users' })).res.status).toBe(404);
  });
});

describe('who reaches it', () => {
  it('operators and viewers get 403, an opd-admin the not-found page; no CSRF token: 403', async () => {
    for (const who of ['sari', 'lihat']) {
      expect((await page(d, jars[who]!, '/noc/users')).res.status, who).toBe(403);
      expect(
        (await form(d, jars[who]!, '/noc/users/new', { username: 'x1', displayName: 'x', role: 'noc-admin', language: 'id' }, { from: '/' })).res.status,
        who,
      ).toBe(403);
    }
    expect((await page(d, jars.budi!, '/noc/users')).res.status).toBe(404);
    expect((await form(d, jars.budi!, '/noc/users/rina/disable', {}, { from: '/' })).res.status).toBe(404);
    expect((await form(d, jars.admin!, '/noc/users/rina/disable', {}, { csrf: null })).res.status).toBe(403);
    expect(d.services.users.get(systemActor('test'), 'rina').disabledAt).toBeNull();
    expect(() => d.services.users.get(systemActor('test'), 'x1')).toThrow();
    expect((await page(d, jars.sari!, '/')).html).not.toContain('href="/noc/users"');
  });

  it('no secret appears on any other page: the list, the audit log, the account pages', async () => {
    const pages = ['/noc/users', '/noc/audit', '/noc/audit?objectType=user', '/noc/audit?objectType=token', '/account'];
    for (const p of pages) {
      const { html } = await page(d, jars.admin!, p);
      for (const s of secrets) expect(html, p).not.toContain(s);
    }
  });
});
