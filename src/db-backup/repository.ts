// The db_backups and db_restore_tests tables: reads, and the writes the service makes inside its
// store.write transactions (each with its audit entry there).
import type { Db } from '../store/db.js';
import type { Failure } from './manifest.js';

export type BackupState = 'running' | 'stored' | 'failed' | 'pruned';

export interface BackupRow {
  id: string;
  started_at: string;
  finished_at: string | null;
  state: BackupState;
  target: string;
  file: string;
  size: number | null;
  sha256: string | null;
  manifest_json: string | null;
  error: string | null;
  pruned_at: string | null;
}

export interface RestoreTest {
  id: number;
  backupId: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  durationMs: number;
  recoveryPoint: string | null;
  failures: Failure[];
}

interface TestRow {
  id: number;
  backup_id: string;
  started_at: string;
  finished_at: string;
  ok: number;
  duration_ms: number;
  recovery_point: string | null;
  failures_json: string;
}

const test = (r: TestRow): RestoreTest => ({
  id: r.id,
  backupId: r.backup_id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  ok: r.ok === 1,
  durationMs: r.duration_ms,
  recoveryPoint: r.recovery_point,
  failures: JSON.parse(r.failures_json) as Failure[],
});

export const backupRow = (db: Db, id: string) => db.prepare('SELECT * FROM db_backups WHERE id = ?').get(id) as BackupRow | undefined;
export const backupRows = (db: Db, limit = 500) => db.prepare('SELECT * FROM db_backups ORDER BY started_at DESC, id DESC LIMIT ?').all(limit) as BackupRow[];
export const latestStored = (db: Db) =>
  db.prepare("SELECT * FROM db_backups WHERE state = 'stored' ORDER BY started_at DESC, id DESC LIMIT 1").get() as BackupRow | undefined;
export const storedRows = (db: Db) => db.prepare("SELECT * FROM db_backups WHERE state = 'stored' ORDER BY started_at DESC").all() as BackupRow[];
export const testsOf = (db: Db, backupId: string) =>
  (db.prepare('SELECT * FROM db_restore_tests WHERE backup_id = ? ORDER BY id DESC').all(backupId) as TestRow[]).map(test);
export const latestTest = (db: Db) => {
  const r = db.prepare('SELECT * FROM db_restore_tests ORDER BY id DESC LIMIT 1').get() as TestRow | undefined;
  return r ? test(r) : undefined;
};
export const latestPassedTest = (db: Db) => {
  const r = db.prepare('SELECT * FROM db_restore_tests WHERE ok = 1 ORDER BY id DESC LIMIT 1').get() as TestRow | undefined;
  return r ? test(r) : undefined;
};
export const verifiedIds = (db: Db) => new Set(db.prepare('SELECT DISTINCT backup_id FROM db_restore_tests WHERE ok = 1').pluck().all() as string[]);
export const failedTestCount = (db: Db) => db.prepare('SELECT count(*) FROM db_restore_tests WHERE ok = 0').pluck().get() as number;
export const lastStoredAt = (db: Db) =>
  db.prepare("SELECT max(finished_at) FROM db_backups WHERE state IN ('stored', 'pruned')").pluck().get() as string | null;
