import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
let dinkes: string;
let bappeda: string;
let operator: string;
let viewer: string;

const call = async (path: string, token: string, method = 'GET', json?: unknown) => {
  const r = await d.api(path, { method, json, token });
  return { status: r.status, body: (await r.json()) as Json };
};
const token = async (role: string, opd?: string) =>
  ((await (await d.api('/api/v1/tokens', { method: 'POST', json: { name: role, role, ...(opd ? { opd } : {}) } })).json()) as Json).token as string;

beforeAll(async () => {
  d = await startTestDaemon();
  [dinkes, bappeda, operator, viewer] = [
    await token('opd-admin', 'DINKES'),
    await token('opd-admin', 'BAPPEDA'),
    await token('noc-operator'),
    await token('viewer'),
  ];
  await d.api('/api/v1/pools', { method: 'POST', json: { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' } });
  await d.api('/api/v1/pools', { method: 'POST', json: { name: 'lan6', scope: 'private', cidr: '2001:db8:20::/48', role: 'opd-lan' } });
});
afterAll(() => d.stop());

describe('IP-block requests', () => {
  it('an OPD files, the NOC approves, the block is allocated in the same step and the requester sees it', async () => {
    const filed = await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', addresses: 100, purpose: 'LAN puskesmas', justification: 'gedung baru' });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ type: 'ip-block', opd: 'DINKES', state: 'pending', body: { family: 4, addresses: 100 } });
    const pending = await call('/api/v1/requests?state=pending', operator);
    expect(pending.body.map((r: Json) => r.id)).toContain(filed.body.id);
    const ok = await call(`/api/v1/requests/${filed.body.id}/approve`, operator, 'POST', {});
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'approved', result: { prefix: { cidr: '10.20.0.0/25', opd: 'DINKES' } } });
    const seen = await call(`/api/v1/requests/${filed.body.id}`, dinkes);
    expect(seen.body.steps.map((s: Json) => s.detail)).toEqual([
      'ip-block request filed for DINKES',
      'allocated 10.20.0.0/25 from pool lan to DINKES',
      'approved',
    ]);
    const again = await call(`/api/v1/requests/${filed.body.id}/approve`, operator, 'POST', {});
    expect(again.body).toMatchObject({ status: 409, code: 'REQUEST_NOT_PENDING' });
    expect(d.services.store.db.prepare("SELECT count(*) FROM ipam_prefixes WHERE opd = 'DINKES'").pluck().get()).toBe(1);
  });

  it("IPv6 requests get a /64 out of the OPD's /56; the NOC may name the pool or the prefix", async () => {
    const f = await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', family: 6, prefixLength: 64, purpose: 'LAN', justification: 'IPv6' });
    const a = await call(`/api/v1/requests/${f.body.id}/approve`, operator, 'POST', {});
    expect(a.body.result.prefix.cidr).toBe('2001:db8:20::/64');
    const g = await call('/api/v1/requests', bappeda, 'POST', { type: 'ip-block', prefixLength: 24, purpose: 'LAN', justification: 'x' });
    const b = await call(`/api/v1/requests/${g.body.id}/approve`, operator, 'POST', { prefix: '10.20.40.0/24' });
    expect(b.body.result.prefix.cidr).toBe('10.20.40.0/24');
  });

  it('rejects with a reason, lets the requester cancel, and keeps everything in the audit log', async () => {
    const f = await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', prefixLength: 20, purpose: 'semua', justification: 'ingin' });
    expect((await call(`/api/v1/requests/${f.body.id}/reject`, operator, 'POST', { reason: '' })).status).toBe(400);
    const r = await call(`/api/v1/requests/${f.body.id}/reject`, operator, 'POST', { reason: 'a /20 is far more than one office needs; ask for a /24' });
    expect(r.body).toMatchObject({ state: 'rejected', reason: 'a /20 is far more than one office needs; ask for a /24' });
    const g = await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', prefixLength: 26, purpose: 'x', justification: 'y' });
    expect((await call(`/api/v1/requests/${g.body.id}/cancel`, bappeda, 'POST')).status).toBe(404);
    expect((await call(`/api/v1/requests/${g.body.id}/cancel`, dinkes, 'POST')).body.state).toBe('cancelled');
    expect((await call(`/api/v1/requests/${g.body.id}/approve`, operator, 'POST', {})).body.code).toBe('REQUEST_NOT_PENDING');
    const audit = await call(`/api/v1/audit?objectType=request&objectId=${f.body.id}`, operator);
    expect(audit.body.map((e: Json) => e.action)).toEqual(['request.reject', 'request.file']);
  });

  it('scopes and refuses bad requests without writing', async () => {
    const before = d.services.store.db.prepare('SELECT count(*) FROM requests').pluck().get();
    const bad = async (token: string, body: unknown, status: number, code: string) => {
      const r = await call('/api/v1/requests', token, 'POST', body);
      expect({ body, status: r.status, code: r.body.code }).toEqual({ body, status, code });
    };
    await bad(dinkes, { type: 'ip-block', opd: 'BAPPEDA', prefixLength: 24, purpose: 'x', justification: 'y' }, 403, 'FORBIDDEN');
    await bad(dinkes, { type: 'ip-block', prefixLength: 24, addresses: 10, purpose: 'x', justification: 'y' }, 400, 'SIZE_REQUIRED');
    await bad(dinkes, { type: 'ip-block', purpose: 'x', justification: 'y' }, 400, 'SIZE_REQUIRED');
    await bad(dinkes, { type: 'ip-block', addresses: -1, purpose: 'x', justification: 'y' }, 400, 'SIZE_INVALID');
    await bad(dinkes, { type: 'ip-block', addresses: 2 ** 40, purpose: 'x', justification: 'y' }, 400, 'SIZE_TOO_LARGE');
    await bad(dinkes, { type: 'ip-block', prefixLength: 33, purpose: 'x', justification: 'y' }, 400, 'CIDR_LENGTH_OUT_OF_RANGE');
    await bad(dinkes, { type: 'ip-block', prefixLength: 24, justification: 'y' }, 400, 'VALIDATION_FAILED');
    await bad(dinkes, { type: 'teleport', prefixLength: 24, purpose: 'x', justification: 'y' }, 400, 'UNKNOWN_REQUEST_TYPE');
    await bad(dinkes, { type: 'ip-block', prefixLength: 24, purpose: 'x', justification: 'y', extra: 1 }, 400, 'VALIDATION_FAILED');
    await bad(operator, { type: 'ip-block', prefixLength: 24, purpose: 'x', justification: 'y' }, 400, 'OPD_REQUIRED');
    await bad(operator, { type: 'ip-block', opd: 'NOSUCH', prefixLength: 24, purpose: 'x', justification: 'y' }, 400, 'UNKNOWN_OPD');
    await bad(viewer, { type: 'ip-block', opd: 'DINKES', prefixLength: 24, purpose: 'x', justification: 'y' }, 403, 'FORBIDDEN');
    expect(d.services.store.db.prepare('SELECT count(*) FROM requests').pluck().get()).toBe(before);
    const f = await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', prefixLength: 28, purpose: 'x', justification: 'y' });
    expect((await call(`/api/v1/requests/${f.body.id}`, bappeda)).status).toBe(404);
    expect((await call(`/api/v1/requests/${f.body.id}/approve`, dinkes, 'POST', {})).status).toBe(403);
    expect((await call(`/api/v1/requests?opd=DINKES`, bappeda)).body).toEqual([]);
  });
});
