// Editing IPAM's descriptive fields and ending a quarantine early, through the API: who may, what
// is audited, and that hostile input is refused whole (problem+json, nothing written).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

let d: TestDaemon;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tokens: Record<string, string> = {};
let pool: number;
let dinkes: Json;
let bappeda: Json;
let host: Json;

async function call(path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<{ status: number; type: string; body: Json }> {
  const r = await d.api(path, init);
  const text = await r.text();
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : null };
}
const patch = (path: string, json: unknown, token?: string) => call(path, { method: 'PATCH', json, token });
const post = (path: string, json: unknown, token?: string) => call(path, { method: 'POST', json, token });
const auditOf = async (type: string, id: number) => (await call(`/api/v1/audit?objectType=${type}&objectId=${id}`)).body as Json[];

beforeAll(async () => {
  d = await startTestDaemon();
  for (const [name, role, opd] of [
    ['operator', 'noc-operator'],
    ['viewer', 'viewer'],
    ['dinkes', 'opd-admin', 'DINKES'],
  ] as const)
    tokens[name] = (await post('/api/v1/tokens', { name, role, ...(opd ? { opd } : {}) })).body.token;
  pool = (await post('/api/v1/pools', { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan', description: 'LAN kantor' })).body.id;
  dinkes = (await post(`/api/v1/pools/${pool}/allocations`, { opd: 'DINKES', purpose: 'LAN kantor', prefixLength: 24 })).body;
  bappeda = (await post(`/api/v1/pools/${pool}/allocations`, { opd: 'BAPPEDA', purpose: 'CCTV', prefixLength: 24 })).body;
  host = (await post(`/api/v1/prefixes/${dinkes.id}/addresses`, { address: '10.20.0.10', hostname: 'pc-01' })).body;
}, 60_000);
afterAll(() => d?.stop());

describe('PATCH descriptive fields', () => {
  it("a NOC operator changes a prefix's purpose; the audit entry holds only what changed, by whom", async () => {
    const r = await patch(`/api/v1/prefixes/${dinkes.id}`, { purpose: 'LAN kantor & "ruang server"' }, tokens.operator);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: dinkes.id, cidr: '10.20.0.0/24', opd: 'DINKES', purpose: 'LAN kantor & "ruang server"', state: 'allocated' });
    const [e] = await auditOf('prefix', dinkes.id);
    expect(e).toMatchObject({
      action: 'ipam.prefix.update',
      opd: 'DINKES',
      before: { purpose: 'LAN kantor' },
      after: { purpose: 'LAN kantor & "ruang server"' },
    });
    expect(e!.actor.role).toBe('noc-operator');
    // The same words again change nothing and add no entry.
    await patch(`/api/v1/prefixes/${dinkes.id}`, { purpose: 'LAN kantor & "ruang server"' }, tokens.operator);
    expect(await auditOf('prefix', dinkes.id)).toHaveLength(2);
  });

  it("an address's hostname, MAC (kept lowercase), device and description; null clears", async () => {
    const r = await patch(`/api/v1/addresses/${host.id}`, {
      hostname: 'pc-02',
      mac: 'AA:BB:CC:DD:EE:0F',
      device: 'PC ruang 2',
      description: 'meja <b>depan</b>',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      address: '10.20.0.10',
      hostname: 'pc-02',
      mac: 'aa:bb:cc:dd:ee:0f',
      device: 'PC ruang 2',
      description: 'meja <b>depan</b>',
      opd: 'DINKES',
    });
    const cleared = await patch(`/api/v1/addresses/${host.id}`, { hostname: null, device: null });
    expect(cleared.body).toMatchObject({ hostname: null, device: null, mac: 'aa:bb:cc:dd:ee:0f' });
    const [e] = await auditOf('address', host.id);
    expect(e).toMatchObject({ action: 'ipam.address.update', before: { hostname: 'pc-02', device: 'PC ruang 2' }, after: { hostname: null, device: null } });
  });

  it("a pool's description, blank allowed", async () => {
    const r = await patch(`/api/v1/pools/${pool}`, { description: '' });
    expect(r.status).toBe(200);
    expect(r.body.description).toBe('');
    expect((await auditOf('pool', pool))[0]).toMatchObject({ action: 'ipam.pool.update', before: { description: 'LAN kantor' }, after: { description: '' } });
  });

  it('hostile input in every field: 400 problem+json naming the field, nothing written, no audit entry', async () => {
    const before = (await call('/api/v1/audit?limit=1')).body[0].seq;
    const cases: [string, unknown][] = [
      [`/api/v1/prefixes/${dinkes.id}`, { purpose: 'a\u0000b' }],
      [`/api/v1/prefixes/${dinkes.id}`, { purpose: 'x'.repeat(1_000_000) }],
      [`/api/v1/prefixes/${dinkes.id}`, { purpose: '' }],
      [`/api/v1/prefixes/${dinkes.id}`, { purpose: 42 }],
      [`/api/v1/prefixes/${dinkes.id}`, { purpose: 'ok', opd: 'BAPPEDA' }],
      [`/api/v1/prefixes/${dinkes.id}`, { cidr: '10.99.0.0/24' }],
      [`/api/v1/addresses/${host.id}`, { hostname: '<script>alert(1)</script>' }],
      [`/api/v1/addresses/${host.id}`, { hostname: "pc'; DROP TABLE x;--" }],
      [`/api/v1/addresses/${host.id}`, { mac: 'zz:zz:zz:zz:zz:zz' }],
      [`/api/v1/addresses/${host.id}`, { device: 'a\nb' }],
      [`/api/v1/addresses/${host.id}`, { description: 'x'.repeat(501) }],
      [`/api/v1/addresses/${host.id}`, { address: '10.20.0.11' }],
      [`/api/v1/addresses/${host.id}`, {}],
      [`/api/v1/pools/${pool}`, { description: '\u001b[31m' }],
      [`/api/v1/pools/${pool}`, { cidr: '10.0.0.0/8' }],
      ['/api/v1/prefixes/abc', { purpose: 'x' }],
      ['/api/v1/prefixes/0', { purpose: 'x' }],
    ];
    for (const [path, body] of cases) {
      const r = await patch(path, body);
      expect(r.status, `${path} ${JSON.stringify(body).slice(0, 60)}`).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect(r.body.code).toBeTruthy();
    }
    const junk = await d.api(`/api/v1/prefixes/${dinkes.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"purpose": "x"' });
    expect(junk.status).toBe(400);
    expect((await call('/api/v1/audit?limit=1')).body[0].seq).toBe(before);
    expect((await call(`/api/v1/prefixes/${dinkes.id}`)).body.purpose).toBe('LAN kantor & "ruang server"');
  });

  it('an opd-admin and a viewer may not edit (403), not even their own office; unknown ids are 404', async () => {
    expect((await patch(`/api/v1/prefixes/${dinkes.id}`, { purpose: 'mine' }, tokens.dinkes)).status).toBe(403);
    expect((await patch(`/api/v1/prefixes/${bappeda.id}`, { purpose: 'theirs' }, tokens.dinkes)).status).toBe(403);
    expect((await patch(`/api/v1/addresses/${host.id}`, { hostname: 'x' }, tokens.dinkes)).status).toBe(403);
    expect((await patch(`/api/v1/pools/${pool}`, { description: 'x' }, tokens.viewer)).status).toBe(403);
    expect((await patch('/api/v1/prefixes/999999', { purpose: 'x' })).status).toBe(404);
    expect((await patch('/api/v1/addresses/999999', { hostname: 'x' })).status).toBe(404);
    expect((await patch('/api/v1/pools/999999', { description: 'x' })).status).toBe(404);
    expect((await call(`/api/v1/prefixes/${dinkes.id}`)).body.purpose).toBe('LAN kantor & "ruang server"');
  });
});

describe('early release from quarantine', () => {
  let spare: Json;
  let parked: Json;

  beforeAll(async () => {
    spare = (await post(`/api/v1/pools/${pool}/allocations`, { opd: 'DISDIK', purpose: 'lama', prefix: '10.20.9.0/24' })).body;
    parked = (await post(`/api/v1/prefixes/${spare.id}/addresses`, { address: '10.20.9.20' })).body;
    expect((await call(`/api/v1/addresses/${parked.id}`, { method: 'DELETE' })).body.state).toBe('quarantined');
    expect((await call(`/api/v1/prefixes/${spare.id}`, { method: 'DELETE' })).body.state).toBe('quarantined');
  });

  it('is refused for a live prefix (409) and for anyone but a noc-admin (403)', async () => {
    const live = await post(`/api/v1/prefixes/${dinkes.id}/release-quarantine`, undefined);
    expect(live.status).toBe(409);
    expect(live.body.code).toBe('PREFIX_NOT_QUARANTINED');
    expect((await post(`/api/v1/prefixes/${spare.id}/release-quarantine`, undefined, tokens.operator)).status).toBe(403);
    expect((await post(`/api/v1/prefixes/${spare.id}/release-quarantine`, undefined, tokens.dinkes)).status).toBe(403);
    expect((await call(`/api/v1/prefixes/${spare.id}`)).body.state).toBe('quarantined');
    // Still in quarantine: the block cannot be handed out.
    expect((await post(`/api/v1/pools/${pool}/allocations`, { opd: 'BAPPEDA', purpose: 'baru', prefix: '10.20.9.0/24' })).status).toBe(409);
  });

  it('a noc-admin ends it: audited, the block and its addresses are free again at once', async () => {
    const r = await post(`/api/v1/prefixes/${spare.id}/release-quarantine`, undefined);
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('released');
    const [e] = await auditOf('prefix', spare.id);
    expect(e).toMatchObject({ action: 'ipam.prefix.quarantine-release', before: { state: 'quarantined' }, after: { state: 'released' } });
    expect((await auditOf('address', parked.id))[0]).toMatchObject({ action: 'ipam.address.quarantine-end', after: { earlyReleaseOf: '10.20.9.0/24' } });
    const again = await post(`/api/v1/pools/${pool}/allocations`, { opd: 'BAPPEDA', purpose: 'baru', prefix: '10.20.9.0/24' });
    expect(again.status).toBe(201);
    expect((await post(`/api/v1/prefixes/${again.body.id}/addresses`, { address: '10.20.9.20' })).status).toBe(201);
    // Twice is refused: it is released already.
    expect((await post(`/api/v1/prefixes/${spare.id}/release-quarantine`, undefined)).status).toBe(409);
    // A released prefix keeps its words.
    expect((await patch(`/api/v1/prefixes/${spare.id}`, { purpose: 'rewritten' })).status).toBe(409);
  });
});

describe('who holds an address or a prefix', () => {
  it('an address: its assignment and the prefix around it, with the pool', async () => {
    const r = await call('/api/v1/ipam/lookup?q=10.20.0.10');
    expect(r.status).toBe(200);
    expect(r.body.query).toBe('10.20.0.10');
    expect(r.body.addresses).toMatchObject([{ id: host.id, opd: 'DINKES' }]);
    expect(r.body.prefixes).toMatchObject([{ id: dinkes.id, cidr: '10.20.0.0/24', opd: 'DINKES', pool: 'lan' }]);
  });

  it('a prefix: the prefixes around and inside it; an opd-admin sees only its own office', async () => {
    const all = await call('/api/v1/ipam/lookup?q=10.20.0.0/22');
    expect(all.body.prefixes.map((p: Json) => p.opd).sort()).toEqual(['BAPPEDA', 'DINKES']);
    const own = await call('/api/v1/ipam/lookup?q=10.20.0.0/22', { token: tokens.dinkes });
    expect(own.body.prefixes.map((p: Json) => p.opd)).toEqual(['DINKES']);
    expect((await call('/api/v1/ipam/lookup?q=10.20.1.5', { token: tokens.dinkes })).body).toMatchObject({ addresses: [], prefixes: [] });
  });

  it('junk is a 400 saying what is wrong', async () => {
    for (const q of ['banana', '10.20.0.1/24', '10.20.0.0/33', '%00', 'x'.repeat(100)]) {
      const r = await call(`/api/v1/ipam/lookup?q=${encodeURIComponent(q)}`);
      expect(r.status, q).toBe(400);
      expect(r.type).toContain('application/problem+json');
    }
  });
});
