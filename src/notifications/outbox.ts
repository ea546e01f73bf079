/**
 * The mail outbox worker: sends the due mails one at a time, marks each sent only once the SMTP
 * server accepted it, and on failure keeps it with the next attempt pushed back (backoff.ts).
 * A crash between the server's acceptance and the mark can send a mail twice; nothing can lose one.
 */
import type { Store } from '../store/store.js';
import type { Clock } from '../common/clock.js';
import { systemActor } from '../auth/actor.js';
import { isLang, DEFAULT_LANG } from '../i18n/i18n.js';
import { nextAttemptAt, type BackoffPolicy } from './backoff.js';
import type { NotificationKind, NotificationParams } from './kinds.js';
import type { NotificationMetrics } from './metrics.js';
import { renderMail, type TextOptions } from './text.js';

export interface OutgoingMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
}

/** Hands one mail to the SMTP server; rejects when it was not accepted. */
export type SendMail = (m: OutgoingMail) => Promise<void>;

export interface OutboxOptions {
  clock: Clock;
  backoff: BackoffPolicy;
  text: TextOptions;
  metrics: NotificationMetrics;
  /** Most mails one pass sends. */
  batch?: number;
  log?: { warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

interface DueRow {
  id: number;
  to_addr: string;
  to_name: string;
  language: string;
  attempts: number;
  kind: NotificationKind;
  params_json: string;
  created_at: string;
}

/** Failures that say the server (not this one message) is unreachable: the rest of the pass would fail too. */
const SERVER_DOWN = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EAUTH', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EPROXY']);

const ACTOR = systemActor('mail');

export class MailOutbox {
  private running: Promise<{ sent: number; failed: number }> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly send: SendMail,
    private readonly opts: OutboxOptions,
  ) {}

  /** Mails not yet accepted by the server. */
  queued(): number {
    return this.store.db.prepare('SELECT count(*) FROM notification_mail WHERE sent_at IS NULL').pluck().get() as number;
  }

  /**
   * One pass over the due mails. Passes never overlap (a mail is never sent by two at once); a
   * call during a pass runs one more pass after it, so mail queued meanwhile is not left waiting.
   */
  drain(): Promise<{ sent: number; failed: number }> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.drain();
      }
    });
    return this.running;
  }

  /** Drains now and then every `pollSeconds` (retries come due between wake-ups). */
  start(pollSeconds: number): void {
    this.stopped = false;
    void this.drain();
    this.timer = setInterval(() => void this.drain(), pollSeconds * 1000);
    this.timer.unref();
  }

  /** New mail was queued. */
  wake(): void {
    if (!this.stopped && this.timer) void this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Batches until nothing is due, or the server is found down. */
  private async pass(): Promise<{ sent: number; failed: number }> {
    const total = { sent: 0, failed: 0 };
    for (;;) {
      const r = await this.batch();
      total.sent += r.sent;
      total.failed += r.failed;
      if (!r.full || r.serverDown || this.stopped) return total;
    }
  }

  private async batch(): Promise<{ sent: number; failed: number; full: boolean; serverDown: boolean }> {
    let sent = 0;
    let failed = 0;
    let serverDown = false;
    const limit = this.opts.batch ?? 100;
    const due = this.store.db
      .prepare(
        `SELECT m.id, m.to_addr, m.to_name, m.language, m.attempts, n.kind, n.params_json, n.created_at
         FROM notification_mail m JOIN notifications n ON n.id = m.notification_id
         WHERE m.sent_at IS NULL AND m.next_attempt_at <= ? ORDER BY m.next_attempt_at, m.id LIMIT ?`,
      )
      .all(this.opts.clock.now().toISOString(), limit) as DueRow[];
    for (const row of due) {
      if (this.stopped) break;
      const lang = isLang(row.language) ? row.language : DEFAULT_LANG;
      const mail = renderMail(row.kind, JSON.parse(row.params_json) as NotificationParams, lang, this.opts.text, { name: row.to_name }, row.created_at);
      try {
        await this.send({ to: { name: row.to_name, address: row.to_addr }, ...mail });
        this.store.write(ACTOR, (tx) =>
          tx.db
            .prepare('UPDATE notification_mail SET sent_at = ?, attempts = attempts + 1, last_attempt_at = ?, last_error = NULL WHERE id = ?')
            .run(tx.now, tx.now, row.id),
        );
        this.opts.metrics.sent.inc({ kind: row.kind });
        sent++;
      } catch (e) {
        const attempts = row.attempts + 1;
        const now = this.opts.clock.now();
        const next = nextAttemptAt(now, attempts, this.opts.backoff).toISOString();
        const why = describe(e);
        this.store.write(ACTOR, (tx) =>
          tx.db
            .prepare('UPDATE notification_mail SET attempts = ?, last_attempt_at = ?, last_error = ?, next_attempt_at = ? WHERE id = ?')
            .run(attempts, tx.now, why, next, row.id),
        );
        this.opts.metrics.failed.inc({ kind: row.kind });
        failed++;
        this.opts.log?.warn({ mail: row.id, kind: row.kind, attempts, next, err: why }, 'notification mail not sent; will retry');
        if (SERVER_DOWN.has((e as { code?: string }).code ?? '')) {
          serverDown = true;
          break;
        }
      }
    }
    return { sent, failed, full: due.length === limit, serverDown };
  }
}

const describe = (e: unknown): string => {
  const err = e as { code?: string; message?: string };
  return `${err.code ? err.code + ': ' : ''}${err.message ?? String(e)}`.slice(0, 500);
};
