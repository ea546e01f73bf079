import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { openDb } from '../../../src/store/db.js';
import { Store } from '../../../src/store/store.js';
import { ManualClock } from '../../../src/common/clock.js';
import { MailOutbox, type OutgoingMail, type SendMail } from '../../../src/notifications/outbox.js';
import { registerNotificationMetrics } from '../../../src/notifications/metrics.js';
import { tempDir } from '../../helpers/daemon.js';

let store: Store;
let clock: ManualClock;
let cleanup: () => void;

beforeEach(() => {
  const t = tempDir('simpul-outbox-');
  cleanup = t.cleanup;
  clock = new ManualClock(new Date('2026-05-01T00:00:00Z'));
  store = new Store(openDb(t.dir), clock, Buffer.alloc(32, 1));
});
afterEach(() => {
  store.db.close();
  cleanup();
});

/** n queued mails of one kind, due now. */
function queue(n: number): void {
  const now = clock.now().toISOString();
  for (let i = 1; i <= n; i++) {
    const id = store.db
      .prepare("INSERT INTO notifications (user_id, kind, params_json, dedupe_key, created_at) VALUES (?, 'request-filed', ?, ?, ?)")
      .run(`user:u${i}`, JSON.stringify({ id: i, type: 'ip-block', opd: 'DINKES', what: null }), `request-filed:${i}`, now).lastInsertRowid;
    store.db
      .prepare('INSERT INTO notification_mail (notification_id, to_addr, to_name, language, next_attempt_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, `u${i}@example.go.id`, `U${i}`, i % 2 ? 'id' : 'en', now);
  }
}

const outbox = (send: SendMail, batch = 100) =>
  new MailOutbox(store, send, {
    clock,
    backoff: { minSeconds: 60, maxSeconds: 3600 },
    text: { timezone: 'Asia/Jakarta' },
    metrics: registerNotificationMetrics(new Registry(), () => 0),
    batch,
  });

describe('mail outbox', () => {
  it('sends every due mail in batches within one drain, each once, in its language', async () => {
    queue(5);
    const got: OutgoingMail[] = [];
    const o = outbox(async (m) => void got.push(m), 2);
    expect(await o.drain()).toEqual({ sent: 5, failed: 0 });
    expect(got.map((m) => m.to.address)).toEqual([1, 2, 3, 4, 5].map((i) => `u${i}@example.go.id`));
    expect(got[0]!.subject).toMatch(/^Permintaan blok IP baru/);
    expect(got[1]!.subject).toMatch(/^New IP block request/);
    expect(o.queued()).toBe(0);
    expect(await o.drain()).toEqual({ sent: 0, failed: 0 });
  });

  it('overlapping drains never send a mail twice', async () => {
    queue(3);
    const got: string[] = [];
    const o = outbox(async (m) => {
      await new Promise((r) => setImmediate(r));
      got.push(m.to.address);
    });
    await Promise.all([o.drain(), o.drain(), o.drain()]);
    await o.drain();
    expect(got.sort()).toEqual(['u1@example.go.id', 'u2@example.go.id', 'u3@example.go.id']);
  });

  it('a mail the server refuses is retried later, the others still go; a down server ends the pass', async () => {
    queue(3);
    const refuse = new Set(['u2@example.go.id']);
    const o = outbox(async (m) => {
      if (refuse.has(m.to.address)) throw Object.assign(new Error('550 mailbox unavailable'), { code: 'EENVELOPE' });
    });
    expect(await o.drain()).toEqual({ sent: 2, failed: 1 });
    const row = store.db.prepare("SELECT attempts, last_error, next_attempt_at FROM notification_mail WHERE to_addr = 'u2@example.go.id'").get();
    expect(row).toEqual({ attempts: 1, last_error: 'EENVELOPE: 550 mailbox unavailable', next_attempt_at: '2026-05-01T00:01:00.000Z' });
  });

  it('a down server ends the pass after one attempt: the rest wait, untried, for the next pass', async () => {
    queue(4);
    let tries = 0;
    const o = outbox(async () => {
      tries++;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ECONNECTION' });
    });
    expect(await o.drain()).toEqual({ sent: 0, failed: 1 });
    expect(tries).toBe(1);
    expect(store.db.prepare('SELECT attempts FROM notification_mail ORDER BY id').pluck().all()).toEqual([1, 0, 0, 0]);
    expect(o.queued()).toBe(4);
  });
});
