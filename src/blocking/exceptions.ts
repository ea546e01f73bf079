// Exceptions: an office's approved access to a blocked name or address until a date, revoked by the
// NOC or expired by the sweep. Each change tells the blocking service which office's list moved.
import type { Store, Tx } from '../store/store.js';
import type { Clock } from '../common/clock.js';
import { badRequest, conflict, notFound } from '../common/errors.js';
import { canSeeOpd, requirePermission, seesAllOpds, type Actor } from '../auth/actor.js';
import { containsPrefix } from '../common/net/cidr.js';
import type { ExceptionDbRow, ExceptionFilter, ExceptionOut } from './model.js';
import { ipPrefix, type BlockValue } from './normalize.js';

export interface ExceptionDeps {
  store: Store;
  clock: Clock;
  /** Inside a write: these offices' lists change when it commits. */
  changed(opds: string[]): void;
  /** 404 for an office the actor may not see or that is not in the inventory. */
  requireOpd(actor: Actor, opd: string): void;
}

export class BlockExceptions {
  constructor(private readonly d: ExceptionDeps) {}

  /** The OPD's exceptions open at `at`. */
  active(opd: string, at: Date): ExceptionDbRow[] {
    return this.d.store.db
      .prepare('SELECT * FROM block_exceptions WHERE opd = ? AND revoked_at IS NULL AND expired_at IS NULL AND until > ? ORDER BY id')
      .all(opd, at.toISOString()) as ExceptionDbRow[];
  }

  list(actor: Actor, opd: string, all = false): ExceptionOut[] {
    requirePermission(actor, 'read');
    this.d.requireOpd(actor, opd);
    const now = this.d.clock.now();
    const rows = all
      ? (this.d.store.db.prepare('SELECT * FROM block_exceptions WHERE opd = ? ORDER BY id DESC').all(opd) as ExceptionDbRow[])
      : this.active(opd, now);
    return rows.map(exceptionOut(now));
  }

