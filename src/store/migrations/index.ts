import { foundation } from './001_foundation.js';
import { ipam } from './002_ipam.js';
import { requests } from './003_requests.js';
import { lldp } from './005_lldp.js';
import { topology } from './006_topology.js';
import { blocking } from './007_blocking.js';
import { backups } from './008_backups.js';
import { ipamOverlapIndex } from './009_ipam_overlap_index.js';
import { blockingGenerations } from './010_blocking_generations.js';
import { diagramWithdrawal } from './011_diagram_withdrawal.js';
import { accounts } from './013_accounts.js';
import { notifications } from './014_notifications.js';
import { requestNames } from './015_request_names.js';
import { dbBackups } from './016_db_backups.js';
import { agents } from './017_agents.js';
import { adlist } from './018_adlist.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

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
