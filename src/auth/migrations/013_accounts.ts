import type { Migration } from '../../store/migrations.js';

/**
 * People's accounts and their browser sessions. Session ids are stored as SHA-256 only (they are
 * 256 random bits: nothing to brute-force), so a copy of the database logs nobody in.
 * login_failures feeds the per-address throttle; rows older than its window are pruned at login.
 */
export const accounts: Migration = {
  version: 13,
  name: 'accounts: users, sessions, login failures',
  sql: `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  email TEXT,
  role TEXT NOT NULL CHECK (role IN ('noc-admin', 'noc-operator', 'opd-admin', 'viewer')),
  opd TEXT REFERENCES opds (code) ON DELETE RESTRICT,
  language TEXT NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
  password_hash TEXT NOT NULL,
  password_changed_at TEXT NOT NULL,
  failed_count INTEGER NOT NULL DEFAULT 0,
  last_failed_at TEXT,
  locked_until TEXT,
  last_login_at TEXT,
  disabled_at TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((role = 'opd-admin') = (opd IS NOT NULL))
);
CREATE INDEX users_role ON users (role, opd);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  revoked_at TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL,
  username TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX login_failures_address ON login_failures (address, at);
`,
};
