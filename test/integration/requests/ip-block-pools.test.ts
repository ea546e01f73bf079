import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
let dinkes: string;
let operator: string;
const pools: Record<string, number> = {};
const call = async (path: string, token?: string, method = 'GET', json?: unknown) => {
  const r = await d.api(path, { method, json, token });
  return { status: r.status, body: (await r.json()) as Json };
};
const file = async (body: Json) =>
  (await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', justification: 'gedung baru', ...body })).body.id as number;
const count = (sql: string, ...args: unknown[]) =>
  d.services.store.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;

beforeAll(async () => {
  d = await startTestDaemon();
  const token = async (role: string, opd?: string) =>
    (await call('/api/v1/tokens', undefined, 'POST', { name: role, role, ...(opd ? { opd } : {}) })).body.token as string;
  [dinkes, operator] = [await token('opd-admin', 'DINKES'), await token('noc-operator')];
  // The lab's spreadsheet: DINKES already holds 2001:db8:1000::/56, imported with its own wording.
  const csv = readFileSync(join(ROOT, 'deploy/lab/ipam.csv'), 'utf8');
  const imported = await d.api('/api/v1/ipam/import', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
  expect(imported.status).toBe(200);
  for (const p of (await call('/api/v1/pools')).body as Json[]) pools[p.name] = p.id;
});
afterAll(() => d.stop());

describe("IPv6 requests use the office's own /56", () => {
  it('a /64 comes out of the /56 the office already holds, whatever its purpose text says', async () => {
    const v56 = (await call('/api/v1/prefixes?opd=DINKES')).body.find((p: Json) => p.cidr === '2001:db8:1000::/56');
    expect(v56.purpose).not.toBe('IPv6 block of the OPD (/56, holds its /64 LANs)');
    const id = await file({ family: 6, prefixLength: 64, purpose: 'LAN lantai 2' });
    const ok = await call(`/api/v1/requests/${id}/approve`, operator, 'POST', {});
    expect(ok.status).toBe(200);
    expect(ok.body.result.prefix).toMatchObject({ cidr: '2001:db8:1000:1::/64', parentId: v56.id, opd: 'DINKES' });
    expect(count("SELECT count(*) FROM ipam_prefixes WHERE opd = 'DINKES' AND family = 6 AND length = 56 AND state = 'allocated'")).toBe(1);
  });
});

describe('a request is served only from pools whose role fits it', () => {
  it('refuses a LAN block from the backbone pool and allocates nothing', async () => {
    const id = await file({ prefixLength: 28, purpose: 'LAN ruang rapat' });
    const before = count('SELECT count(*) FROM ipam_prefixes');
    const r = await call(`/api/v1/requests/${id}/approve`, operator, 'POST', { poolId: pools.backbone });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'POOL_ROLE_MISMATCH', role: 'backbone-p2p', allowedRoles: ['opd-lan'] });
    expect(r.body.detail).toContain('backbone-p2p');
    expect(r.body.detail).toContain('opd-lan');
    expect(r.body.detail).toContain('overrideRole');
    expect(count('SELECT count(*) FROM ipam_prefixes')).toBe(before);
    expect((await call(`/api/v1/requests/${id}`, operator)).body.state).toBe('pending');
    // an operator may not override; the override is the noc-admin's
    const op = await call(`/api/v1/requests/${id}/approve`, operator, 'POST', { poolId: pools.backbone, overrideRole: true });
    expect(op.status).toBe(403);
    expect(count('SELECT count(*) FROM ipam_prefixes')).toBe(before);
    // a fitting pool needs no override
    const lan = await call(`/api/v1/requests/${id}/approve`, operator, 'POST', { poolId: pools['lan-v4'] });
    expect(lan.status).toBe(200);
    expect(lan.body.result.prefix.poolId).toBe(pools['lan-v4']);
  });

  it('a noc-admin overrides explicitly, and the override is in the steps and the audit entry', async () => {
    const id = await file({ prefixLength: 28, purpose: 'perangkat di jalur backbone' });
    const r = await call(`/api/v1/requests/${id}/approve`, undefined, 'POST', { poolId: pools.backbone, overrideRole: true });
    expect(r.status).toBe(200);
    expect(r.body.result).toMatchObject({ prefix: { poolId: pools.backbone }, roleOverride: { role: 'backbone-p2p', allowedRoles: ['opd-lan'] } });
    expect(r.body.steps.map((s: Json) => s.detail).join('\n')).toMatch(/role override: pool backbone is backbone-p2p, not opd-lan/);
    const audit = (await call(`/api/v1/audit?objectType=request&objectId=${id}&action=request.approve`)).body as Json[];
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0])).toContain('roleOverride');
  });
});
