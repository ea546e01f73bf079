import type { Migration } from '../../store/migrations.js';

/** Tier 1 (OPD) to Tier 2 (Diskominfo) requests: one row each, and the steps the requester sees. */
export const requests: Migration = {
  version: 3,
  name: 'requests and their steps',
  sql: `
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  opd TEXT NOT NULL REFERENCES opds (code) ON DELETE RESTRICT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled')),
  body_json TEXT NOT NULL,
  result_json TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT
);
CREATE INDEX requests_state ON requests (state, type);
CREATE INDEX requests_opd ON requests (opd, state);

CREATE TABLE request_steps (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES requests (id),
  at TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  step TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX request_steps_request ON request_steps (request_id, id);
`,
};
