import type { Migration } from '../../store/migrations.js';

/**
 * Router config backups over SSH. A version is stored only when the masked export changed
 * (hash over the text without RouterOS's timestamp line); every check updates backup_checks.
 * Host keys are pinned on first use; a different key is kept as `offered_*` until a noc-admin
 * re-pins. No foreign key to devices: a removed router's history stays readable in the database.
 */
export const backups: Migration = {
  version: 8,
  name: 'router config backups and pinned SSH host keys',
  sql: `
CREATE TABLE router_backups (
  id INTEGER PRIMARY KEY,
  router_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  taken_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  lines_added INTEGER,
  lines_removed INTEGER,
  content TEXT NOT NULL,
  UNIQUE (router_id, version)
);

CREATE TABLE router_backup_checks (
  router_id TEXT PRIMARY KEY,
  last_check_at TEXT NOT NULL,
  last_result TEXT NOT NULL,
  last_error TEXT,
  last_success_at TEXT
);

CREATE TABLE router_host_keys (
  router_id TEXT PRIMARY KEY,
  fingerprint TEXT,
  pinned_at TEXT,
  pinned_by TEXT,
  offered_fingerprint TEXT,
  offered_at TEXT
);
`,
};
