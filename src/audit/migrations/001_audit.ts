// Part of migration 1 (foundation), which created the tables of audit, auth and inventory at once.
/** The audit log (hash-chained; Store.write appends to it inside every transaction). */
export const auditTables = `
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

`;
