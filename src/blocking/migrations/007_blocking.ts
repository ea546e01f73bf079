import type { Migration } from '../../store/migrations.js';

/**
 * Site blocking. Entries belong to a category and a source (a named feed, or `manual`); a re-import
 * replaces its source's rows. Policy stores exclusions only, so the default is every category for
 * every OPD and a category the NOC adds applies everywhere at once. Exceptions are per OPD, from an
 * approved unblock request, and end at `until` (expired_at set by the sweeper) or when revoked.
 */
export const blocking: Migration = {
  version: 7,
  name: 'blocking: categories, entries, sources, policy, exceptions',
  sql: `
CREATE TABLE block_categories (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
INSERT INTO block_categories (name, description, created_at, created_by) VALUES
  ('judi', 'online gambling', '1970-01-01T00:00:00.000Z', 'system:migration'),
  ('pornografi', 'pornography', '1970-01-01T00:00:00.000Z', 'system:migration'),
  ('malware', 'malware distribution and command servers', '1970-01-01T00:00:00.000Z', 'system:migration'),
  ('phishing', 'phishing and fraud', '1970-01-01T00:00:00.000Z', 'system:migration'),
  ('lainnya', 'other sites Diskominfo blocks', '1970-01-01T00:00:00.000Z', 'system:migration');

CREATE TABLE block_entries (
  id INTEGER PRIMARY KEY,
  category TEXT NOT NULL REFERENCES block_categories (name) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('domain', 'wildcard', 'address', 'prefix')),
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  UNIQUE (category, kind, value, source)
);
CREATE INDEX block_entries_source ON block_entries (category, source);

CREATE TABLE block_sources (
  category TEXT NOT NULL REFERENCES block_categories (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  lines INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  invalid INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  redundant INTEGER NOT NULL,
  refused INTEGER NOT NULL,
  PRIMARY KEY (category, name)
);

CREATE TABLE block_policy_exclusions (
  category TEXT NOT NULL REFERENCES block_categories (name) ON DELETE CASCADE,
  opd TEXT NOT NULL,
  PRIMARY KEY (category, opd)
);

CREATE TABLE block_exceptions (
  id INTEGER PRIMARY KEY,
  opd TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('domain', 'address')),
  value TEXT NOT NULL,
  request_id INTEGER REFERENCES requests (id),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  until TEXT NOT NULL,
  revoked_at TEXT,
  revoked_by TEXT,
  revoke_reason TEXT,
  expired_at TEXT
);
CREATE INDEX block_exceptions_opd ON block_exceptions (opd, until);
CREATE INDEX block_exceptions_live ON block_exceptions (until) WHERE revoked_at IS NULL AND expired_at IS NULL;

-- Scratch rows of imports in progress: a streamed file lands here in batches, then one short
-- transaction swaps the source's entries. rev is the reversed name ('com example a ') so the
-- names a wildcard covers sort right after it.
CREATE TABLE block_staging (
  import_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  rev TEXT,
  line INTEGER NOT NULL,
  redundant INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (import_id, kind, value)
) WITHOUT ROWID;
CREATE INDEX block_staging_rev ON block_staging (import_id, rev) WHERE rev IS NOT NULL;
`,
};
