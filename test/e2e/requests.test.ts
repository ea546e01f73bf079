// The request workflow in Chromium, both tiers: an OPD admin files, the NOC decides in its queue,
// the office sees the result. axe on every request page; the README's screenshots come from here.
import { mkdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/actor.js';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { ADMIN, ROOT, tempDir, testConfig } from '../helpers/daemon.js';
import { expectNoAxeViolations } from './axe.js';
import { browserMissing, launchBrowser, logIn, type TestBrowser } from './browser.js';

const PW = 'kata sandi yang panjang';
const XSS = `"><script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">`;
const DOCS = join(ROOT, 'docs');
/** A day `days` from now as a date input takes it. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const LONG = 120_000;
/** A whole flow on a loaded machine. */
const FLOW = 600_000;

/** Clicks a submit button and waits for the page it leads to. */
async function submit(page: Page, name: RegExp | string, scope: Page | ReturnType<Page['locator']> = page): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation({ timeout: LONG }), scope.getByRole('button', { name }).click()]);
}

describe.skipIf(browserMissing)(`requests in Chromium${browserMissing ? ` (skipped: ${browserMissing})` : ''}`, () => {
  let d: Daemon;
  let cleanup: () => void;
  let b: TestBrowser;
  let office: Page;
  let noc: Page;

  beforeAll(async () => {
    // Lab mode: simulated routers and switches answer, so the office's backbone link has a status and a load.
    // `lab` is a mode set on the loaded config, not a config file key.
    const tmp = tempDir('simpul-e2e-requests-');
    cleanup = tmp.cleanup;
    const config = testConfig(tmp.dir, { log: { level: 'warn' } });
    config.lab = true;
    d = await startDaemon(config, { logStream: new PassThrough() });
    const admin = systemActor('test');
    await d.services.users.create(admin, { username: 'budi', displayName: 'Budi Santoso', role: 'opd-admin', opd: 'DINKES', password: PW });
    await d.services.users.create(admin, { username: 'sari', displayName: 'Sari Rahayu', role: 'noc-operator', password: PW });
    if (!d.services.ipam.listPools(admin).some((p) => p.role === 'opd-lan' && p.family === 4))
      d.services.ipam.createPool(admin, { name: 'lan-opd', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' });
    const r = await fetch(d.url + '/api/v1/blocklists/judi/import?source=national', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'text/plain' },
      body: 'judi.example\n*.slot.example\n',
    });
    expect(r.status).toBe(200);
    mkdirSync(DOCS, { recursive: true });
    b = await launchBrowser();
    office = await b.page({ viewport: { width: 1280, height: 900 } });
    noc = await b.page({ viewport: { width: 1280, height: 900 } });
    for (const p of [office, noc]) {
      p.setDefaultTimeout(LONG);
      p.setDefaultNavigationTimeout(LONG);
      // An injected script would open a dialog or change the title; neither may happen.
      p.on('dialog', (dlg) => {
        throw new Error(`a dialog opened: ${dlg.message()}`);
      });
    }
    await logIn(office, d.url, 'budi', PW);
    await logIn(noc, d.url, 'sari', PW);
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await d?.close();
    cleanup?.();
  }, FLOW);

  it(
    'an office files an IP-block request, the NOC approves it in its queue, the office sees the block',
    async () => {
      await office.goto(d.url + '/');
      await expectNoAxeViolations(office);
      await office.getByRole('button', { name: 'Minta blok IP' }).click();
      await office.waitForURL(/\/requests\/new\/ip-block$/);
      await expectNoAxeViolations(office);

      await office.getByLabel('Jumlah perangkat').fill('28');
      await office.getByLabel('Keperluan').fill('LAN ruang pelayanan lantai 2');
      await office.getByLabel('Alasan').fill('Gedung pelayanan baru: 25 pegawai, 3 printer jaringan');
      await submit(office, 'Hitung ukuran');
      await expect(office.getByRole('status').textContent()).resolves.toContain('/27, 30 alamat');
      await expectNoAxeViolations(office);
      await office.screenshot({ path: join(DOCS, 'request-form.png'), fullPage: true });

      await submit(office, 'Kirim permohonan');
      expect(office.url()).toMatch(/\/requests\/\d+\?ok=requestFiled$/);
      const id = Number(/\/requests\/(\d+)/.exec(office.url())![1]);
      await expect(office.locator('main').textContent()).resolves.toContain('Menunggu');
      await expectNoAxeViolations(office);

      await noc.goto(d.url + '/noc/requests');
      const card = noc.locator(`#request-${id}`);
      await expect(card.textContent()).resolves.toContain('Budi Santoso');
      await expectNoAxeViolations(noc);
      await noc.screenshot({ path: join(DOCS, 'noc-queue.png'), fullPage: true });

      await card.getByLabel('Cara memilih blok').selectOption('best-fit');
      await submit(noc, 'Setujui', card);
      await expect(noc.getByRole('status').first().textContent()).resolves.toContain('Permohonan disetujui');

      await office.goto(`${d.url}/requests/${id}`);
      const result = await office.locator('.outcome').textContent();
      expect(result).toMatch(/Blok IP untuk kantor Anda:\s*10\.\d+\.\d+\.\d+\/27/);
      expect(result).toContain('Disetujui oleh Sari Rahayu');
      await expect(office.locator('.steps').textContent()).resolves.toContain('oleh Sari Rahayu');

      await office.goto(d.url + '/');
      await expect(office.locator('#h-blocks + table').textContent()).resolves.toMatch(/\/27/);
      await expectNoAxeViolations(office);
      await office.screenshot({ path: join(DOCS, 'opd-home.png'), fullPage: true });
    },
    FLOW,
  );

  it(
    'an XSS string filed in a justification shows as text on the NOC queue',
    async () => {
      await office.goto(d.url + '/requests/new/ip-block');
      await office.getByLabel('Jumlah perangkat').fill('3');
      await office.getByLabel('Keperluan').fill(XSS);
      await office.getByLabel('Alasan').fill(XSS);
      await submit(office, 'Kirim permohonan');
      const id = Number(/\/requests\/(\d+)/.exec(office.url())![1]);
      expect(await office.title()).not.toBe('pwned');

      await noc.goto(d.url + '/noc/requests');
      const card = noc.locator(`#request-${id}`);
      await expect(card.locator('dd.typed').last().textContent()).resolves.toBe(XSS);
      expect(await noc.title()).not.toBe('pwned');
      expect(await card.locator('img, script').count()).toBe(0);
      await card.getByLabel(/^Alasan penolakan/).fill('Isi keperluan dan alasan dengan kata-kata biasa.');
      await submit(noc, 'Tolak', card);
      await expect(noc.getByRole('status').first().textContent()).resolves.toContain('Permohonan ditolak');
      await office.goto(`${d.url}/requests/${id}`);
      await expect(office.locator('.outcome').textContent()).resolves.toContain('Isi keperluan dan alasan dengan kata-kata biasa.');
      expect(await office.title()).not.toBe('pwned');
      await expectNoAxeViolations(office);
    },
    FLOW,
  );

  it(
    'an office checks a site, files an unblock request with an end date, the NOC shortens it, the office sees until when',
    async () => {
      await office.goto(d.url + '/requests/new/unblock');
      await office.getByRole('search').getByLabel('Situs').fill('judi.example');
      await submit(office, 'Periksa');
      await expect(office.locator('.check-answer').textContent()).resolves.toContain('judi.example diblokir untuk DINKES');
      await expectNoAxeViolations(office);

      const form = office.locator('form[method="post"][action="/requests/new/unblock"]');
      await form.getByLabel(/^Situs/).fill('judi.example');
      await form.getByLabel('Tugas yang memerlukan situs ini').fill('Pengawasan konten judi daring');
      await form.getByLabel('Alasan').fill('Bahan laporan bulanan ke Bupati');
      await form.getByLabel('Dibuka sampai tanggal').fill(day(30));
      await submit(office, 'Kirim permohonan', form);
      expect(office.url()).toMatch(/\/requests\/\d+\?ok=requestFiled$/);
      const id = Number(/\/requests\/(\d+)/.exec(office.url())![1]);

      await noc.goto(d.url + '/noc/requests');
      const card = noc.locator(`#request-${id}`);
      await card.getByLabel('Akhiri lebih cepat (opsional)').fill(day(7));
      await submit(noc, 'Setujui', card);
      await expect(noc.getByRole('status').first().textContent()).resolves.toContain('Permohonan disetujui');

      await office.goto(`${d.url}/requests/${id}`);
      const result = await office.locator('.outcome').textContent();
      expect(result).toMatch(/judi\.example dibuka untuk kantor Anda sampai\s*\d+ \S+ \d{4}/);
      await expectNoAxeViolations(office);
      await office.goto(d.url + '/requests');
      await expectNoAxeViolations(office);
    },
    FLOW,
  );

  it(
    'the NOC approves several at once and sees each outcome',
    async () => {
      const ids: number[] = [];
      for (const n of ['5', '12']) {
        await office.goto(d.url + '/requests/new/ip-block');
        await office.getByLabel('Jumlah perangkat').fill(n);
        await office.getByLabel('Keperluan').fill(`LAN ${n}`);
        await office.getByLabel('Alasan').fill('perangkat baru');
        await submit(office, 'Kirim permohonan');
        ids.push(Number(/\/requests\/(\d+)/.exec(office.url())![1]));
      }
      await noc.goto(d.url + '/noc/requests');
      for (const id of ids) await noc.getByLabel(`Pilih #${id}`).check();
      await submit(noc, 'Setujui yang dicentang');
      const outcomes = await noc.locator('.outcomes').textContent();
      for (const id of ids) expect(outcomes).toMatch(new RegExp(`#${id}\\s*: disetujui; blok 10\\.`));
      await expectNoAxeViolations(noc);
      await noc.goto(`${d.url}/requests/${ids[0]}`);
      await expectNoAxeViolations(noc);
    },
    FLOW,
  );
});
