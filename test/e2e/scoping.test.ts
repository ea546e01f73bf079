// An OPD admin in a real browser reaches no page or object of another office, nor any NOC page:
// another office's request, diagram and its versions answer the "does not exist" page (404, so ids
// are not confirmed), NOC pages are refused, the navigation offers none of them, and lists show
// only the office's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/auth/actor.js';
import { ROOT, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { expectNoAxeViolations } from './axe.js';
import { browserMissing, launchBrowser, logIn, type TestBrowser } from './browser.js';

const PW = 'kata sandi yang panjang';
const NOC_PAGES = [
  '/noc/requests',
  '/noc/ipam',
  '/noc/audit',
  '/noc/users',
  '/noc/compliance',
  '/noc/blocklists',
  '/noc/routers',
  '/noc/backbone',
  '/noc/exceptions',
];

describe.skipIf(browserMissing)(`office scoping in Chromium${browserMissing ? ` (skipped: ${browserMissing})` : ''}`, () => {
  let d: TestDaemon;
  let b: TestBrowser;
  let foreignRequest: number;
  let ownRequest: number;

  beforeAll(async () => {
    d = await startTestDaemon({ config: { log: { level: 'warn' } } });
    const admin = systemActor('test');
    await d.services.users.create(admin, { username: 'budi', displayName: 'Budi Santoso', role: 'opd-admin', opd: 'DINKES', password: PW });
    foreignRequest = d.services.requests.file(admin, {
      type: 'ip-block',
      opd: 'BAPPEDA',
      prefixLength: 28,
      purpose: 'Ruang rahasia BAPPEDA',
      justification: 'x',
    }).id;
    ownRequest = d.services.requests.file(admin, { type: 'ip-block', opd: 'DINKES', prefixLength: 28, purpose: 'Ruang DINKES', justification: 'x' }).id;
    const up = await d.api('/api/v1/opds/BAPPEDA/diagrams', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: readFileSync(join(ROOT, 'topology', 'BAPPEDA.drawio')),
    });
    expect(up.status).toBe(201);
    b = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await b?.close();
    await d?.stop();
  });

  it("another office's request and diagram are not found; NOC pages are refused; nothing of theirs shows", async () => {
    const page = await b.page();
    await logIn(page, d.url, 'budi', PW);
    const nav = (await page.locator('header nav').textContent()) ?? '';
    expect(nav).not.toMatch(/Antrean|IPAM|audit|Pengguna|Kepatuhan|Backbone|Router|Daftar blokir/);
    expect(nav).toContain('Permohonan');

    for (const path of [`/requests/${foreignRequest}`, '/diagrams/BAPPEDA', '/diagrams/BAPPEDA/versions/1', '/diagrams/BAPPEDA/versions/1/picture.svg']) {
      const res = await page.goto(d.url + path);
      expect(res?.status(), path).toBe(404);
      expect(await page.content(), path).not.toContain('bappeda-rtr01');
    }
    await expectNoAxeViolations(page);

    for (const path of NOC_PAGES) {
      const res = await page.goto(d.url + path);
      expect([403, 404], path).toContain(res?.status());
    }
    await expectNoAxeViolations(page);

    const list = await page.goto(d.url + '/requests');
    expect(list?.status()).toBe(200);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('Ruang rahasia BAPPEDA');
    expect(await page.locator(`a[href="/requests/${ownRequest}"]`).count()).toBeGreaterThan(0);
    expect(await page.locator(`a[href="/requests/${foreignRequest}"]`).count()).toBe(0);
  });

  it("a form posted against another office's request changes nothing", async () => {
    const page = await b.page();
    await logIn(page, d.url, 'budi', PW);
    await page.goto(`${d.url}/requests/${ownRequest}`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const res = await page.request.post(`${d.url}/requests/${foreignRequest}/cancel`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(res.status()).toBe(404);
    expect(d.services.requests.get(systemActor('test'), foreignRequest).state).toBe('pending');
  });
});
