import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.stop());

async function token(role: string, opd?: string, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const r = await d.api('/api/v1/tokens', { method: 'POST', json: { name: `test ${role}`, role, ...(opd ? { opd } : {}), ...extra } });
  expect(r.status).toBe(201);
  return (await r.json()) as { id: string; token: string };
}

async function expectProblem(r: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await r.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code });
  expect(typeof body.detail).toBe('string');
  return body;
}

describe('HTTP API', () => {
  it('answers health, readiness, docs, OpenAPI and metrics', async () => {
    expect(await (await fetch(d.url + '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await fetch(d.url + '/readyz')).status).toBe(200);
    expect((await fetch(d.url + '/docs')).status).toBe(200);
    const spec = (await (await fetch(d.url + '/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    for (const p of [
      '/api/v1/opds',
      '/api/v1/opds/{code}',
      '/api/v1/devices',
      '/api/v1/devices/{id}',
      '/api/v1/links',
      '/api/v1/tokens',
      '/api/v1/audit',
      '/api/v1/audit/verify',
    ])
      expect(Object.keys(spec.paths)).toContain(p);
    await d.api('/api/v1/opds');
    const metrics = await (await fetch(d.url + '/metrics')).text();
    expect(metrics).toMatch(/^process_cpu_seconds_total /m);
    expect(metrics).toMatch(/^simpul_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/opds".*\} \d+/m);
    expect(metrics).toMatch(/^simpul_inventory_objects\{kind="opds"\} 34$/m);
  });

  it('lists the example OPDs for an authenticated caller', async () => {
    const opds = (await (await d.api('/api/v1/opds')).json()) as { code: string; devices: number }[];
    expect(opds.length).toBe(34);
    expect(opds.find((o) => o.code === 'DINKES')?.devices).toBeGreaterThan(3);
    const dev = (await (await d.api('/api/v1/devices/dinkes-rtr01')).json()) as Record<string, unknown>;
    expect(dev).toMatchObject({ id: 'dinkes-rtr01', opd: 'DINKES', role: 'router', vendor: 'MikroTik' });
    const links = (await (await d.api('/api/v1/links')).json()) as unknown[];
    expect(links.length).toBe(36);
  });

  it('scopes an opd-admin to its own OPD on every route, answering 404 for others', async () => {
    const t = await token('opd-admin', 'DINKES');
    const get = (p: string) => d.api(p, { token: t.token });
    const opds = (await (await get('/api/v1/opds')).json()) as { code: string }[];
    expect(opds.map((o) => o.code)).toEqual(['DINKES']);
    expect((await get('/api/v1/opds/DINKES')).status).toBe(200);
    const hidden = await expectProblem(await get('/api/v1/opds/BAPPEDA'), 404, 'NOT_FOUND');
    const missing = await expectProblem(await get('/api/v1/opds/NOSUCH'), 404, 'NOT_FOUND');
    expect(hidden.detail).toBe("OPD 'BAPPEDA' does not exist or is not visible to you");
    expect(missing.detail).toBe("OPD 'NOSUCH' does not exist or is not visible to you");
    await expectProblem(await get('/api/v1/devices/bappeda-rtr01'), 404, 'NOT_FOUND');
    const devices = (await (await get('/api/v1/devices')).json()) as { opd: string }[];
    expect(new Set(devices.map((x) => x.opd))).toEqual(new Set(['DINKES']));
    const other = (await (await get('/api/v1/devices?opd=BAPPEDA')).json()) as unknown[];
    expect(other).toEqual([]);
    const links = (await (await get('/api/v1/links')).json()) as { id: string }[];
    expect(links.map((l) => l.id)).toEqual(['bb-dinkes']);
    const audit = (await (await get('/api/v1/audit?limit=1000')).json()) as { opd: string | null }[];
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((a) => a.opd === 'DINKES')).toBe(true);
    await expectProblem(await get('/api/v1/tokens'), 403, 'FORBIDDEN');
    await expectProblem(await get('/api/v1/audit/verify'), 403, 'FORBIDDEN');
  });

  it('enforces roles: viewer reads, only noc-admin manages tokens', async () => {
    const viewer = await token('viewer');
    const op = await token('noc-operator');
    expect((await d.api('/api/v1/opds', { token: viewer.token })).status).toBe(200);
    await expectProblem(await d.api('/api/v1/tokens', { token: viewer.token, method: 'POST', json: { name: 'x', role: 'viewer' } }), 403, 'FORBIDDEN');
    await expectProblem(await d.api('/api/v1/tokens', { token: op.token, method: 'POST', json: { name: 'x', role: 'noc-admin' } }), 403, 'FORBIDDEN');
    expect((await d.api('/api/v1/audit/verify', { token: op.token })).status).toBe(200);
  });

  it('never returns a token secret after creation and stores only its hash', async () => {
    const t = await token('viewer');
    const list = await (await d.api('/api/v1/tokens')).text();
    expect(list).toContain(t.id);
    expect(list).not.toContain(t.token);
    const row = d.services.store.db.prepare('SELECT * FROM tokens WHERE id = ?').get(t.id);
    expect(JSON.stringify(row)).not.toContain(t.token);
    const audit = await (await d.api(`/api/v1/audit?objectId=${t.id}`)).text();
    expect(audit).toContain('token.create');
    expect(audit).not.toContain(t.token);
  });

  it('refuses revoked, expired, unknown and malformed tokens with 401', async () => {
    const t = await token('viewer');
    expect((await d.api(`/api/v1/tokens/${t.id}`, { method: 'DELETE' })).status).toBe(200);
    await expectProblem(await d.api('/api/v1/opds', { token: t.token }), 401, 'TOKEN_REVOKED');
    await expectProblem(await d.api('/api/v1/opds', { token: 'spl_' + 'x'.repeat(43) }), 401, 'TOKEN_INVALID');
    await expectProblem(await d.api('/api/v1/opds', { token: null }), 401, 'TOKEN_MISSING');
    await expectProblem(await d.api('/api/v1/opds', { token: null, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'TOKEN_MALFORMED');
    const short = await token('viewer', undefined, { expiresInDays: 1 });
    d.services.store.db.prepare("UPDATE tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").run(short.id);
    await expectProblem(await d.api('/api/v1/opds', { token: short.token }), 401, 'TOKEN_EXPIRED');
  });

  it('answers bad input with problem+json and writes nothing', async () => {
    const before = d.services.store.db.prepare('SELECT count(*) FROM tokens').pluck().get();
    const post = (body: string, type = 'application/json') => d.api('/api/v1/tokens', { method: 'POST', body, headers: { 'content-type': type } });
    await expectProblem(await post('{"name":'), 400, 'MALFORMED_JSON');
    await expectProblem(await post('{"name":"x","role":"viewer","extra":true}'), 400, 'VALIDATION_FAILED');
    const wrongType = await expectProblem(await post('{"name":5,"role":"viewer"}'), 400, 'VALIDATION_FAILED');
    expect(wrongType.field).toBe('name');
    const missing = await expectProblem(await post('{"name":"x"}'), 400, 'VALIDATION_FAILED');
    expect(missing.field).toBe('role');
    await expectProblem(await post('{"name":"x","role":"god"}'), 400, 'VALIDATION_FAILED');
    await expectProblem(await post('{"name":"x","role":"opd-admin"}'), 400, 'OPD_REQUIRED');
    await expectProblem(await post('{"name":"x","role":"viewer","opd":"DINKES"}'), 400, 'OPD_NOT_ALLOWED');
    await expectProblem(await post('{"name":"x","role":"opd-admin","opd":"NOSUCH"}'), 400, 'UNKNOWN_OPD');
    await expectProblem(await post('{"__proto__":{"admin":true},"name":"x","role":"viewer"}'), 400, 'MALFORMED_JSON');
    await expectProblem(await post('name=x', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(await post(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), role: 'viewer' })), 413, 'BODY_TOO_LARGE');
    await expectProblem(await d.api('/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    await expectProblem(await d.api('/api/v1/devices?role=toaster'), 400, 'VALIDATION_FAILED');
    await expectProblem(await d.api('/api/v1/opds/lower-case'), 400, 'VALIDATION_FAILED');
    await expectProblem(await d.api('/api/v1/audit?limit=-1'), 400, 'VALIDATION_FAILED');
    await expectProblem(await d.api('/api/v1/tokens/../../etc/passwd', { method: 'DELETE' }), 404, 'ROUTE_NOT_FOUND');
    expect(d.services.store.db.prepare('SELECT count(*) FROM tokens').pluck().get()).toBe(before);
  });

  it('keeps tokens out of the request logs', async () => {
    const t = await token('viewer');
    await d.api('/api/v1/opds', { token: t.token });
    await d.api('/api/v1/opds', { token: 'spl_wrongwrongwrongwrongwrong' });
    const logs = d.logs();
    expect(logs).toContain('"url":"/api/v1/opds"');
    expect(logs).not.toContain(t.token);
    expect(logs).not.toContain(ADMIN);
    expect(logs).not.toContain('spl_wrongwrongwrongwrongwrong');
  });

  it('records every change in a chain that verifies', async () => {
    const v = (await (await d.api('/api/v1/audit/verify')).json()) as { ok: boolean; entries: number };
    expect(v.ok).toBe(true);
    expect(v.entries).toBeGreaterThan(200);
    const add = (await (await d.api('/api/v1/audit?action=inventory.add&objectType=opd&objectId=DINKES')).json()) as {
      actor: { id: string };
      after: { name: string };
    }[];
    expect(add).toHaveLength(1);
    expect(add[0]).toMatchObject({ actor: { id: 'system:inventory' }, after: { name: 'Dinas Kesehatan' } });
  });
});
