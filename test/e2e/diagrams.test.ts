// An office admin uploads the BAPPEDA example diagram in Chromium and reads its findings; the
// label check, survey and the NOC's compliance table in the same browser; axe on every page.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/actor.js';
import { ROOT, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { browserMissing, launchBrowser, logIn, type TestBrowser } from './browser.js';
import { expectNoAxeViolations } from './axe.js';

const PW = 'kata sandi yang panjang';
const WAIT = { timeout: 60_000 };

describe.skipIf(browserMissing)(`LAN diagrams in Chromium${browserMissing ? ` (skipped: ${browserMissing})` : ''}`, () => {
  let d: TestDaemon;
  let b: TestBrowser;

  beforeAll(async () => {
    d = await startTestDaemon({ config: { log: { level: 'warn' } } });
    const admin = systemActor('test');
    await d.services.users.create(admin, { username: 'rina', displayName: 'Rina Lestari', role: 'opd-admin', opd: 'BAPPEDA', password: PW });
    await d.services.users.create(admin, { username: 'sari', displayName: 'Sari', role: 'noc-operator', password: PW });
    b = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await d?.stop();
  });

  it('the BAPPEDA admin uploads the example diagram and sees its findings beside the picture', async () => {
    const page = await b.page({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(60_000);
    await logIn(page, d.url, 'rina', PW);
    await page.getByRole('link', { name: 'Diagram LAN' }).click();
    await page.waitForURL(/\/diagrams\/BAPPEDA$/, WAIT);
    await expectNoAxeViolations(page);

    await page.getByLabel('Berkas diagram').setInputFiles(join(ROOT, 'topology', 'BAPPEDA.drawio'));
    await Promise.all([
      page.waitForURL(/\/diagrams\/BAPPEDA\/versions\/1\?done=uploaded$/, WAIT),
      page.getByRole('button', { name: 'Unggah dan periksa' }).click(),
    ]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Diagram tersimpan sebagai versi baru');
    const findings = page.locator('ol.findings > li');
    expect(await findings.count()).toBeGreaterThan(0);
    const first = await findings.first().textContent();
    expect(first).toMatch(/^(Kesalahan|Peringatan|Info):/);
    // The picture is drawn (the CSP allowed it) and marks the same numbers as the list.
    const svg = page.locator('.diagram-picture svg');
    await expect(svg.getAttribute('role')).resolves.toBe('img');
    expect(await svg.locator('text', { hasText: /^! 1\b/ }).count()).toBeGreaterThan(0);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    await expectNoAxeViolations(page);
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'docs', 'diagram-report.png'), fullPage: true });

    // The same file again: the stored version is shown, and the page says so.
    await page.goto(`${d.url}/diagrams/BAPPEDA`);
    await page
      .getByLabel('Berkas diagram')
      .setInputFiles({ name: 'BAPPEDA.drawio', mimeType: 'application/octet-stream', buffer: readFileSync(join(ROOT, 'topology', 'BAPPEDA.drawio')) });
    await Promise.all([page.waitForURL(/done=unchanged$/, WAIT), page.getByRole('button', { name: 'Unggah dan periksa' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('sama persis dengan versi 1');

    // Withdrawal asks first, on a page of its own.
    await page.getByRole('link', { name: 'Tarik versi ini (salah unggah)' }).click();
    await page.waitForURL(/\/withdraw$/, WAIT);
    await expectNoAxeViolations(page);
    await Promise.all([page.waitForURL(/done=withdrawn$/, WAIT), page.getByRole('button', { name: 'Ya, tarik versi 1' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Versi terakhir sudah ditarik');
    await expectNoAxeViolations(page);

    // Another office's diagram page is not found.
    const other = await page.goto(`${d.url}/diagrams/DINKES`);
    expect(other?.status()).toBe(404);
  }, 180_000);

  it('pasted labels get a verdict each, and the page passes axe', async () => {
    const page = await b.page();
    page.setDefaultTimeout(60_000);
    await logIn(page, d.url, 'rina', PW);
    await page.goto(`${d.url}/labels`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Label, satu per baris').fill('BAPPEDA.L1R01.SW01:2/BAPPEDA.L2R05.AP02:ether1\nBAPPEDA-SW01-24');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Periksa label' }).click()]);
    await expect(page.locator('#h-result').textContent()).resolves.toMatch(/Hasil: \d dari 2 label benar/);
    await expect(page.locator('td.verdict-error').first().textContent()).resolves.toBe('Salah');
    await expectNoAxeViolations(page);
  }, 120_000);

  it('the NOC uploads a cable survey and reads the compliance table', async () => {
    const page = await b.page();
    page.setDefaultTimeout(60_000);
    await logIn(page, d.url, 'sari', PW);
    await page.goto(`${d.url}/labels`);
    await page.getByLabel('Kantor (OPD)').last().selectOption('DINKES');
    await page.getByLabel('Berkas survei').setInputFiles(join(ROOT, 'topology', 'DINKES-survey.csv'));
    await Promise.all([page.waitForURL(/\/labels\/surveys\/DINKES\/\d+$/, WAIT), page.getByRole('button', { name: 'Unggah dan periksa' }).click()]);
    await expect(page.locator('h1').textContent()).resolves.toContain('Survei kabel DINKES');
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Kepatuhan' }).click();
    await page.waitForURL(/\/noc\/compliance$/, WAIT);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(3);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: /^OPD/ }).click();
    await page.waitForURL(/sort=opd&dir=asc$/, WAIT);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Diagram BAPPEDA' }).click();
    await page.waitForURL(/\/diagrams\/BAPPEDA$/, WAIT);
    await expect(page.locator('h1').textContent()).resolves.toContain('Diagram LAN');
  }, 120_000);
});
