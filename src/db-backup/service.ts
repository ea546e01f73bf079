/**
 * Database backups to the DRC: snapshot, pack, ship, and restore tests that fetch the backup
 * back from the target. One backup or test runs at a time. Every change of state goes through
 * store.write with its audit entry; the heavy work (copying pages, encrypting, shipping) runs
 * between those writes, outside any transaction.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, notFound, AppError } from '../common/errors.js';
import { projectRoot } from '../common/paths.js';
import { requirePermission, systemActor, type Actor } from '../auth/actor.js';
import type { Store } from '../store/store.js';
import { FormatError } from './container.js';
import { parseManifest, type Failure, type Manifest } from './manifest.js';
import { DB_PART, MANIFEST_PART, packBackup, sha256File, unpackBackup } from './pack.js';
import * as repo from './repository.js';
import { checkOffThread } from './restore-check-thread.js';
import { choosePrune, type RetentionPolicy } from './retention.js';
import { describeDb, snapshotTo } from './snapshot.js';
import { backupFileName, TargetError, type Target } from './target.js';
import Database from 'better-sqlite3';

export interface BackupView {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  state: repo.BackupState;
  target: string;
  file: string;
  size: number | null;
  sha256: string | null;
  error: string | null;
  recoveryPoint: string | null;
  schemaVersion: number | null;
  auditHead: { seq: number; hash: string } | null;
  restoreTests: repo.RestoreTest[];
}

export interface DbBackupDeps {
  store: Store;
  /** The configured target, or why there is none. */
  target: () => Target | { none: string };
  key: () => Buffer;
  /** Scratch space for snapshots and fetched copies (the data directory's disk). */
  workDir: string;
  retention: RetentionPolicy;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /** Called after each finished backup or restore test (metrics). */
  onChange?: () => void;
}

