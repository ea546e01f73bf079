// The per-address throttle: after addressMaxFailures failed logins from one address within the
// window, every login from it is refused before a password is checked (even the right one, even for
// an account that never locked), audited once; the window passing lifts it. Real HTTP through the
// login page, the daemon's clock moved by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../src/auth/actor.js';
import { ManualClock } from '../../../src/common/clock.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { CookieJar, form, textOf } from '../web/browserless.js';

const PASSWORD = 'kata-sandi-yang-panjang';
const clock = new ManualClock(new Date('2026-12-01T01:00:00Z'));
let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon({
    clock,
    modules: [],
    config: { log: { level: 'warn' }, auth: { login: { maxFailures: 50, addressMaxFailures: 3, addressWindowMinutes: 10 } } },
  });
  await d.services.users.create(systemActor('test'), { username: 'budi', displayName: 'Budi', role: 'opd-admin', opd: 'DINKES', password: PASSWORD });
}, 60_000);
afterAll(() => d?.stop());

const login = (username: string, password: string) => form(d, new CookieJar(), '/login', { username, password });

describe('login throttle per address', () => {
  it('refuses every login from an address past its failures, audits it once, and lifts after the window', async () => {
    for (const u of ['ani', 'budi', 'citra']) expect((await login(u, 'salah sekali')).res.status).toBe(401);
    const refused = await login('budi', PASSWORD);
    expect(refused.res.status).toBe(429);
    expect(textOf(refused.html)).toContain('Terlalu banyak percobaan masuk yang gagal dari alamat Anda');
    expect((await login('budi', PASSWORD)).res.status).toBe(429);
    const audit = d.services.audit.list(systemActor('test'), { action: 'login.address-throttled' });
    expect(audit).toHaveLength(1);

    // X-Forwarded-For is not trusted without http.trustProxy, so a header cannot dodge it
    expect(
      (await form(d, new CookieJar(), '/login', { username: 'budi', password: PASSWORD }, { headers: { 'x-forwarded-for': '203.0.113.9' } })).res.status,
    ).toBe(429);
    clock.advance(11 * 60_000);
    const ok = await login('budi', PASSWORD);
    expect(ok.res.status).toBe(303);
  });
});
