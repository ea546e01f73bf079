import type { Migration } from '../../store/migrations.js';

/**
 * IPAM. Addresses are stored as fixed-width lowercase hex (8 digits for IPv4, 32 for IPv6) so
 * text comparison is numeric comparison and the overlap triggers below are index range scans.
 * The triggers make the database itself refuse two live owners of one address, whatever path
 * (API, import, CLI, a second daemon process) the write came from.
 */
export const ipam: Migration = {
  version: 2,
  name: 'ipam: pools, prefixes, addresses, idempotency',
  sql: `
CREATE TABLE ipam_pools (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL CHECK (scope IN ('public', 'private')),
  family INTEGER NOT NULL CHECK (family IN (4, 6)),
  cidr TEXT NOT NULL,
  network TEXT NOT NULL,
  last TEXT NOT NULL,
  length INTEGER NOT NULL,
  role TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  p2p_length INTEGER,
  gateway TEXT NOT NULL DEFAULT 'first' CHECK (gateway IN ('first', 'last', 'none')),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX ipam_pools_range ON ipam_pools (scope, family, network);

CREATE TRIGGER ipam_pools_no_overlap BEFORE INSERT ON ipam_pools
WHEN EXISTS (SELECT 1 FROM ipam_pools p WHERE p.scope = NEW.scope AND p.family = NEW.family AND p.network <= NEW.last AND p.last >= NEW.network)
BEGIN SELECT RAISE(ABORT, 'POOL_OVERLAP'); END;

CREATE TABLE ipam_prefixes (
  id INTEGER PRIMARY KEY,
  pool_id INTEGER NOT NULL REFERENCES ipam_pools (id) ON DELETE RESTRICT,
  parent_id INTEGER REFERENCES ipam_prefixes (id) ON DELETE RESTRICT,
  family INTEGER NOT NULL,
  cidr TEXT NOT NULL,
  network TEXT NOT NULL,
  last TEXT NOT NULL,
  length INTEGER NOT NULL,
  opd TEXT NOT NULL REFERENCES opds (code) ON DELETE RESTRICT,
  purpose TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('allocated', 'quarantined', 'released')),
  allocated_at TEXT NOT NULL,
  allocated_by TEXT NOT NULL,
  released_at TEXT,
  released_by TEXT,
  quarantine_until TEXT
);
CREATE INDEX ipam_prefixes_live ON ipam_prefixes (pool_id, network) WHERE state <> 'released';
CREATE INDEX ipam_prefixes_parent ON ipam_prefixes (parent_id) WHERE state <> 'released';
CREATE INDEX ipam_prefixes_opd ON ipam_prefixes (opd, state);
CREATE INDEX ipam_prefixes_quarantine ON ipam_prefixes (quarantine_until) WHERE state = 'quarantined';

CREATE TRIGGER ipam_prefixes_in_pool BEFORE INSERT ON ipam_prefixes
WHEN NOT EXISTS (SELECT 1 FROM ipam_pools p WHERE p.id = NEW.pool_id AND p.family = NEW.family AND p.network <= NEW.network AND p.last >= NEW.last)
BEGIN SELECT RAISE(ABORT, 'PREFIX_OUTSIDE_POOL'); END;

CREATE TRIGGER ipam_prefixes_in_parent BEFORE INSERT ON ipam_prefixes
WHEN NEW.parent_id IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM ipam_prefixes p WHERE p.id = NEW.parent_id AND p.state = 'allocated' AND p.network <= NEW.network AND p.last >= NEW.last AND p.length < NEW.length)
BEGIN SELECT RAISE(ABORT, 'PREFIX_OUTSIDE_PARENT'); END;

CREATE TRIGGER ipam_prefixes_no_overlap BEFORE INSERT ON ipam_prefixes
WHEN EXISTS (
  SELECT 1 FROM ipam_prefixes p WHERE p.pool_id = NEW.pool_id AND p.state <> 'released'
    AND p.parent_id IS NEW.parent_id AND p.network <= NEW.last AND p.last >= NEW.network)
BEGIN SELECT RAISE(ABORT, 'PREFIX_OVERLAP'); END;

CREATE TRIGGER ipam_prefixes_no_revival BEFORE UPDATE OF state ON ipam_prefixes
WHEN OLD.state = 'released' AND NEW.state <> 'released'
BEGIN SELECT RAISE(ABORT, 'PREFIX_RELEASED'); END;

CREATE TABLE ipam_addresses (
  id INTEGER PRIMARY KEY,
  prefix_id INTEGER NOT NULL REFERENCES ipam_prefixes (id) ON DELETE RESTRICT,
  family INTEGER NOT NULL,
  address TEXT NOT NULL,
  value TEXT NOT NULL,
  hostname TEXT,
  mac TEXT,
  device TEXT,
  description TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('assigned', 'quarantined', 'released')),
  assigned_at TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  released_at TEXT,
  released_by TEXT,
  quarantine_until TEXT
);
CREATE UNIQUE INDEX ipam_addresses_one_owner ON ipam_addresses (family, value) WHERE state <> 'released';
CREATE INDEX ipam_addresses_prefix ON ipam_addresses (prefix_id, state);
CREATE INDEX ipam_addresses_quarantine ON ipam_addresses (quarantine_until) WHERE state = 'quarantined';

CREATE TABLE ipam_idempotency (
  key TEXT PRIMARY KEY,
  actor_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  prefix_id INTEGER NOT NULL REFERENCES ipam_prefixes (id),
  created_at TEXT NOT NULL
);
`,
};
