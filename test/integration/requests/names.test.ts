// Requests name people: the token's name (or the account's display name) is kept at write time,
// on the request and on each step, and the API returns it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;

const call = async (path: string, token: string, method = 'GET', json?: unknown) => {
  const r = await d.api(path, { method, json, token });
  return { status: r.status, body: (await r.json()) as Json };
};
const token = async (name: string, role: string, opd?: string) =>
  ((await (await d.api('/api/v1/tokens', { method: 'POST', json: { name, role, ...(opd ? { opd } : {}) } })).json()) as Json).token as string;

beforeAll(async () => {
  d = await startTestDaemon({ modules: [] });
  await d.api('/api/v1/pools', { method: 'POST', json: { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' } });
});
afterAll(() => d.stop());

describe('request names', () => {
  it('the filer and the decider are named on the request and on every step', async () => {
    const dinkes = await token('Admin Dinkes (skrip)', 'opd-admin', 'DINKES');
    const noc = await token('Operator NOC Sari', 'noc-operator');
    const f = await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', addresses: 30, purpose: 'LAN', justification: 'ruang baru' });
    expect(f.status).toBe(201);
    expect(f.body).toMatchObject({ createdByName: 'Admin Dinkes (skrip)', decidedByName: null });
    const a = await call(`/api/v1/requests/${f.body.id}/approve`, noc, 'POST', {});
    expect(a.body).toMatchObject({ state: 'approved', createdByName: 'Admin Dinkes (skrip)', decidedByName: 'Operator NOC Sari' });
    expect(a.body.steps.map((s: Json) => [s.step, s.actorName])).toEqual([
      ['filed', 'Admin Dinkes (skrip)'],
      ['work', 'Operator NOC Sari'],
      ['approved', 'Operator NOC Sari'],
    ]);
    // Ids stay the key; names are for people.
    expect(a.body.steps[0].actor).not.toBe('Admin Dinkes (skrip)');
  });

  it('pages through the list with offset, newest first', async () => {
    const dinkes = await token('pager', 'opd-admin', 'DINKES');
    for (let i = 0; i < 3; i++) await call('/api/v1/requests', dinkes, 'POST', { type: 'ip-block', prefixLength: 28, purpose: `p${i}`, justification: 'j' });
    const all = (await call('/api/v1/requests?limit=100', dinkes)).body.map((r: Json) => r.id);
    const page2 = (await call('/api/v1/requests?limit=2&offset=2', dinkes)).body.map((r: Json) => r.id);
    expect(page2).toEqual(all.slice(2, 4));
  });
});
