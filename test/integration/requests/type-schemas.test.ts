import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.stop());

const count = () => d.services.store.db.prepare('SELECT count(*) FROM requests').pluck().get() as number;

describe('request types declare their bodies', () => {
  it('OpenAPI shows one filing body per registered type, told apart by type, and the approval fields of each', async () => {
    const spec = (await (await d.api('/openapi.json')).json()) as Json;
    const file = spec.paths['/api/v1/requests'].post.requestBody.content['application/json'].schema;
    const branches = file.oneOf as Json[];
    expect(file.discriminator).toEqual({ propertyName: 'type' });
    const byType = Object.fromEntries(branches.map((b) => [b.properties.type.enum?.[0] ?? b.properties.type.const, Object.keys(b.properties).sort()]));
    expect(byType['ip-block']).toEqual(['addresses', 'family', 'justification', 'opd', 'prefixLength', 'purpose', 'type']);
    expect(byType.unblock).toEqual(['address', 'domain', 'duty', 'justification', 'opd', 'type', 'until']);
    const approve = spec.paths['/api/v1/requests/{id}/approve'].post.requestBody.content['application/json'].schema;
    expect(approve.properties.poolId.description).toMatch(/^ip-block: /);
    expect(approve.properties.note).toBeDefined();
  });

  it("refuses another type's field, naming it, through the API and through the service the pages call, storing nothing", async () => {
    const before = count();
    const api = await d.api('/api/v1/requests', {
      method: 'POST',
      json: { type: 'unblock', opd: 'DINKES', domain: 'example.com', duty: 'x', justification: 'y', until: '2099-01-01', prefixLength: 24 },
    });
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'prefixLength' });
    const noc = { id: 'noc', role: 'noc-admin', opd: null } as const;
    expect(() => d.services.requests.file(noc, { type: 'ip-block', opd: 'DINKES', prefixLength: 24, purpose: 'p', justification: 'j', duty: 'x' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'duty', detail: 'duty does not belong in an ip-block request' }),
    );
    const missing = await d.api('/api/v1/requests', { method: 'POST', json: { opd: 'DINKES', prefixLength: 24 } });
    expect(await missing.json()).toMatchObject({ status: 400, field: 'type' });
    expect(count()).toBe(before);
  });
});
