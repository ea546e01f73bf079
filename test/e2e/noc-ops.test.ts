// A NOC operator in Chromium on a lab-mode daemon (simulated routers and switches): sees the
// backbone, reads a router's plan and applies it after the confirmation, works the block lists
// (a refused entry, a list upload with its report) and revokes an office's exception with a
// reason; axe on every page of this area, error states included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { systemActor } from '../../src/auth/actor.js';
import { startLabDaemon, type LabDaemon } from '../integration/web/noc-lab.js';
import { browserMissing, launchBrowser, logIn, type TestBrowser } from './browser.js';
import { expectNoAxeViolations } from './axe.js';

const PW = 'kata sandi yang panjang';
const T = 120_000;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(browserMissing)(`NOC operations pages in Chromium${browserMissing ? ` (skipped: ${browserMissing})` : ''}`, () => {
  let d: LabDaemon;
  let b: TestBrowser;
  let page: Page;
  let excId: number;
  const json = async (path: string, body?: unknown, token?: string) =>
    (
      await fetch(d.url + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token ?? ''}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    ).json() as Promise<Json>;
  const api = async (path: string, body?: unknown) => (await d.api(path, body === undefined ? {} : { method: 'POST', json: body })).json() as Promise<Json>;
  /** Clicks and waits for the page it leads to (a form post answered by a redirect or a page). */
  const go = (p: Promise<void>) => Promise.all([page.waitForLoadState('load'), p]);
  const nav = (name: string) => page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name, exact: true });

  beforeAll(async () => {
    d = await startLabDaemon({ routeros: { autoApply: false }, grafana: { url: 'https://grafana.example.go.id' } });
    await d.services.users.create(systemActor('test'), { username: 'sari', displayName: 'Sari (NOC)', role: 'noc-operator', password: PW });
    expect(
      (
        await d.api('/api/v1/blocklists/judi/import?source=national', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'judi.example\nslot.example\n',
        })
      ).status,
    ).toBe(200);
    const dinkes = (await api('/api/v1/tokens', { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' })).token as string;
    const until = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const filed = await json('/api/v1/requests', { type: 'unblock', domain: 'judi.example', duty: 'pengawasan', justification: 'laporan', until }, dinkes);
    excId = (await api(`/api/v1/requests/${filed.id}/approve`, {})).result.exception.id as number;
    const judged = async () =>
      ((await api('/api/v1/routers/dinkes-rtr01')).state as string) !== 'unknown' &&
      ((await api('/api/v1/routers/dinkes-rtr01')).state as string) !== 'syncing';
    for (let i = 0; i < 600 && !(await judged()); i++) await new Promise((r) => setTimeout(r, 200));
    b = await launchBrowser();
    page = await b.page();
    page.on('dialog', (dialog) => void dialog.accept());
    await logIn(page, d.url, 'sari', PW);
  }, T);
  afterAll(async () => {
    await b?.close();
    await d?.stop();
  });

  it(
    'sees every backbone link with its status and utilization, and the Grafana panel link',
    async () => {
      await go(nav('Backbone').click());
      expect(new URL(page.url()).pathname).toBe('/noc/backbone');
      const links = (await api('/api/v1/backbone')) as unknown as Json[];
      await expect(page.locator('tbody tr').count()).resolves.toBe(links.length);
      await expect(page.getByRole('link', { name: 'Buka dasbor backbone di Grafana' }).getAttribute('href')).resolves.toBe(
        'https://grafana.example.go.id/d/simpul-backbone/simpul-backbone',
      );
      await expect(page.getByRole('link', { name: 'Panel Grafana untuk bb-dinkes' }).count()).resolves.toBe(1);
      await expectNoAxeViolations(page);
    },
    T,
  );

  it(
    "reads a router's plan in words and applies it after the confirmation",
    async () => {
      await go(nav('Router').click());
      expect(new URL(page.url()).pathname).toBe('/noc/routers');
      await expectNoAxeViolations(page);
      await go(page.getByRole('link', { name: 'dinkes-rtr01', exact: true }).click());
      const plan = page.locator('#h-plan').locator('..');
      await expect(plan.textContent()).resolves.toMatch(/Ditambah \d+, diubah \d+, dihapus \d+, dipindah \d+/);
      await expect(plan.textContent()).resolves.toContain('slot.example');
      await expectNoAxeViolations(page);
      await go(page.getByRole('button', { name: 'Terapkan ke router' }).click());
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Rencana diterapkan ke router');
      await expect(plan.textContent()).resolves.toContain('Router sudah sesuai');
      expect((await api('/api/v1/routers/dinkes-rtr01')).state).toBe('in-sync');
      await expectNoAxeViolations(page);
    },
    T,
  );

  it(
    'works a block list: a refused entry said next to its field, a list upload and its report',
    async () => {
      await go(nav('Daftar blokir').click());
      await expectNoAxeViolations(page);
      await go(page.getByRole('link', { name: 'lainnya', exact: true }).click());
      await expectNoAxeViolations(page);
      await page.getByLabel('Domain, alamat IP atau prefiks').fill('portal.sungailestarikab.go.id');
      await go(page.getByRole('button', { name: 'Tambahkan' }).click());
      await expect(page.locator('#f-value-err').textContent()).resolves.toContain('Domain pemerintah daerah sendiri');
      await expectNoAxeViolations(page);
      await page.locator('#f-source').fill('feed-e2e');
      await page
        .locator('#f-file')
        .setInputFiles({ name: 'daftar.txt', mimeType: 'text/plain', buffer: Buffer.from('iklan.example\nbad..name\n<script>alert(1)</script>\n') });
      // With JavaScript the upload goes through XHR (progress bar) and the report replaces the page.
      await page.getByRole('button', { name: 'Unggah' }).click();
      await page.getByRole('heading', { name: 'Laporan unggahan' }).waitFor({ timeout: 60_000 });
      await expect(page.locator('dl.facts').textContent()).resolves.toMatch(/Baris\s*3/);
      // the script's path: the report replaced the category page in place (a plain post would be at .../import)
      expect(new URL(page.url()).pathname).not.toMatch(/\/import$/);
      await expect(page.locator('table tbody tr').count()).resolves.toBe(2); // the two invalid lines, listed
      await expectNoAxeViolations(page);
      const entries = (await api('/api/v1/blocklists/lainnya/entries?source=feed-e2e')).entries as Json[];
      expect(entries.map((e) => e.value)).toEqual(['iklan.example']);
    },
    T,
  );

  it(
    "revokes an office's exception: the reason is required, then it is revoked and shown",
    async () => {
      await go(nav('Daftar blokir').click());
      await go(page.getByRole('link', { name: /Pengecualian \(buka blokir\)/ }).click());
      expect(new URL(page.url()).pathname).toBe('/noc/exceptions');
      await expectNoAxeViolations(page);
      const form = page.locator(`form[action="/noc/exceptions/${excId}/revoke"]`);
      await go(form.getByRole('button', { name: 'Cabut pengecualian' }).click());
      await expect(page.locator(`#reason-${excId}-err`).textContent()).resolves.toContain('Wajib diisi');
      await expectNoAxeViolations(page);
      await page.locator(`#reason-${excId}`).fill('Tugas pemantauan sudah selesai <b>lebih awal</b>');
      await go(page.locator(`form[action="/noc/exceptions/${excId}/revoke"]`).getByRole('button', { name: 'Cabut pengecualian' }).click());
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Pengecualian dicabut');
      await expect(page.locator('main').textContent()).resolves.toContain('Tugas pemantauan sudah selesai <b>lebih awal</b>');
      await expectNoAxeViolations(page);
      const exc = ((await api('/api/v1/exceptions?opd=DINKES')).exceptions as Json[]).find((e) => e.id === excId)!;
      expect(exc).toMatchObject({ state: 'revoked', revokedBy: 'user:sari', revokeReason: 'Tugas pemantauan sudah selesai <b>lebih awal</b>' });
    },
    T,
  );
});
