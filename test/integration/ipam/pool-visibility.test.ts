import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
let dinkes: string;
let viewer: string;
let lan: number;
let dinkesPrefix: number;
const call = async (path: string, token?: string, method = 'GET', json?: unknown) => {
  const r = await d.api(path, { method, json, token });
  return { status: r.status, body: (await r.json()) as Json };
};

beforeAll(async () => {
  d = await startTestDaemon();
  const token = async (role: string, opd?: string) =>
    (await call('/api/v1/tokens', undefined, 'POST', { name: role, role, ...(opd ? { opd } : {}) })).body.token as string;
  [dinkes, viewer] = [await token('opd-admin', 'DINKES'), await token('viewer')];
  lan = (await call('/api/v1/pools', undefined, 'POST', { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' })).body.id;
  await call('/api/v1/pools', undefined, 'POST', { name: 'backbone', scope: 'private', cidr: '10.254.0.0/24', role: 'backbone-p2p' });
  await call(`/api/v1/pools/${lan}/allocations`, undefined, 'POST', { opd: 'BAPPEDA', purpose: 'LAN', prefixLength: 22 });
  dinkesPrefix = (await call(`/api/v1/pools/${lan}/allocations`, undefined, 'POST', { opd: 'DINKES', purpose: 'LAN', prefixLength: 24 })).body.id;
});
afterAll(() => d.stop());

describe('what an OPD admin sees of shared pools', () => {
  it("every pool's identity (to file a request) but no pool's utilization, on every route", async () => {
    const list = await call('/api/v1/pools', dinkes);
    expect(list.status).toBe(200);
    expect(list.body.map((p: Json) => [p.name, p.cidr, p.role, p.family, p.scope])).toEqual([
      ['lan', '10.20.0.0/16', 'opd-lan', 4, 'private'],
      ['backbone', '10.254.0.0/24', 'backbone-p2p', 4, 'private'],
    ]);
    expect(list.body.map((p: Json) => p.utilization)).toEqual([null, null]);
    expect((await call(`/api/v1/pools/${lan}`, dinkes)).body).toMatchObject({ name: 'lan', cidr: '10.20.0.0/16', utilization: null });
    const u = await call('/api/v1/ipam/utilization', dinkes);
    expect(u.body.pools.map((p: Json) => [p.name, p.utilization])).toEqual([
      ['lan', null],
      ['backbone', null],
    ]);
    expect(u.body.opds).toEqual([{ opd: 'DINKES', family: 4, prefixes: 1, allocated: '256', quarantined: '0' }]);
    // nothing in the answers counts BAPPEDA's /22 (1,024 addresses) or the free space around it
    for (const body of [list.body, u.body]) expect(JSON.stringify(body)).not.toMatch(/BAPPEDA|1280|largestFree/);
  });

  it('its own prefixes with their utilization; the NOC and viewers see pools in full', async () => {
    expect((await call(`/api/v1/prefixes/${dinkesPrefix}`, dinkes)).body.utilization).toMatchObject({ total: '256' });
    for (const t of [undefined, viewer]) {
      const pool = (await call(`/api/v1/pools/${lan}`, t)).body;
      expect(pool.utilization).toMatchObject({ allocated: '1280', largestFree: '10.20.128.0/17' });
      expect((await call('/api/v1/ipam/utilization', t)).body.pools[0].utilization.allocated).toBe('1280');
    }
  });
});
