import type { Migration } from '../../store/migrations.js';

/**
 * Backups of Simpul's own database shipped to the DRC (src/db-backup). A backup row is written
 * `running` before the snapshot and becomes `stored` only once the file is renamed into place on
 * the target, so a crash mid-way never leaves a row that looks whole. The sentinel is written in
 * the same transaction, just before the snapshot: read back from a restored copy it is that
 * copy's recovery point. Restore tests are kept one row each, failures named.
 */
export const dbBackups: Migration = {
  version: 16,
  name: 'database backups to the DRC, their restore tests, the recovery-point sentinel',
  sql: `
CREATE TABLE db_backups (
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  state TEXT NOT NULL CHECK (state IN ('running', 'stored', 'failed', 'pruned')),
  target TEXT NOT NULL,
  file TEXT NOT NULL,
  size INTEGER,
  sha256 TEXT,
  manifest_json TEXT,
  error TEXT,
  pruned_at TEXT
);
CREATE INDEX db_backups_started ON db_backups (started_at);

CREATE TABLE db_restore_tests (
  id INTEGER PRIMARY KEY,
  backup_id TEXT NOT NULL REFERENCES db_backups (id),
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
  duration_ms INTEGER NOT NULL,
  recovery_point TEXT,
  failures_json TEXT NOT NULL
);
CREATE INDEX db_restore_tests_backup ON db_restore_tests (backup_id, id);

CREATE TABLE db_backup_sentinel (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  backup_id TEXT NOT NULL,
  written_at TEXT NOT NULL
);
`,
};
