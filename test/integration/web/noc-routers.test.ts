// The NOC's router pages on a lab-mode daemon (simulated RouterOS routers over real sockets), with
// autoApply off so changes wait for an operator: each router's sync state and drift, a router's
// plan in words read from it now, apply with CSRF, a router whose desired state is refused, and
// who may see and press what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startLabDaemon, type LabDaemon } from './noc-lab.js';
import { type CookieJar, form, loginAs, page, textOf } from './browserless.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: LabDaemon;
let noc: CookieJar, viewer: CookieJar, office: CookieJar;
const PASSWORD = 'kata-sandi-yang-panjang';
const api = async (path: string, init: { method?: string; json?: unknown } = {}): Promise<Json> => (await d.api(path, init)).json() as Promise<Json>;
const USED = ['dinkes-rtr01', 'rsud-rtr01', 'bappeda-rtr01'];
const routers = async () => (await api('/api/v1/routers')) as unknown as Json[];

beforeAll(async () => {
  d = await startLabDaemon({
    routeros: { autoApply: false },
    // RSUD's router model may hold one blocking entry only: its desired state is refused
    blocking: { modelLimits: { default: 20000, 'CCR2004-1G-12S+2XS': 1 } },
  });
  const admin = systemActor('test');
  await d.services.users.create(admin, { username: 'sari', displayName: 'Sari (NOC)', role: 'noc-operator', password: PASSWORD });
  await d.services.users.create(admin, { username: 'wati', displayName: 'Wati', role: 'viewer', password: PASSWORD });
  await d.services.users.create(admin, { username: 'budi', displayName: 'Budi', role: 'opd-admin', opd: 'DINKES', password: PASSWORD });
  [noc, viewer, office] = [await loginAs(d, 'sari', PASSWORD), await loginAs(d, 'wati', PASSWORD), await loginAs(d, 'budi', PASSWORD)];
  const r = await d.api('/api/v1/blocklists/judi/import?source=national', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'judi.example\nslot.example\n203.0.113.7\n',
  });
  expect(r.status).toBe(200);
  // the routers the tests look at have been judged once (read, or refused before any read)
  const read = async () => (await routers()).filter((x) => USED.includes(x.id) && !['unknown', 'syncing'].includes(x.state)).length === USED.length;
  for (let i = 0; i < 600 && !(await read()); i++) await new Promise((res) => setTimeout(res, 200));
}, 180_000);
afterAll(() => d?.stop());

describe('routers list', () => {
  it('shows every router with its office, state in words, drift and last error', async () => {
    const p = await page(d, noc, '/noc/routers');
    expect(p.res.status).toBe(200);
    const all = await routers();
    expect(all.length).toBeGreaterThan(3);
    for (const x of all) expect(p.html).toContain(`href="/noc/routers/${x.id}"`);
    const text = textOf(p.html);
    expect(text).toContain('Entri menyimpang');
    const rsud = all.find((x) => x.id === 'rsud-rtr01')!;
    expect(rsud.state).toBe('degraded');
    expect(text).toContain('Sebagian gagal');
    expect(text).toContain(rsud.reason as string);
  });
});

