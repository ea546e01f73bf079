import type { Migration } from './index.js';

export const foundation: Migration = {
  version: 1,
  name: 'foundation: audit log, tokens, inventory',
  sql: `
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  opd TEXT,
  before_json TEXT,
  after_json TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_object ON audit_log (object_type, object_id);
CREATE INDEX audit_actor ON audit_log (actor_id);
CREATE INDEX audit_at ON audit_log (at);
CREATE INDEX audit_opd ON audit_log (opd);

CREATE TABLE tokens (
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

CREATE TABLE opds (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  opd TEXT NOT NULL REFERENCES opds (code) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  opd TEXT NOT NULL REFERENCES opds (code) ON DELETE RESTRICT,
  site TEXT NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  role TEXT NOT NULL,
  mgmt_address TEXT NOT NULL,
  data_json TEXT NOT NULL
);
CREATE INDEX devices_opd ON devices (opd);
CREATE TABLE links (
  id TEXT PRIMARY KEY,
  a_device TEXT NOT NULL REFERENCES devices (id) ON DELETE RESTRICT,
  b_device TEXT NOT NULL REFERENCES devices (id) ON DELETE RESTRICT,
  data_json TEXT NOT NULL
);
`,
};
