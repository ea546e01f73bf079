import type { ModuleFactory } from './module.js';
import { ipamModule } from './ipam/module.js';
import { snmpModule } from './snmp/module.js';
import { agentsModule } from './agents/module.js';
import { topologyModule } from './topology/module.js';
import { blockingModule } from './blocking/module.js';
import { backupModule } from './backup/module.js';
import { routerosModule } from './routeros/module.js';
import { notificationsModule } from './notifications/module.js';
import { dbBackupModule } from './db-backup/module.js';

/** The domain modules the daemon runs, in start order. Each domain adds its one line here. */
export const MODULES: ModuleFactory[] = [ipamModule, topologyModule, blockingModule, snmpModule, agentsModule, backupModule, routerosModule, notificationsModule, dbBackupModule];
