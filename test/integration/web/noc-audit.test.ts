// The audit log page: filters, pages, the person or token named next to the id the chain keeps,
// the chain check (intact, then broken by a direct edit of the file), and who may see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { type CookieJar, loginAs, page, textOf } from './browserless.js';

let d: TestDaemon;
const PW = 'kata-sandi-yang-panjang';
const jars: Record<string, CookieJar> = {};
let tokenId: string;

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' } } });
  const sys = systemActor('test');
  for (const [username, displayName, role, opd] of [
    ['sari', 'Sari Wulandari', 'noc-operator'],
    ['lihat', 'Pemantau', 'viewer'],
    ['budi', 'Budi', 'opd-admin', 'DINKES'],
  ] as const) {
    await d.services.users.create(sys, { username, displayName, role, opd, password: PW });
    jars[username] = await loginAs(d, username, PW);
  }
  const t = (await (await d.api('/api/v1/tokens', { method: 'POST', json: { name: 'Skrip <cadangan>', role: 'noc-operator' } })).json()) as {
    id: string;
    token: string;
  };
  tokenId = t.id;
  expect(
    (await d.api('/api/v1/pools', { method: 'POST', token: t.token, json: { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' } })).status,
  ).toBe(201);
  for (let i = 0; i < 60; i++) d.services.tokens.create(sys, { name: `mesin ${i}`, role: 'viewer' });
}, 60_000);
afterAll(() => d?.stop());

const rows = (html: string) => [...html.matchAll(/<th scope="row">(\d+)<\/th>/g)].map((m) => Number(m[1]));

describe('audit log page', () => {
  it('names the person and the token next to their ids, newest first, 50 a page', async () => {
    const { res, html } = await page(d, jars.lihat!, '/noc/audit');
    expect(res.status).toBe(200);
    const seqs = rows(html);
    expect(seqs).toHaveLength(50);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const older = /href="(\/noc\/audit\?before=\d+)"/.exec(html)![1]!;
    const next = await page(d, jars.lihat!, older);
    expect(rows(next.html)[0]).toBe(seqs.at(-1)! - 1);
    const pools = await page(d, jars.lihat!, '/noc/audit?objectType=pool');
    expect(rows(pools.html)).toHaveLength(1);
    const text = textOf(pools.html);
    expect(text).toContain('Skrip &lt;cadangan&gt;');
    expect(pools.html).not.toContain('Skrip <cadangan>');
    expect(text).toContain(tokenId);
    const logins = await page(d, jars.lihat!, '/noc/audit?actor=sari&action=user.login');
    expect(rows(logins.html)).toHaveLength(1);
    expect(textOf(logins.html)).toContain('Sari Wulandari');
    expect(textOf(logins.html)).toContain('user:sari');
  });

  it('filters by days in the regency zone and carries the filters to the next page', async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(rows((await page(d, jars.lihat!, '/noc/audit?since=2099-01-01')).html)).toHaveLength(0);
    expect(rows((await page(d, jars.lihat!, '/noc/audit?until=2000-01-01')).html)).toHaveLength(0);
    const tokens = await page(d, jars.lihat!, `/noc/audit?objectType=token&since=2000-01-01&until=2099-12-31&x=${today}`);
    expect(rows(tokens.html)).toHaveLength(50);
    expect(tokens.html).toMatch(/href="\/noc\/audit\?objectType=token&amp;since=2000-01-01&amp;until=2099-12-31&amp;before=\d+"/);
  });

  it('bad filters: every field error at once, escaped, a 400 page and no 500', async () => {
    const r = await page(
      d,
      jars.lihat!,
      `/noc/audit?since=2026-02-30&until=kemarin&objectType=${encodeURIComponent('<script>')}&action=${encodeURIComponent('"onmouseover=')}`,
    );
    expect(r.res.status).toBe(400);
    expect(r.html.match(/class="field-error"/g)).toHaveLength(4);
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('"onmouseover=');
    const weird = await page(d, jars.lihat!, `/noc/audit?objectId=${encodeURIComponent('<img src=x onerror=alert(1)>')}&before=abc`);
    expect(weird.res.status).toBe(200);
    expect(weird.html).not.toContain('<img src=x');
    expect((await page(d, jars.lihat!, `/noc/audit?objectId=${encodeURIComponent('a\u0000b')}`)).res.status).toBe(400);
    expect((await page(d, jars.lihat!, `/noc/audit?actor=${'x'.repeat(5000)}`)).res.status).toBe(400);
  });

  it('an opd-admin gets the not-found page; a viewer may not run the check', async () => {
    expect((await page(d, jars.budi!, '/noc/audit')).res.status).toBe(404);
    expect((await page(d, jars.budi!, '/noc/audit/verify')).res.status).toBe(404);
    expect((await page(d, jars.lihat!, '/noc/audit')).html).not.toContain('action="/noc/audit/verify"');
    expect((await page(d, jars.lihat!, '/noc/audit/verify')).res.status).toBe(403);
  });

  it('the chain check says intact, and names the entry edited behind its back', async () => {
    const ok = await page(d, jars.sari!, '/noc/audit/verify');
    expect(ok.res.status).toBe(200);
    expect(textOf(ok.html)).toMatch(/Rantai utuh: \d+ catatan diperiksa/);
    const seq = d.services.audit.list(systemActor('test'), { objectType: 'pool' })[0]!.seq;
    d.services.store.db.prepare("UPDATE audit_log SET action = 'ipam.pool.nothing' WHERE seq = ?").run(seq);
    const broken = await page(d, jars.sari!, '/noc/audit/verify');
    expect(broken.res.status).toBe(200);
    expect(textOf(broken.html)).toContain(`Rantai rusak pada catatan nomor ${seq}`);
  });
});
