// The NOC's backbone page: on a lab-mode daemon (simulated SNMP switches and routers polled over
// real UDP) every link of the API shows with its status, traffic, utilization against its
// contract and errors, linked to its Grafana panel when grafana.url is set; without the key no
// link is drawn; an office admin finds no such page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { startLabDaemon, type LabDaemon } from './noc-lab.js';
import { type CookieJar, loginAs, page, textOf } from './browserless.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let lab: LabDaemon;
let plain: TestDaemon;
let noc: CookieJar, office: CookieJar, plainNoc: CookieJar;
const PASSWORD = 'kata-sandi-yang-panjang';
const GRAFANA = 'https://grafana.example.go.id/';

async function people(d: { services: LabDaemon['services'] }) {
  const admin = systemActor('test');
  await d.services.users.create(admin, { username: 'sari', displayName: 'Sari (NOC)', role: 'noc-operator', password: PASSWORD, language: 'en' });
  await d.services.users.create(admin, { username: 'budi', displayName: 'Budi', role: 'opd-admin', opd: 'DINKES', password: PASSWORD });
}

beforeAll(async () => {
  [lab, plain] = await Promise.all([
    startLabDaemon({ grafana: { url: GRAFANA }, snmp: { intervalSeconds: 2 } }),
    startTestDaemon({ config: { log: { level: 'warn' } } }),
  ]);
  await Promise.all([people(lab), people(plain)]);
  [noc, office, plainNoc] = [await loginAs(lab, 'sari', PASSWORD), await loginAs(lab, 'budi', PASSWORD), await loginAs(plain, 'sari', PASSWORD)];
  // polled twice at least: rates and utilization exist for the links whose ends answer
  const measured = async () => ((await (await lab.api('/api/v1/backbone')).json()) as Json[]).some((l) => l.utilization !== null);
  for (let i = 0; i < 600 && !(await measured()); i++) await new Promise((r) => setTimeout(r, 200));
}, 180_000);
afterAll(async () => {
  await lab?.stop();
  await plain?.stop();
});

describe('backbone page', () => {
  it('shows every link of the API with status, in/out, utilization against its contract and errors', async () => {
    const links = (await (await lab.api('/api/v1/backbone')).json()) as Json[];
    expect(links.length).toBeGreaterThan(3);
    const p = await page(lab, noc, '/noc/backbone');
    expect(p.res.status).toBe(200);
    const text = textOf(p.html);
    for (const l of links) expect(p.html).toContain(`<th scope="row">${l.id}<br>`);
    expect(text).toContain(`${links.length} backbone links`);
    const measured = links.find((l) => l.utilization !== null)!;
    expect(measured).toBeDefined();
    // the meter carries the same ratio as the API, capped at a full bar
    expect(p.html).toContain(`value="${Math.min(measured.utilization, 1)}" aria-label="Utilization of ${measured.id}"`);
    expect(text).toMatch(/contract 10 Gbit\/s/);
    expect(text).toMatch(/contract 200 Mbit\/s/);
    expect(text).toMatch(/\d[\d.,]* (bit|kbit|Mbit|Gbit)\/s/);
    for (const st of new Set(links.map((l) => l.status as string))) expect(text).toContain({ up: 'Up', down: 'Down', unknown: 'Not known yet' }[st]!);
    expect(text).toMatch(/Errors/);
  });

  it("links each link to its office's Grafana panel and the dashboard, built from grafana.url", async () => {
    const p = await page(lab, noc, '/noc/backbone');
    expect(p.html).toContain('href="https://grafana.example.go.id/d/simpul-backbone/simpul-backbone"');
    expect(p.html).toContain('href="https://grafana.example.go.id/d/simpul-backbone/simpul-backbone?var-opd=DINKES&amp;viewPanel=5"');
    expect(p.html).toContain('aria-label="Grafana panel for bb-dinkes"');
  });

  it('draws no Grafana link when grafana.url is unset, and links not polled show as not known', async () => {
    const p = await page(plain, plainNoc, '/noc/backbone');
    expect(p.res.status).toBe(200);
    expect(p.html).not.toContain('grafana');
    expect(p.html).not.toContain('viewPanel');
    expect(textOf(p.html)).toContain('Not known yet');
  });

  it('on a daemon without the SNMP and router modules the pages say so with a 503 page, not a crash', async () => {
    const bare = await startTestDaemon({ modules: [], config: { log: { level: 'warn' } } });
    try {
      await people(bare);
      const jar = await loginAs(bare, 'sari', PASSWORD);
      for (const path of ['/noc/backbone', '/noc/routers', '/noc/blocklists']) {
        const p = await page(bare, jar, path);
        expect(p.res.status, path).toBe(503);
        expect(textOf(p.html), path).toContain('does not run on this daemon');
      }
    } finally {
      await bare.stop();
    }
  });

  it('an office admin finds no backbone page', async () => {
    expect((await page(lab, office, '/noc/backbone')).res.status).toBe(404);
    expect((await page(lab, office, '/')).html).not.toContain('href="/noc/backbone"');
  });
});
