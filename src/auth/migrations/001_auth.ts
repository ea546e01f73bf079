// Part of migration 1 (foundation), which created the tables of audit, auth and inventory at once.
/** API tokens. */
export const tokenTables = `CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('noc-admin', 'noc-operator', 'opd-admin', 'viewer')),
  opd TEXT REFERENCES opds (code) ON DELETE RESTRICT,
  secret_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT,
  CHECK ((role = 'opd-admin') = (opd IS NOT NULL))
);

`;
