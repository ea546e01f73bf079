import { auditTables } from '../audit/migrations/001_audit.js';
import { tokenTables } from '../auth/migrations/001_auth.js';
import { inventoryTables } from '../inventory/migrations/001_inventory.js';
import { ipam } from '../ipam/migrations/002_ipam.js';
import { requests } from '../requests/migrations/003_requests.js';
import { lldp } from '../snmp/migrations/005_lldp.js';
import { topology } from '../topology/migrations/006_topology.js';
import { blocking } from '../blocking/migrations/007_blocking.js';
import { backups } from '../backup/migrations/008_backups.js';
import { ipamOverlapIndex } from '../ipam/migrations/009_ipam_overlap_index.js';
import { blockingGenerations } from '../blocking/migrations/010_blocking_generations.js';
import { diagramWithdrawal } from '../topology/migrations/011_diagram_withdrawal.js';
import { accounts } from '../auth/migrations/013_accounts.js';
import { notifications } from '../notifications/migrations/014_notifications.js';
import { requestNames } from '../requests/migrations/015_request_names.js';
import { dbBackups } from '../db-backup/migrations/016_db_backups.js';
import { agents } from '../agents/migrations/017_agents.js';
import { adlist } from '../blocking/migrations/018_adlist.js';

// Each domain keeps its migrations in its own folder (src/<domain>/migrations/) and owns the
// tables they create (test/unit/architecture.test.ts); this list only puts them in order.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migration 1 created the first three domains' tables at once; its parts now live with them. */
const foundation: Migration = { version: 1, name: 'foundation: audit log, tokens, inventory', sql: auditTables + tokenTables + inventoryTables };

/** Every schema change, in order. Never edit a migration that has shipped: add the next number. */
export const MIGRATIONS: readonly Migration[] = [
  foundation,
  ipam,
  requests,
  lldp,
  topology,
  blocking,
  backups,
  ipamOverlapIndex,
  blockingGenerations,
  diagramWithdrawal,
  accounts,
  notifications,
  requestNames,
  dbBackups,
  agents,
  adlist,
];