  /**
   * Exceptions across offices, oldest first, page by page (`after` = the previous page's `next`).
   * An opd-admin sees its own office's only; naming another office answers 404 as elsewhere.
   */
  search(actor: Actor, f: ExceptionFilter = {}): { exceptions: ExceptionOut[]; next: number | null } {
    requirePermission(actor, 'read');
    if (f.opd !== undefined) this.d.requireOpd(actor, f.opd);
    const now = this.d.clock.now();
    const where = ['id > ?'];
    const args: unknown[] = [f.after ?? 0];
    const opd = f.opd ?? (seesAllOpds(actor) ? undefined : actor.opd!);
    if (opd !== undefined) where.push('opd = ?'), args.push(opd);
    if (f.state === 'active') where.push('revoked_at IS NULL AND expired_at IS NULL AND until > ?'), args.push(now.toISOString());
    if (f.state === 'expired') where.push('revoked_at IS NULL AND (expired_at IS NOT NULL OR until <= ?)'), args.push(now.toISOString());
    if (f.state === 'revoked') where.push('revoked_at IS NOT NULL');
    if (f.endingBefore !== undefined) {
      const t = new Date(f.endingBefore);
      if (Number.isNaN(t.getTime())) throw badRequest('BAD_DATE_TIME', 'endingBefore is a date-time such as 2026-12-31T17:00:00Z', 'endingBefore');
      where.push('until < ?'), args.push(t.toISOString());
    }
    const limit = f.limit ?? 100;
    const rows = this.d.store.db
      .prepare(`SELECT * FROM block_exceptions WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`)
      .all(...args, limit + 1) as ExceptionDbRow[];
    const page = rows.slice(0, limit).map(exceptionOut(now));
    return { exceptions: page, next: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  /** Active exceptions per OPD (metrics). */
  activeCounts(): { opd: string; n: number }[] {
    return this.d.store.db
      .prepare('SELECT opd, count(*) AS n FROM block_exceptions WHERE revoked_at IS NULL AND expired_at IS NULL AND until > ? GROUP BY opd')
      .all(this.d.clock.now().toISOString()) as { opd: string; n: number }[];
  }

  /** Called from an approval's transaction. */
  create(tx: Tx, e: { opd: string; kind: 'domain' | 'address'; value: string; requestId: number | null; until: string }): ExceptionOut {
    const id = Number(
      tx.db
        .prepare('INSERT INTO block_exceptions (opd, kind, value, request_id, created_at, created_by, until) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(e.opd, e.kind, e.value, e.requestId, tx.now, tx.actor.id, e.until).lastInsertRowid,
    );
    const out = exceptionOut(new Date(tx.now))(tx.db.prepare('SELECT * FROM block_exceptions WHERE id = ?').get(id) as ExceptionDbRow);
    tx.audit({ action: 'blocklist.exception.create', objectType: 'block_exception', objectId: String(id), opd: e.opd, after: out });
    this.d.changed([e.opd]);
    return out;
  }

  revoke(actor: Actor, id: number, reason: string): ExceptionOut {
    requirePermission(actor, 'operate');
    if (!reason.trim()) throw badRequest('REASON_REQUIRED', 'say why the exception is revoked; the OPD reads it', 'reason');
    return this.d.store.write(actor, (tx) => {
      const r = tx.db.prepare('SELECT * FROM block_exceptions WHERE id = ?').get(id) as ExceptionDbRow | undefined;
      if (!r || !canSeeOpd(actor, r.opd)) throw notFound('exception', String(id));
      const now = new Date(tx.now);
      const before = exceptionOut(now)(r);
      if (before.state !== 'active') throw conflict('EXCEPTION_NOT_ACTIVE', `exception ${id} is already ${before.state}`);
      tx.db.prepare('UPDATE block_exceptions SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?').run(tx.now, actor.id, reason.trim(), id);
      const after = exceptionOut(now)(tx.db.prepare('SELECT * FROM block_exceptions WHERE id = ?').get(id) as ExceptionDbRow);
      tx.audit({
        action: 'blocklist.exception.revoke',
        objectType: 'block_exception',
        objectId: String(id),
        opd: r.opd,
        before: { state: before.state },
        after: { state: 'revoked', reason: reason.trim() },
      });
      this.d.changed([r.opd]);
      return after;
    });
  }

  /** Marks exceptions past their end as expired, one audit entry each; returns how many. */
  sweep(): number {
    const now = this.d.clock.now().toISOString();
    const due = this.d.store.db
      .prepare('SELECT * FROM block_exceptions WHERE revoked_at IS NULL AND expired_at IS NULL AND until <= ?')
      .all(now) as ExceptionDbRow[];
    if (!due.length) return 0;
    const actor: Actor = { id: 'system:blocking-expiry', role: 'system', opd: null };
    return this.d.store.write(actor, (tx) => {
      let n = 0;
      for (const r of due) {
        const u = tx.db.prepare('UPDATE block_exceptions SET expired_at = ? WHERE id = ? AND revoked_at IS NULL AND expired_at IS NULL').run(tx.now, r.id);
        if (!u.changes) continue;
        n++;
        tx.audit({
          action: 'blocklist.exception.expire',
          objectType: 'block_exception',
          objectId: String(r.id),
          opd: r.opd,
          before: { state: 'active', until: r.until },
          after: { state: 'expired' },
        });
        this.d.changed([r.opd]);
      }
      return n;
    });
  }
}

/** Whether an address exception (an address or prefix) covers a listed address or prefix. */
export const covers = (exceptionValue: string, m: BlockValue): boolean =>
  containsPrefix(ipPrefix({ kind: exceptionValue.includes('/') ? 'prefix' : 'address', value: exceptionValue }), ipPrefix(m));

export const exceptionOut =
  (now: Date) =>
  (r: ExceptionDbRow): ExceptionOut => ({
    id: r.id,
    opd: r.opd,
    kind: r.kind,
    value: r.value,
    requestId: r.request_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    until: r.until,
    state: r.revoked_at ? 'revoked' : r.expired_at || r.until <= now.toISOString() ? 'expired' : 'active',
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
    expiredAt: r.expired_at,
  });