describe("a router's page", () => {
  it('shows the plan read now, in words per menu, with the same steps and notes as the plan API', async () => {
    const plan = await api('/api/v1/routers/dinkes-rtr01/plan');
    expect(plan.steps.length).toBeGreaterThan(0);
    const p = await page(d, noc, '/noc/routers/dinkes-rtr01');
    expect(p.res.status).toBe(200);
    const text = textOf(p.html);
    expect(text).toContain('Rencana');
    expect(text).toMatch(/Ditambah \d+, diubah \d+, dihapus \d+, dipindah \d+\./);
    const menus = [...new Set((plan.steps as Json[]).map((s) => s.menu as string))];
    for (const m of menus) expect(p.html).toContain(`<code>${m}</code>`);
    expect(p.html).toContain('<code>judi.example');
    expect(text).toContain(`${plan.steps.length} langkah`);
    for (const n of plan.notes as string[]) expect(text).toContain(n);
    expect(p.html).toMatch(/<form method="post" action="\/noc\/routers\/dinkes-rtr01\/apply" data-confirm="[^"]+">/);
  });

  it("shows the notes of a plan: the core router's routes withheld, with why", async () => {
    const plan = await api('/api/v1/routers/diskominfo-core01/plan');
    expect(plan.notes.length).toBeGreaterThan(0);
    const p = await page(d, noc, '/noc/routers/diskominfo-core01');
    expect(textOf(p.html)).toContain('Catatan');
    for (const n of plan.notes as string[]) expect(p.html).toContain(`<li>${n}</li>`);
    expect(p.html).toContain('<code>/ip/route</code>');
  });

  it('applies on a POST with its CSRF token only; then the plan is empty and the router in sync', async () => {
    const refused = await form(d, noc, '/noc/routers/dinkes-rtr01/apply', {}, { csrf: null });
    expect(refused.res.status).toBe(403);
    expect((await api('/api/v1/routers/dinkes-rtr01/plan')).steps.length).toBeGreaterThan(0);
    const ok = await form(d, noc, '/noc/routers/dinkes-rtr01/apply', {}, { from: '/noc/routers/dinkes-rtr01' });
    expect(ok.res.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe('/noc/routers/dinkes-rtr01?done=applied');
    const after = await page(d, noc, '/noc/routers/dinkes-rtr01?done=applied');
    expect(textOf(after.html)).toContain('Rencana diterapkan ke router');
    expect(textOf(after.html)).toContain('Router sudah sesuai');
    expect((await api('/api/v1/routers/dinkes-rtr01')).state).toBe('in-sync');
    const audit = d.services.store.db
      .prepare("SELECT actor_id FROM audit_log WHERE action = 'routeros.apply' AND object_id = 'dinkes-rtr01' ORDER BY seq DESC LIMIT 1")
      .pluck()
      .get();
    expect(audit).toBe('user:sari');
  });

  it('a refused desired state is said in words, and applying it shows why on the page', async () => {
    const p = await page(d, noc, '/noc/routers/rsud-rtr01');
    expect(p.res.status).toBe(200);
    expect(textOf(p.html)).toContain('Keadaan yang seharusnya ditolak');
    expect(textOf(p.html)).toMatch(/more than its limit of 1/);
    const r = await form(d, noc, '/noc/routers/rsud-rtr01/apply', {}, { from: '/noc/routers/rsud-rtr01' });
    expect(r.res.status).toBe(409);
    expect(textOf(r.html)).toContain('Rencana tidak diterapkan');
  });

  it('an unknown or hostile router id is a 404 page, its text escaped', async () => {
    expect((await page(d, noc, '/noc/routers/nope-rtr99')).res.status).toBe(404);
    const hostile = await page(d, noc, `/noc/routers/${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(hostile.res.status).toBe(404);
    expect(hostile.html).not.toContain('<script>alert(1)');
    expect((await form(d, noc, `/noc/routers/${encodeURIComponent('"><x')}/apply`, {}, { from: '/noc/routers' })).res.status).toBe(404);
  });
});

describe('who may', () => {
  it('a viewer sees the plan without the apply button, and its POST is refused', async () => {
    const p = await page(d, viewer, '/noc/routers/bappeda-rtr01');
    expect(p.res.status).toBe(200);
    expect(p.html).not.toContain('/apply"');
    expect((await form(d, viewer, '/noc/routers/bappeda-rtr01/apply', {}, { from: '/noc/routers/bappeda-rtr01' })).res.status).toBe(403);
  });

  it("an office admin finds no router page, not even its own office's router", async () => {
    for (const path of ['/noc/routers', '/noc/routers/dinkes-rtr01', '/noc/routers/bappeda-rtr01'])
      expect((await page(d, office, path)).res.status, path).toBe(404);
    expect((await form(d, office, '/noc/routers/dinkes-rtr01/apply', {}, { from: '/' })).res.status).toBe(404);
  });
});
