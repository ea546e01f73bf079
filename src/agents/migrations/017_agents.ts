import type { Migration } from '../../store/migrations.js';

/**
 * Remote site agents (src/agents). The agents themselves are declared in the inventory; a row here
 * is what the controller knows of one: its secret's SHA-256 once enrolled, when it was revoked,
 * the version of the config it was last given (a change is audited), and what it last reported
 * (last batch acknowledged, backlog, samples it dropped). Enrollment
 * codes are one-time and stored hashed; a used or expired code stays so a replay is told apart.
 */
export const agents: Migration = {
  version: 17,
  name: 'remote site agents: enrollment codes, secrets, last report',
  sql: `
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  opd TEXT NOT NULL,
  secret_hash TEXT,
  enrolled_at TEXT,
  revoked_at TEXT,
  hostname TEXT,
  agent_version TEXT,
  address TEXT,
  config_version TEXT,
  last_seen_at TEXT,
  last_batch INTEGER NOT NULL DEFAULT 0,
  backlog_batches INTEGER NOT NULL DEFAULT 0,
  dropped_samples INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX agents_secret ON agents (secret_hash) WHERE secret_hash IS NOT NULL;

CREATE TABLE agent_enrollment_codes (
  code_hash TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX agent_enrollment_codes_agent ON agent_enrollment_codes (agent_id);
`,
};
