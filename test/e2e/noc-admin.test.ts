// A noc-admin in Chromium: creates an OPD admin's account (the password shown once), that person
// logs in; the audit log's chain check; the IPAM pages; axe on every NOC page of this area.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { browserMissing, launchBrowser, logIn, type TestBrowser } from './browser.js';
import { expectNoAxeViolations } from './axe.js';

const PW = 'kata sandi yang panjang';
const T = 60_000;

describe.skipIf(browserMissing)(`NOC admin pages in Chromium${browserMissing ? ` (skipped: ${browserMissing})` : ''}`, () => {
  let d: TestDaemon;
  let b: TestBrowser;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    d = await startTestDaemon({ modules: [] });
    await d.services.users.create(systemActor('test'), { username: 'kepala', displayName: 'Kepala NOC', role: 'noc-admin', password: PW });
    const json = async (path: string, body?: unknown, method = 'POST') => (await d.api(path, { method, json: body })).json() as Promise<{ id: number }>;
    ids.pool = (await json('/api/v1/pools', { name: 'lan-kantor', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' })).id;
    ids.prefix = (await json(`/api/v1/pools/${ids.pool}/allocations`, { opd: 'DINKES', purpose: 'LAN kantor', prefixLength: 24 })).id;
    ids.address = (await json(`/api/v1/prefixes/${ids.prefix}/addresses`, { address: '10.20.0.10', hostname: 'pc-01' })).id;
    ids.old = (await json(`/api/v1/pools/${ids.pool}/allocations`, { opd: 'DISDIK', purpose: 'lama', prefixLength: 24 })).id;
    await d.api(`/api/v1/prefixes/${ids.old}`, { method: 'DELETE' });
    b = await launchBrowser();
  }, T);
  afterAll(async () => {
    await b?.close();
    await d?.stop();
  });

  it(
    'creates an OPD admin account; that person logs in with the password shown once',
    async () => {
      const page = await b.page();
      await logIn(page, d.url, 'kepala', PW);
      await page.getByRole('link', { name: 'Pengguna', exact: true }).click();
      await page.waitForURL(/\/noc\/users$/);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Buat akun' }).click();
      await page.waitForURL(/\/noc\/users\/new$/);
      await expectNoAxeViolations(page);

      // First without the office: the error is next to the field, and the page still passes axe.
      await page.getByLabel('Nama pengguna').fill('rina');
      await page.getByLabel('Nama lengkap').fill('Rina Dinkes');
      await page.getByLabel('Peran').selectOption('opd-admin');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Buat akun' }).click()]);
      await expect(page.locator('#f-opd-err').textContent()).resolves.toContain('Admin OPD harus terikat');
      await expectNoAxeViolations(page);

      await page.getByLabel('OPD', { exact: true }).selectOption('DINKES');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Buat akun' }).click()]);
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Akun rina (Rina Dinkes) sudah dibuat');
      const password = await page.locator('#secret').inputValue();
      expect(password.length).toBeGreaterThanOrEqual(10);
      await expectNoAxeViolations(page);

      const rina = await b.page();
      await logIn(rina, d.url, 'rina', password);
      expect(new URL(rina.url()).pathname).toBe('/');
      await expect(rina.locator('header').textContent()).resolves.toContain('Admin OPD · DINKES');
      // Her office's admin does not reach the NOC's pages.
      const res = await rina.goto(`${d.url}/noc/users`);
      expect(res?.status()).toBe(404);

      await page.goto(`${d.url}/noc/tokens/new`);
      await expectNoAxeViolations(page);
    },
    T,
  );

  it(
    'the audit log names who acted, and its chain check says intact',
    async () => {
      const page = await b.page();
      await logIn(page, d.url, 'kepala', PW);
      await page.goto(`${d.url}/noc/audit?objectType=user`);
      await expect(page.locator('main').textContent()).resolves.toContain('Kepala NOC');
      await expectNoAxeViolations(page);
      await Promise.all([page.waitForURL(/\/noc\/audit\/verify\??$/), page.getByRole('button', { name: 'Periksa keutuhan rantai' }).click()]);
      await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/Rantai utuh: \d+ catatan diperiksa/);
      await expectNoAxeViolations(page);
    },
    T,
  );

  it(
    'IPAM: pools, who holds an address, a prefix, an address form, the early release confirmation',
    async () => {
      const page = await b.page();
      await logIn(page, d.url, 'kepala', PW);
      await page.getByRole('link', { name: 'IPAM', exact: true }).click();
      await page.waitForURL(/\/noc\/ipam$/);
      await expectNoAxeViolations(page);
      await page.getByLabel('Alamat IP atau prefiks').fill('10.20.0.10');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Cari' }).click()]);
      await expect(page.locator('main').textContent()).resolves.toContain('10.20.0.10 dipegang oleh DINKES');
      await expectNoAxeViolations(page);
      await page.goto(`${d.url}/noc/ipam/pools/${ids.pool}`);
      await expectNoAxeViolations(page);
      await page.goto(`${d.url}/noc/ipam/prefixes/${ids.prefix}`);
      await expectNoAxeViolations(page);
      await page.goto(`${d.url}/noc/ipam/prefixes/${ids.prefix}/addresses/${ids.address}`);
      await page.getByLabel('Alamat MAC').fill('bukan mac');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Simpan' }).click()]);
      await expect(page.locator('#f-mac-err').textContent()).resolves.toContain('aa:bb:cc:dd:ee:ff');
      await expectNoAxeViolations(page);

      await page.goto(`${d.url}/noc/ipam/prefixes/${ids.old}`);
      await page.getByRole('button', { name: 'Akhiri karantina sekarang' }).click();
      await page.waitForURL(/release-quarantine$/);
      await expectNoAxeViolations(page);
      await Promise.all([page.waitForURL(/done=released/), page.getByRole('button', { name: 'Ya, akhiri karantina' }).click()]);
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Karantina sudah diakhiri');
    },
    T,
  );
});