let versionCache: string | undefined;
export function simpulVersion(): string {
  versionCache ??= (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return versionCache;
}

const newId = (now: Date) =>
  `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;

/** A failure of a step as the operator reads it: what broke and the target's kind of trouble. */
const reasonOf = (e: unknown): string =>
  e instanceof TargetError ? `target ${e.kind}: ${e.message}` : e instanceof FormatError ? `${e.reason}: ${e.message}` : (e as Error).message;

export class DbBackupService {
  private busy: string | null = null;

  constructor(private readonly d: DbBackupDeps) {
    mkdirSync(d.workDir, { recursive: true, mode: 0o700 });
  }

  /**
   * At start: a backup left `running` did not finish (the daemon stopped mid-way), or this very
   * database was restored from it (the snapshot holds its row as it was: running).
   */
  markInterrupted(): void {
    const { db } = this.d.store;
    const error = 'not finished here: the daemon stopped mid-way, or this database was restored from this backup (its snapshot holds the row as running)';
    for (const r of db.prepare("SELECT id FROM db_backups WHERE state = 'running'").pluck().all() as string[]) {
      this.d.store.write(systemActor('db-backup'), (tx) => {
        tx.db.prepare("UPDATE db_backups SET state = 'failed', finished_at = ?, error = ? WHERE id = ?").run(tx.now, error, r);
        tx.audit({ action: 'db-backup.failed', objectType: 'db-backup', objectId: r, after: { error } });
      });
    }
  }

  private targetOrThrow(): Target {
    const t = this.d.target();
    if ('none' in t) throw new AppError(409, 'NO_BACKUP_TARGET', `database backups are not configured: ${t.none}`);
    return t;
  }

  private async exclusive<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw conflict('BACKUP_IN_PROGRESS', `a database ${this.busy} is running; try again when it ends`);
    this.busy = what;
    try {
      return await fn();
    } finally {
      this.busy = null;
      this.d.onChange?.();
    }
  }

  /** Snapshot, pack, ship. Resolves with the stored backup; a failure is recorded, then thrown (502). */
  async create(actor: Actor = systemActor('db-backup')): Promise<BackupView> {
    requirePermission(actor, 'admin');
    const target = this.targetOrThrow();
    return this.exclusive('backup', async () => {
      const { store } = this.d;
      const id = newId(store.clock.now());
      const file = backupFileName(id);
      const work = join(this.d.workDir, id);
      mkdirSync(work, { mode: 0o700 });
      const began = store.write(actor, (tx) => {
        tx.db.prepare("INSERT INTO db_backups (id, started_at, state, target, file) VALUES (?, ?, 'running', ?, ?)").run(id, tx.now, target.label, file);
        // the sentinel: read back from a restored copy, it says how recent that copy is
        tx.db
          .prepare(
            'INSERT INTO db_backup_sentinel (id, backup_id, written_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET backup_id = excluded.backup_id, written_at = excluded.written_at',
          )
          .run(id, tx.now);
        tx.audit({ action: 'db-backup.start', objectType: 'db-backup', objectId: id, after: { target: target.label, file } });
        return tx.now;
      });
      try {
        const snap = join(work, DB_PART);
        await snapshotTo(store.db, snap);
        const copy = new Database(snap, { readonly: true });
        const seen = (() => {
          try {
            return describeDb(copy);
          } finally {
            copy.close();
          }
        })();
        if (seen.sentinel?.backupId !== id) throw new Error("the snapshot does not hold this backup's sentinel");
        const db = await sha256File(snap);
        const manifest: Manifest = {
          format: 1,
          id,
          createdAt: began,
          simpulVersion: simpulVersion(),
          schemaVersion: seen.schemaVersion,
          rowCounts: seen.rowCounts,
          auditHead: seen.auditHead,
          sentinel: seen.sentinel,
          parts: [{ name: DB_PART, size: db.size, sha256: db.sha256 }],
        };
        const packed = join(work, file);
        const { size } = await packBackup({
          key: this.d.key(),
          id,
          createdAt: began,
          manifest: Buffer.from(JSON.stringify(manifest, null, 2)),
          dbFile: snap,
          dbSize: db.size,
          out: packed,
        });
        const sha = (await sha256File(packed)).sha256;
        await target.put(packed, file);
        store.write(actor, (tx) => {
          tx.db
            .prepare("UPDATE db_backups SET state = 'stored', finished_at = ?, size = ?, sha256 = ?, manifest_json = ? WHERE id = ?")
            .run(tx.now, size, sha, JSON.stringify(manifest), id);
          tx.audit({
            action: 'db-backup.stored',
            objectType: 'db-backup',
            objectId: id,
            after: { size, sha256: sha, schemaVersion: manifest.schemaVersion, auditHead: manifest.auditHead },
          });
        });
        this.d.log.info({ id, size, target: target.label }, 'database backup stored');
        return this.view(repo.backupRow(store.db, id)!);
      } catch (e) {
        const reason = reasonOf(e);
        store.write(actor, (tx) => {
          tx.db.prepare("UPDATE db_backups SET state = 'failed', finished_at = ?, error = ? WHERE id = ?").run(tx.now, reason, id);
          tx.audit({ action: 'db-backup.failed', objectType: 'db-backup', objectId: id, after: { error: reason } });
        });
        this.d.log.error({ id, err: reason }, 'database backup failed');
        throw new AppError(502, 'BACKUP_FAILED', `database backup ${id} failed: ${reason}`, undefined, {
          id,
          ...(e instanceof TargetError ? { targetError: e.kind } : {}),
        });
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }

  /**
   * Fetches a backup (the newest stored one by default) from the target, not from any local copy,
   * and checks it as README "Restore tests" lists. A failing backup is a result (ok: false, its
   * failures named), not an error; then prunes by retention when it passed.
   */
  async restoreTest(actor: Actor = systemActor('db-backup'), backupId?: string): Promise<repo.RestoreTest> {
    requirePermission(actor, 'operate');
    const target = this.targetOrThrow();
    const row = backupId ? repo.backupRow(this.d.store.db, backupId) : repo.latestStored(this.d.store.db);
    if (!row)
      throw backupId ? notFound('database backup', backupId) : conflict('NO_BACKUP', 'there is no stored database backup to test yet; create one first');
    if (row.state !== 'stored')
      throw conflict('BACKUP_NOT_STORED', `backup ${row.id} is ${row.state}${row.error ? ` (${row.error})` : ''}; only a stored backup can be tested`);
    return this.exclusive('restore test', async () => {
      const { store } = this.d;
      const startedAt = store.clock.now();
      const t0 = performance.now();
      const work = join(this.d.workDir, `test-${row.id}`);
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { mode: 0o700 });
      const failures: Failure[] = [];
      let recoveryPoint: string | null = null;
      try {
        const fetched = join(work, row.file);
        await target.get(row.file, fetched);
        const restored = join(work, 'restored.db');
        const un = await unpackBackup(fetched, this.d.key(), restored, row.size ?? undefined);
        const manifest = parseManifest(un.manifestText);
        if (un.header.id !== row.id || manifest.id !== row.id)
          failures.push({ reason: 'wrong-backup', detail: `the file on the target holds backup ${manifest.id}, not ${row.id}` });
        const declared = Object.keys(un.parts).filter((p) => p !== MANIFEST_PART);
        const r = await checkOffThread({ file: restored, manifest, parts: Object.fromEntries(declared.map((p) => [p, un.parts[p]!])), auditKey: store.key });
        failures.push(...r.failures);
        recoveryPoint = r.recoveryPoint;
      } catch (e) {
        failures.push(
          e instanceof FormatError
            ? { reason: e.reason, detail: e.message }
            : e instanceof TargetError
              ? { reason: `target-${e.kind}`, detail: e.message }
              : { reason: 'unreadable', detail: (e as Error).message },
        );
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      const durationMs = Math.round(performance.now() - t0);
      const ok = failures.length === 0;
      const testId = store.write(actor, (tx) => {
        const id = Number(
          tx.db
            .prepare(
              'INSERT INTO db_restore_tests (backup_id, started_at, finished_at, ok, duration_ms, recovery_point, failures_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
            )
            .run(row.id, startedAt.toISOString(), tx.now, ok ? 1 : 0, durationMs, recoveryPoint, JSON.stringify(failures)).lastInsertRowid,
        );
        tx.audit({
          action: ok ? 'db-backup.restore-test-passed' : 'db-backup.restore-test-failed',
          objectType: 'db-backup',
          objectId: row.id,
          after: { durationMs, recoveryPoint, failures: failures.map((f) => f.reason) },
        });
        return id;
      });
      (ok ? this.d.log.info : this.d.log.error).call(
        this.d.log,
        { id: row.id, durationMs, failures },
        ok ? 'database restore test passed' : 'database restore test FAILED',
      );
      if (ok) await this.prune(actor, target);
      return repo.testsOf(store.db, row.id).find((t) => t.id === testId)!;
    });
  }

  /** Removes what retention lets go, on the target first, then marks it pruned. */
  private async prune(actor: Actor, target: Target): Promise<void> {
    const { store } = this.d;
    const verified = repo.verifiedIds(store.db);
    const { prune } = choosePrune(
      repo.storedRows(store.db).map((r) => ({ id: r.id, at: r.started_at, verified: verified.has(r.id) })),
      this.d.retention,
    );
    for (const id of prune) {
      const r = repo.backupRow(store.db, id)!;
      try {
        await target.remove(r.file);
      } catch (e) {
        if (!(e instanceof TargetError && e.kind === 'missing')) {
          this.d.log.warn({ id, err: reasonOf(e) }, 'pruning a database backup failed; kept for the next pass');
          continue;
        }
      }
      store.write(actor, (tx) => {
        tx.db.prepare("UPDATE db_backups SET state = 'pruned', pruned_at = ? WHERE id = ?").run(tx.now, id);
        tx.audit({ action: 'db-backup.pruned', objectType: 'db-backup', objectId: id });
      });
    }
  }

  list(actor: Actor): { target: string | null; running: string | null; backups: BackupView[] } {
    requirePermission(actor, 'operate');
    const t = this.d.target();
    return { target: 'none' in t ? null : t.label, running: this.busy, backups: repo.backupRows(this.d.store.db).map((r) => this.view(r)) };
  }

  get(actor: Actor, id: string): BackupView {
    requirePermission(actor, 'operate');
    const r = repo.backupRow(this.d.store.db, id);
    if (!r) throw notFound('database backup', id);
    return this.view(r);
  }

  private view(r: repo.BackupRow): BackupView {
    const m = r.manifest_json ? (JSON.parse(r.manifest_json) as Manifest) : null;
    return {
      id: r.id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      state: r.state,
      target: r.target,
      file: r.file,
      size: r.size,
      sha256: r.sha256,
      error: r.error,
      recoveryPoint: m?.sentinel.writtenAt ?? null,
      schemaVersion: m?.schemaVersion ?? null,
      auditHead: m?.auditHead ?? null,
      restoreTests: repo.testsOf(this.d.store.db, r.id),
    };
  }
}
