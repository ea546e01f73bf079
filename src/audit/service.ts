import type { Store } from '../store/store.js';
import { requirePermission, seesAllOpds, type Actor } from '../auth/actor.js';
import { verifyChain, type AuditFields } from './chain.js';

export interface AuditQuery {
  objectType?: string;
  objectId?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  limit?: number;
  /** Return entries with seq lower than this (paging backwards from the newest). */
  before?: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { id: string; role: string };
  action: string;
  object: { type: string; id: string };
  opd: string | null;
  before: unknown;
  after: unknown;
  hash: string;
}

export class AuditService {
  constructor(private readonly store: Store) {}

  /** Entries in the log (the metrics: a drop means entries were deleted). */
  count(): number {
    return this.store.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
  }

  /** Newest first. An opd-admin sees only entries about its own OPD. */
  list(actor: Actor, q: AuditQuery): AuditEntry[] {
    requirePermission(actor, 'read');
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      args.push(v);
    };
    if (q.objectType) add('object_type = ?', q.objectType);
    if (q.objectId) add('object_id = ?', q.objectId);
    if (q.actor) add('actor_id = ?', q.actor);
    if (q.action) add('action = ?', q.action);
    if (q.since) add('at >= ?', q.since);
    if (q.until) add('at < ?', q.until);
    if (q.before) add('seq < ?', q.before);
    if (!seesAllOpds(actor)) add('opd = ?', actor.opd);
    const sql = `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.store.db.prepare(sql).all(...args, q.limit ?? 100) as (AuditFields & { hash: string })[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: { id: r.actor_id, role: r.actor_role },
      action: r.action,
      object: { type: r.object_type, id: r.object_id },
      opd: r.opd,
      before: r.before_json === null ? null : JSON.parse(r.before_json),
      after: r.after_json === null ? null : JSON.parse(r.after_json),
      hash: r.hash,
    }));
  }

  /** Walks the whole chain in order; streams rows so a long log does not sit in memory. */
  verify(): { ok: boolean; entries: number; head: string; firstBroken: { seq: number; reason: string } | null } {
    const rows = this.store.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditFields & { hash: string }>;
    const r = verifyChain(this.store.key, rows);
    return { ok: r.broken === null, entries: r.entries, head: r.head, firstBroken: r.broken };
  }
}
