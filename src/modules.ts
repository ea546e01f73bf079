import type { ModuleDefinition } from './module.js';
import { auditModule } from './audit/module.js';
import { authModule } from './auth/module.js';
import { inventoryModule } from './inventory/module.js';
import { requestsModule } from './requests/module.js';
import { ipamModule } from './ipam/module.js';
import { labModule } from './lab/module.js';
import { snmpModule } from './snmp/module.js';
import { agentsModule } from './agents/module.js';
import { topologyModule } from './topology/module.js';
import { labelsModule } from './labels/module.js';
import { blockingModule } from './blocking/module.js';
import { backupModule } from './backup/module.js';
import { routerosModule } from './routeros/module.js';
import { notificationsModule } from './notifications/module.js';
import { dbBackupModule } from './db-backup/module.js';

/** The modules every daemon runs: accounts, audit, inventory, requests and IPAM (the API's core). */
export const CORE_MODULES: readonly ModuleDefinition[] = [auditModule, authModule, inventoryModule, requestsModule, ipamModule];

/** Lab mode's simulators and seeds (config.lab). */
export const LAB_MODULE: ModuleDefinition = labModule;

/** The other domain modules. Each domain adds its one line here; the start order comes from what each requires. */
export const MODULES: readonly ModuleDefinition[] = [
  topologyModule,
  labelsModule,
  blockingModule,
  snmpModule,
  agentsModule,
  backupModule,
  routerosModule,
  notificationsModule,
  dbBackupModule,
];
