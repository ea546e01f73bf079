// A service's refusal that a page does not map itself reaches the error page in the person's
// language: Indonesian from the problems catalog, English as the service wrote it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { form, loginAs, textOf } from './browserless.js';

let d: TestDaemon;
let requestId: number;
const PASSWORD = 'kata-sandi-yang-panjang';

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' } } });
  const admin = systemActor('test');
  await d.services.users.create(admin, { username: 'budi', displayName: 'Budi', role: 'opd-admin', opd: 'DINKES', password: PASSWORD, language: 'id' });
  await d.services.users.create(admin, { username: 'ann', displayName: 'Ann', role: 'opd-admin', opd: 'DINKES', password: PASSWORD, language: 'en' });
  const r = d.services.requests.file(admin, { type: 'ip-block', opd: 'DINKES', prefixLength: 28, purpose: 'ruang rapat', justification: 'perangkat baru' });
  requestId = r.id;
  d.services.requests.cancel(admin, requestId);
}, 60_000);
afterAll(() => d?.stop());

describe('error page detail', () => {
  it('says why in Indonesian for an Indonesian reader, and in English for an English one', async () => {
    const id = await form(d, await loginAs(d, 'budi', PASSWORD), `/requests/${requestId}/cancel`, {}, { from: `/requests/${requestId}` });
    expect(id.res.status).toBe(409);
    expect(textOf(id.html)).toContain('Permintaan ini sudah diputuskan atau dibatalkan');
    const en = await form(d, await loginAs(d, 'ann', PASSWORD), `/requests/${requestId}/cancel`, {}, { from: `/requests/${requestId}` });
    expect(en.res.status).toBe(409);
    expect(textOf(en.html)).not.toContain('Permintaan ini sudah');
    expect(textOf(en.html)).toMatch(/cancelled|not pending/i);
  });
});
