// SQL for backups, checks and pinned host keys. Reads take the Db; writes take the Tx of a
// store.write so each lands with its audit entry.
import type { Db } from '../store/db.js';
import type { Tx } from '../store/store.js';

export interface VersionRow {
  version: number;
  takenAt: string;
  lastSeenAt: string;
  hash: string;
  size: number;
  linesAdded: number | null;
  linesRemoved: number | null;
}

export interface CheckRow {
  lastCheckAt: string;
  lastResult: string;
  lastError: string | null;
  lastSuccessAt: string | null;
}

export interface HostKeyRow {
  fingerprint: string | null;
  pinnedAt: string | null;
  pinnedBy: string | null;
  offeredFingerprint: string | null;
  offeredAt: string | null;
}

const VERSION_COLUMNS = `version, taken_at AS takenAt, last_seen_at AS lastSeenAt, hash, size, lines_added AS linesAdded, lines_removed AS linesRemoved`;

export function listVersions(db: Db, router: string): VersionRow[] {
  return db.prepare(`SELECT ${VERSION_COLUMNS} FROM router_backups WHERE router_id = ? ORDER BY version DESC`).all(router) as VersionRow[];
}

export function getVersion(db: Db, router: string, version: number): (VersionRow & { content: string }) | undefined {
  return db.prepare(`SELECT ${VERSION_COLUMNS}, content FROM router_backups WHERE router_id = ? AND version = ?`).get(router, version) as
    | (VersionRow & { content: string })
    | undefined;
}

export function latestVersion(db: Db, router: string): (VersionRow & { content: string }) | undefined {
  return db.prepare(`SELECT ${VERSION_COLUMNS}, content FROM router_backups WHERE router_id = ? ORDER BY version DESC LIMIT 1`).get(router) as
    | (VersionRow & { content: string })
    | undefined;
}

/** Size of each router's newest stored version (SQLite takes `size` from the row holding max(version)). */
export function latestSizes(db: Db): Map<string, number> {
  const rows = db.prepare('SELECT router_id AS router, size, max(version) AS version FROM router_backups GROUP BY router_id').all() as {
    router: string;
    size: number;
  }[];
  return new Map(rows.map((r) => [r.router, r.size]));
}

export function insertVersion(tx: Tx, router: string, v: Omit<VersionRow, 'lastSeenAt'> & { content: string }): void {
  tx.db
    .prepare(
      `INSERT INTO router_backups (router_id, version, taken_at, last_seen_at, hash, size, lines_added, lines_removed, content)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(router, v.version, v.takenAt, v.takenAt, v.hash, v.size, v.linesAdded, v.linesRemoved, v.content);
}

export function touchVersion(tx: Tx, router: string, version: number, at: string): void {
  tx.db.prepare('UPDATE router_backups SET last_seen_at = ? WHERE router_id = ? AND version = ?').run(at, router, version);
}

export function getCheck(db: Db, router: string): CheckRow | undefined {
  return db
    .prepare(
      'SELECT last_check_at AS lastCheckAt, last_result AS lastResult, last_error AS lastError, last_success_at AS lastSuccessAt FROM router_backup_checks WHERE router_id = ?',
    )
    .get(router) as CheckRow | undefined;
}

export function allChecks(db: Db): Map<string, CheckRow> {
  const rows = db
    .prepare(
      'SELECT router_id AS router, last_check_at AS lastCheckAt, last_result AS lastResult, last_error AS lastError, last_success_at AS lastSuccessAt FROM router_backup_checks',
    )
    .all() as (CheckRow & { router: string })[];
  return new Map(rows.map(({ router, ...r }) => [router, r]));
}

export function recordCheck(tx: Tx, router: string, result: string, error: string | null): void {
  const success = error === null ? tx.now : null;
  tx.db
    .prepare(
      `INSERT INTO router_backup_checks (router_id, last_check_at, last_result, last_error, last_success_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (router_id) DO UPDATE SET last_check_at = excluded.last_check_at, last_result = excluded.last_result,
         last_error = excluded.last_error, last_success_at = coalesce(excluded.last_success_at, last_success_at)`,
    )
    .run(router, tx.now, result, error, success);
}

export function getHostKey(db: Db, router: string): HostKeyRow | undefined {
  return db
    .prepare(
      'SELECT fingerprint, pinned_at AS pinnedAt, pinned_by AS pinnedBy, offered_fingerprint AS offeredFingerprint, offered_at AS offeredAt FROM router_host_keys WHERE router_id = ?',
    )
    .get(router) as HostKeyRow | undefined;
}

export function allHostKeyMismatches(db: Db): Set<string> {
  return new Set(db.prepare('SELECT router_id FROM router_host_keys WHERE offered_fingerprint IS NOT NULL').pluck().all() as string[]);
}

/** Pins `fingerprint` (null: trust the next key seen) and forgets any refused key. */
export function pinHostKey(tx: Tx, router: string, fingerprint: string | null): void {
  tx.db
    .prepare(
      `INSERT INTO router_host_keys (router_id, fingerprint, pinned_at, pinned_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (router_id) DO UPDATE SET fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at,
         pinned_by = excluded.pinned_by, offered_fingerprint = NULL, offered_at = NULL`,
    )
    .run(router, fingerprint, fingerprint === null ? null : tx.now, fingerprint === null ? null : tx.actor.id);
}

export function recordOfferedKey(tx: Tx, router: string, fingerprint: string): void {
  tx.db.prepare('UPDATE router_host_keys SET offered_fingerprint = ?, offered_at = ? WHERE router_id = ?').run(fingerprint, tx.now, router);
}
