/**
 * Notifications: fans events out to people (an in-app entry each, and a queued mail when the
 * kind is mailed and the person has an address), and answers a person's own list. Entries are
 * keyed by (person, event), so seeing an event twice (two scans, a restart) adds nothing.
 */
import type { Store } from '../store/store.js';
import type { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import { systemActor, type Actor } from '../auth/actor.js';
import { userActorId, type UserDirectory } from '../auth/user-directory.js';
import type { RequestChange } from '../requests/service.js';
import { isLang, DEFAULT_LANG, type Lang } from '../i18n/i18n.js';
import { mailSwitchedOn, type KindSwitches, type NotificationEvent, type NotificationKind, type NotificationParams } from './kinds.js';
import { recipientsOf } from './recipients.js';
import { diagramEvents, exceptionEndingEvents, requestEvents, type DeadlineView, type ExceptionView } from './events.js';
import { renderNotification, type TextOptions } from './text.js';

export interface NotificationOptions {
  clock: Clock;
  /** Which kinds are mailed (config notifications.kinds). */
  switches: KindSwitches;
  /** Config notifications.mail.enabled: off, nothing is queued (so turning it on later sends no backlog). */
  mailEnabled: boolean;
  /** The accounts; null while no account domain runs (nothing is recorded then). */
  directory: () => UserDirectory | null;
  text: TextOptions;
  exceptionEndingDays: number;
  diagramDueDays: number;
  /** Sources the scan reads: other domains' read interfaces, never their tables. */
  exceptions: () => ExceptionView[];
  deadlines: () => DeadlineView[];
  /** New mail was queued (called after the write): wakes the outbox. */
  onQueued?: () => void;
  onError?: (e: unknown, what: string) => void;
}

export interface NotificationOut {
  id: number;
  kind: NotificationKind;
  params: NotificationParams;
  title: string;
  text: string;
  link: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  unread: number;
  total: number;
  items: NotificationOut[];
}

interface Row {
  id: number;
  kind: NotificationKind;
  params_json: string;
  created_at: string;
  read_at: string | null;
}

const ACTOR = systemActor('notifications');

export class NotificationService {
  // Every page shows the unread count: its query is prepared once.
  private readonly unread;

  constructor(
    private readonly store: Store,
    private readonly opts: NotificationOptions,
  ) {
    this.unread = store.db.prepare('SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL').pluck();
  }

  /**
   * Records events for their people; returns how many entries are new. Notification rows are
   * not audited: they are derived from changes the audit log already holds.
   */
  record(events: readonly NotificationEvent[]): number {
    const dir = this.opts.directory();
    if (!dir || !events.length) return 0;
    let added = 0;
    let queued = 0;
    this.store.write(ACTOR, (tx) => {
      const insert = tx.db.prepare('INSERT OR IGNORE INTO notifications (user_id, kind, params_json, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?)');
      const enqueue = tx.db.prepare('INSERT INTO notification_mail (notification_id, to_addr, to_name, language, next_attempt_at) VALUES (?, ?, ?, ?, ?)');
      for (const ev of events) {
        const mailed = this.opts.mailEnabled && mailSwitchedOn(ev.kind, this.opts.switches);
        for (const u of recipientsOf(ev.audience, dir, ev.causedBy)) {
          const r = insert.run(userActorId(u.username), ev.kind, JSON.stringify(ev.params), ev.dedupeKey, tx.now);
          if (!r.changes) continue;
          added++;
          if (mailed && u.email) {
            enqueue.run(r.lastInsertRowid, u.email, u.displayName, isLang(u.language) ? u.language : DEFAULT_LANG, tx.now);
            queued++;
          }
        }
      }
    });
    // Inside a request's transaction the mail is not committed yet; the outbox looks after this tick.
    if (queued) setImmediate(() => this.opts.onQueued?.());
    return added;
  }

  /**
   * The request workflow's listener, run inside the request's transaction. A savepoint keeps a
   * failure here (a broken account directory) from failing the request: it is logged instead.
   */
  readonly onRequestChange = (c: RequestChange): void => {
    try {
      const dir = this.opts.directory();
      this.store.db.transaction(() => this.record(requestEvents(c, (id) => dir?.byActorId(id)?.displayName ?? null)))();
    } catch (e) {
      this.opts.onError?.(e, `notifications for request ${c.request.id} (${c.kind})`);
    }
  };

  /** Ending exceptions and diagram deadlines, as of now; safe to run any number of times. */
  scan(): number {
    const now = this.opts.clock.now();
    return this.record([
      ...exceptionEndingEvents(this.opts.exceptions(), now, this.opts.exceptionEndingDays),
      ...diagramEvents(this.opts.deadlines(), this.opts.diagramDueDays),
    ]);
  }

  /** The caller's own notifications, unread first then newest. A token has none: it is nobody's inbox. */
  list(actor: Actor, lang: Lang, page: { limit?: number; offset?: number; unreadOnly?: boolean } = {}): NotificationPage {
    const db = this.store.db;
    const counts = db
      .prepare('SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM notifications WHERE user_id = ?')
      .get(actor.id) as { total: number; unread: number };
    const rows = db
      .prepare(
        `SELECT id, kind, params_json, created_at, read_at FROM notifications WHERE user_id = ? ${page.unreadOnly ? 'AND read_at IS NULL' : ''}
         ORDER BY read_at IS NOT NULL, id DESC LIMIT ? OFFSET ?`,
      )
      .all(actor.id, page.limit ?? 50, page.offset ?? 0) as Row[];
    return { unread: counts.unread, total: counts.total, items: rows.map((r) => this.out(r, lang)) };
  }

  unreadCount(actor: Actor): number {
    return this.unread.get(actor.id) as number;
  }

  /**
   * Marks one of the caller's own notifications read (again: no change). Not audited: a read mark
   * is the person's own view state, not a change of record, and auditing it would fill the hash
   * chain with page views.
   */
  markRead(actor: Actor, id: number, lang: Lang): NotificationOut {
    return this.store.write(actor, (tx) => {
      tx.db.prepare('UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL').run(tx.now, id, actor.id);
      const r = tx.db.prepare('SELECT id, kind, params_json, created_at, read_at FROM notifications WHERE id = ? AND user_id = ?').get(id, actor.id) as
        | Row
        | undefined;
      if (!r) throw notFound('notification', String(id));
      return this.out(r, lang);
    });
  }

  /** Marks all of the caller's notifications read; returns how many were unread. */
  markAllRead(actor: Actor): number {
    return this.store.write(
      actor,
      (tx) => tx.db.prepare('UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL').run(tx.now, actor.id).changes,
    );
  }

  private out(r: Row, lang: Lang): NotificationOut {
    const params = JSON.parse(r.params_json) as NotificationParams;
    const text = renderNotification(r.kind, params, lang, this.opts.text, r.created_at);
    return { id: r.id, kind: r.kind, params, ...text, createdAt: r.created_at, readAt: r.read_at };
  }
}
