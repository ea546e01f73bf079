import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { browserMissing, launchBrowser, logIn, type TestBrowser } from './browser.js';
import { expectNoAxeViolations } from './axe.js';

const PW = 'kata sandi yang panjang';

describe.skipIf(browserMissing)(`login in Chromium${browserMissing ? ` (skipped: ${browserMissing})` : ''}`, () => {
  let d: TestDaemon;
  let b: TestBrowser;

  beforeAll(async () => {
    d = await startTestDaemon({ modules: [] });
    const admin = systemActor('test');
    await d.services.users.create(admin, { username: 'budi', displayName: 'Budi Santoso', role: 'opd-admin', opd: 'DINKES', password: PW });
    await d.services.users.create(admin, { username: 'sari', displayName: 'Sari', role: 'noc-operator', password: PW });
    await d.services.users.create(admin, { username: 'kunci', displayName: 'Kunci', role: 'viewer', password: PW });
    b = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await d?.stop();
  });

  it('wrong password, then the right one; the header names the person and the office; logout', async () => {
    const page = await b.page();
    await page.goto(d.url + '/');
    expect(new URL(page.url()).pathname).toBe('/login');
    await expectNoAxeViolations(page);

    await logIn(page, d.url, 'budi', 'bukan kata sandinya');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Nama pengguna atau kata sandi salah');
    expect(await page.getByLabel('Nama pengguna').inputValue()).toBe('budi');

    await logIn(page, d.url, 'budi', PW);
    expect(new URL(page.url()).pathname).toBe('/');
    const header = await page.locator('header').textContent();
    expect(header).toContain('Budi Santoso');
    expect(header).toContain('Admin OPD · DINKES');
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.waitForURL(/\/login\?ok=loggedOut/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Anda sudah keluar');
    await page.goto(d.url + '/account');
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('the NOC home passes axe too', async () => {
    const page = await b.page();
    await logIn(page, d.url, 'sari', PW);
    await expect(page.locator('h1').textContent()).resolves.toBe('Ringkasan NOC');
    await expectNoAxeViolations(page);
    await page.goto(d.url + '/account');
    await expectNoAxeViolations(page);
  });

  it('five wrong passwords show when the lock ends', async () => {
    const page = await b.page();
    for (let i = 0; i < 5; i++) await logIn(page, d.url, 'kunci', `salah ${i} sekali`);
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toMatch(/dikunci sampai .+ WIB/);
  });

  it('a POST without the CSRF token is refused with a page saying to reload', async () => {
    const page = await b.page();
    await logIn(page, d.url, 'sari', PW);
    // A form a hostile page could submit: same fields, no token.
    await page.locator('input[name="_csrf"]').evaluateAll((inputs) => inputs.forEach((e) => e.remove()));
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.waitForLoadState('load');
    const text = await page.locator('main').textContent();
    expect(text).toContain('Muat ulang halaman');
    await expectNoAxeViolations(page);
    // Still logged in: nothing happened.
    await page.goto(d.url + '/');
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('the language switch changes the page and the account remembers it', async () => {
    const page = await b.page();
    await logIn(page, d.url, 'budi', PW);
    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForLoadState('load');
    await expect(page.getByRole('button', { name: 'Log out' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(d.services.users.byActorId('user:budi')?.language).toBe('en');
    // A new browser (no lang cookie) gets the account's language after login.
    const other = await b.page();
    await logIn(other, d.url, 'budi', PW);
    expect(await other.locator('html').getAttribute('lang')).toBe('en');
    await other.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await other.waitForLoadState('load');
    expect(await other.locator('html').getAttribute('lang')).toBe('id');
  });
});
