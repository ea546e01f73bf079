// The NOC's IPAM pages over real HTTP: pools with bars, drill-down, "who holds", editing the
// descriptive fields (all field errors at once), early release (noc-admin), and who may do what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { type CookieJar, form, loginAs, page, textOf } from './browserless.js';

let d: TestDaemon;
const PW = 'kata-sandi-yang-panjang';
const jars: Record<string, CookieJar> = {};
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let pool: number;
let dinkes: Json;
let host: Json;
let old: Json;

const api = async (path: string, json?: unknown, method = json === undefined ? 'GET' : 'POST'): Promise<Json> =>
  (await d.api(path, { method, json })).json() as Promise<Json>;

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' } } });
  const admin = systemActor('test');
  for (const [username, role, opd] of [
    ['admin', 'noc-admin'],
    ['sari', 'noc-operator'],
    ['lihat', 'viewer'],
    ['budi', 'opd-admin', 'DINKES'],
  ] as const) {
    await d.services.users.create(admin, { username, displayName: `Nama ${username}`, role, opd, password: PW });
    jars[username] = await loginAs(d, username, PW);
  }
  pool = (await api('/api/v1/pools', { name: 'lan-kantor', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' })).id;
  dinkes = await api(`/api/v1/pools/${pool}/allocations`, { opd: 'DINKES', purpose: 'LAN kantor', prefixLength: 24 });
  host = await api(`/api/v1/prefixes/${dinkes.id}/addresses`, { address: '10.20.0.10', hostname: 'pc-resepsionis' });
  for (let i = 0; i < 60; i++) await api(`/api/v1/pools/${pool}/allocations`, { opd: 'BAPPEDA', purpose: `Ruang ${i}`, prefixLength: 30 });
  old = await api(`/api/v1/pools/${pool}/allocations`, { opd: 'DISDIK', purpose: 'lama', prefix: '10.20.200.0/24' });
  await api(`/api/v1/prefixes/${old.id}`, undefined, 'DELETE');
}, 120_000);
afterAll(() => d?.stop());

describe('reading', () => {
  it('lists pools with a utilization meter, no inline style', async () => {
    const { res, html } = await page(d, jars.sari!, '/noc/ipam');
    expect(res.status).toBe(200);
    expect(html).toContain('lan-kantor');
    expect(html).toMatch(/<meter min="0" max="1"[^>]*value="0\.0/);
    expect(html).not.toMatch(/style=/);
    expect(html).toContain('href="/noc/ipam"');
  });

  it('answers who holds an address: the office, the host, the prefix, a history link', async () => {
    const { res, html } = await page(d, jars.lihat!, '/noc/ipam?q=10.20.0.10');
    expect(res.status).toBe(200);
    const text = textOf(html);
    expect(text).toContain('10.20.0.10 dipegang oleh DINKES');
    expect(text).toContain('pc-resepsionis');
    expect(html).toContain(`href="/noc/ipam/prefixes/${dinkes.id}"`);
    expect(html).toContain(`/noc/audit?objectType=address&amp;objectId=${host.id}`);
    const free = await page(d, jars.sari!, '/noc/ipam?q=10.20.250.1');
    expect(textOf(free.html)).toContain('Tidak ada yang memegang 10.20.250.1');
    const junk = await page(d, jars.sari!, `/noc/ipam?q=${encodeURIComponent('<script>x</script>')}`);
    expect(junk.res.status).toBe(400);
    expect(textOf(junk.html)).toContain('Tulis satu alamat IP');
    expect(junk.html).not.toContain('<script>x</script>');
  });

  it("pages a pool's prefixes 50 at a time and drills into a prefix's addresses", async () => {
    const first = await page(d, jars.sari!, `/noc/ipam/pools/${pool}`);
    const links = (html: string) => [...html.matchAll(/href="\/noc\/ipam\/prefixes\/(\d+)"/g)].length;
    expect(links(first.html)).toBe(50);
    const next = /href="(\/noc\/ipam\/pools\/\d+\?after=\d+)"/.exec(first.html)![1]!;
    const second = await page(d, jars.sari!, next);
    expect(links(second.html)).toBe(12); // 1 + 60 + the quarantined one: quarantine is still held
    expect((await page(d, jars.sari!, `/noc/ipam/pools/${pool}?after=-1`)).res.status).toBe(200);
    const prefix = await page(d, jars.sari!, `/noc/ipam/prefixes/${dinkes.id}`);
    expect(textOf(prefix.html)).toContain('Prefiks 10.20.0.0/24 milik DINKES');
    expect(prefix.html).toContain(`/noc/ipam/prefixes/${dinkes.id}/addresses/${host.id}`);
    for (const bad of ['/noc/ipam/prefixes/abc', '/noc/ipam/prefixes/99999', '/noc/ipam/pools/0', `/noc/ipam/prefixes/${old.id}/addresses/${host.id}`])
      expect((await page(d, jars.sari!, bad)).res.status, bad).toBe(404);
  });
});

describe('editing', () => {
  it("a NOC operator changes a prefix's purpose; it is audited under their name and shown escaped", async () => {
    const r = await form(d, jars.sari!, `/noc/ipam/prefixes/${dinkes.id}`, { purpose: 'LAN <script>alert("x")</script> & \'ruang\'' });
    expect(r.res.status).toBe(303);
    expect(r.res.headers.get('location')).toBe(`/noc/ipam/prefixes/${dinkes.id}?done=saved`);
    const shown = await page(d, jars.sari!, r.res.headers.get('location')!);
    expect(shown.html).toContain('Perubahan sudah disimpan');
    expect(shown.html).toContain('LAN &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(shown.html).not.toContain('<script>alert');
    const [e] = d.services.audit.list(systemActor('test'), { objectType: 'prefix', objectId: String(dinkes.id) });
    expect(e).toMatchObject({ action: 'ipam.prefix.update', actor: { id: 'user:sari' } });
  });

  it('hostile input is refused with every field error at once, nothing stored', async () => {
    const before = d.services.audit.list(systemActor('test'), { limit: 1 })[0]!.seq;
    const bad = await form(d, jars.sari!, `/noc/ipam/prefixes/${dinkes.id}/addresses/${host.id}`, {
      hostname: '<script>',
      mac: 'nope',
      device: 'a\u0000b',
      description: 'x'.repeat(600),
    });
    expect(bad.res.status).toBe(400);
    expect(bad.html.match(/class="field-error"/g)).toHaveLength(4);
    expect(textOf(bad.html)).toContain('Nama host hanya boleh huruf');
    expect(textOf(bad.html)).toContain('aa:bb:cc:dd:ee:ff');
    expect(bad.html).not.toContain('<script>"');
    const nul = await form(d, jars.sari!, `/noc/ipam/prefixes/${dinkes.id}`, { purpose: 'a\u0000b' });
    expect(nul.res.status).toBe(400);
    expect(textOf(nul.html)).toContain('Tulis keperluannya');
    const empty = await form(d, jars.sari!, `/noc/ipam/prefixes/${dinkes.id}`, { purpose: '' });
    expect(empty.res.status).toBe(400);
    const huge = await form(d, jars.sari!, `/noc/ipam/pools/${pool}`, { description: 'x'.repeat(1_000_000) });
    expect([400, 413]).toContain(huge.res.status);
    expect(d.services.audit.list(systemActor('test'), { limit: 1 })[0]!.seq).toBe(before);
    expect(d.services.ipam.getPrefix(systemActor('test'), dinkes.id).purpose).toContain('LAN <script>');
  });

  it("an address's details: a blank field clears it; a pool's description", async () => {
    const r = await form(d, jars.sari!, `/noc/ipam/prefixes/${dinkes.id}/addresses/${host.id}`, {
      hostname: '',
      mac: 'AA:BB:CC:00:11:22',
      device: 'PC depan',
      description: 'Meja resepsionis',
    });
    expect(r.res.status).toBe(303);
    const a = d.services.ipam.listAddresses(systemActor('test'), dinkes.id).find((x) => x.id === host.id)!;
    expect(a).toMatchObject({ hostname: null, mac: 'aa:bb:cc:00:11:22', device: 'PC depan', description: 'Meja resepsionis' });
    expect((await form(d, jars.sari!, `/noc/ipam/pools/${pool}`, { description: 'Pool LAN seluruh OPD' })).res.status).toBe(303);
    expect(textOf((await page(d, jars.sari!, `/noc/ipam/pools/${pool}`)).html)).toContain('Pool LAN seluruh OPD');
  });

  it('a viewer reads without forms and is refused a POST; an opd-admin gets the not-found page; no CSRF token: 403', async () => {
    const view = await page(d, jars.lihat!, `/noc/ipam/prefixes/${dinkes.id}`);
    expect(view.res.status).toBe(200);
    expect(view.html).not.toContain(`action="/noc/ipam/prefixes/${dinkes.id}"`);
    expect((await form(d, jars.lihat!, `/noc/ipam/prefixes/${dinkes.id}`, { purpose: 'x' }, { from: '/noc/ipam' })).res.status).toBe(403);
    for (const path of ['/noc/ipam', `/noc/ipam/pools/${pool}`, `/noc/ipam/prefixes/${dinkes.id}`]) {
      const r = await page(d, jars.budi!, path);
      expect(r.res.status, path).toBe(404);
      expect(textOf(r.html)).toContain('tidak ada, atau bukan milik kantor Anda');
    }
    expect((await form(d, jars.budi!, `/noc/ipam/prefixes/${dinkes.id}`, { purpose: 'x' }, { from: '/' })).res.status).toBe(404);
    expect((await form(d, jars.sari!, `/noc/ipam/prefixes/${dinkes.id}`, { purpose: 'forged' }, { csrf: null })).res.status).toBe(403);
    expect(d.services.ipam.getPrefix(systemActor('test'), dinkes.id).purpose).toContain('LAN <script>');
  });
});

describe('early release from quarantine', () => {
  it('is offered to a noc-admin only, confirmed on its own page, refused for a live prefix', async () => {
    expect((await page(d, jars.sari!, `/noc/ipam/prefixes/${old.id}`)).html).not.toContain('release-quarantine');
    expect((await page(d, jars.sari!, `/noc/ipam/prefixes/${old.id}/release-quarantine`)).res.status).toBe(403);
    expect((await form(d, jars.sari!, `/noc/ipam/prefixes/${old.id}/release-quarantine`, {}, { from: '/noc/ipam' })).res.status).toBe(403);
    const offered = await page(d, jars.admin!, `/noc/ipam/prefixes/${old.id}`);
    expect(offered.html).toContain(`href="/noc/ipam/prefixes/${old.id}/release-quarantine"`);
    const confirm = await page(d, jars.admin!, `/noc/ipam/prefixes/${old.id}/release-quarantine`);
    expect(textOf(confirm.html)).toContain('Akhiri karantinanya sekarang?');
    const live = await form(d, jars.admin!, `/noc/ipam/prefixes/${dinkes.id}/release-quarantine`, {}, { from: '/noc/ipam' });
    expect(live.res.status).toBe(409);
    expect(textOf(live.html)).toContain('tidak sedang dikarantina');
    const done = await form(d, jars.admin!, `/noc/ipam/prefixes/${old.id}/release-quarantine`, {}, { from: `/noc/ipam/prefixes/${old.id}/release-quarantine` });
    expect(done.res.status).toBe(303);
    expect(d.services.ipam.getPrefix(systemActor('test'), old.id).state).toBe('released');
    expect(d.services.audit.list(systemActor('test'), { action: 'ipam.prefix.quarantine-release' })[0]).toMatchObject({
      actor: { id: 'user:admin' },
      object: { id: String(old.id) },
    });
  });
});
