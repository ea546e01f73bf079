import type { Db } from './db.js';
import type { Actor } from '../auth/actor.js';
import type { Clock } from '../common/clock.js';
import { entryHash, GENESIS, type AuditFields } from '../audit/chain.js';

export interface AuditInput {
  action: string;
  objectType: string;
  objectId: string;
  /** The OPD the object belongs to, so an opd-admin can read its own office's trail. */
  opd?: string | null;
  before?: unknown;
  after?: unknown;
}

/** What a write function gets: the connection and the audit appender of the same transaction. */
export interface Tx {
  db: Db;
  actor: Actor;
  now: string;
  audit(entry: AuditInput): void;
}

/** What a committed transaction changed, as its audit entries say: the change events domains publish. */
export type Change = Pick<AuditInput, 'action' | 'objectType' | 'objectId' | 'opd'>;
type CommitListener = (changes: readonly Change[]) => void;
type Listener = () => void;

/**
 * The one write path. Every change of state runs inside `write`, one IMMEDIATE transaction
 * (so two processes serialize instead of failing on lock upgrade), and its audit entries are
 * appended in that same transaction: no change without its trail, no trail without its change.
 */
export class Store {
  private committed: CommitListener[] = [];
  /** The audit entries of the transaction under way, handed to the commit listeners. */
  private changes: Change[] = [];
  private rolledBack: Listener[] = [];
  private current: Tx | null = null;
  private commits = 0;
  private dataVersion: { get(): unknown } | null = null;

  constructor(
    readonly db: Db,
    readonly clock: Clock,
    private readonly auditKey: Buffer,
  ) {}

  write<T>(actor: Actor, fn: (tx: Tx) => T): T {
    // A service called from inside another service's write joins that transaction.
    if (this.current) return fn(this.current);
    const now = this.clock.now().toISOString();
    const run = this.db.transaction(() => {
      this.current = { db: this.db, actor, now, audit: (e) => this.append(actor, now, e) };
      return fn(this.current);
    });
    let out: T;
    this.changes = [];
    try {
      out = run.immediate();
    } catch (e) {
      for (const l of this.rolledBack) l();
      throw e;
    } finally {
      this.current = null;
    }
    this.commits++;
    const changes = this.changes;
    this.changes = [];
    for (const l of this.committed) l(changes);
    return out;
  }

  /** Called after every committed write with what it changed (metrics, caches, reconcilers wake up). */
  onCommit(l: CommitListener): void {
    this.committed.push(l);
  }

  /** Called after a write rolled back: in-memory mirrors of the store must forget what they saw. */
  onRollback(l: Listener): void {
    this.rolledBack.push(l);
  }

  private append(actor: Actor, at: string, e: AuditInput): void {
    this.changes.push({ action: e.action, objectType: e.objectType, objectId: e.objectId, opd: e.opd ?? null });
    const head = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const row: AuditFields = {
      seq: (head?.seq ?? 0) + 1,
      at,
      actor_id: actor.id,
      actor_role: actor.role,
      action: e.action,
      object_type: e.objectType,
      object_id: e.objectId,
      opd: e.opd ?? null,
      before_json: e.before === undefined ? null : JSON.stringify(e.before),
      after_json: e.after === undefined ? null : JSON.stringify(e.after),
      prev_hash: head?.hash ?? GENESIS,
    };
    this.db
      .prepare(
        `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, opd, before_json, after_json, prev_hash, hash)
         VALUES (@seq, @at, @actor_id, @actor_role, @action, @object_type, @object_id, @opd, @before_json, @after_json, @prev_hash, @hash)`,
      )
      .run({ ...row, hash: entryHash(this.auditKey, row) });
  }

  /**
   * Changes on every commit, ours or another process's (a CLI command sharing the file): read-side
   * caches compare it to know they are current. SQLite's data_version covers other connections.
   */
  get generation(): string {
    this.dataVersion ??= this.db.prepare('PRAGMA data_version').pluck();
    return `${this.commits}.${this.dataVersion.get() as number}`;
  }

  get key(): Buffer {
    return this.auditKey;
  }
}
