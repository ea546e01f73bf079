import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import { openDb, type Db } from './store/db.js';
import { Store } from './store/store.js';
import { loadAuditKey } from './audit/key.js';
import { systemClock, type Clock } from './common/clock.js';
import { createRegistry, inventoryMetrics } from './metrics/registry.js';
import { TokenService } from './auth/tokens.js';
import { AuditService } from './audit/service.js';
import { InventoryService } from './inventory/service.js';
import { loadInventory } from './inventory/load.js';
import { syncInventory, type SyncReport } from './inventory/sync.js';
import type { InventoryProblem } from './inventory/model.js';
import { buildHttp, loggerOptions } from './http/app.js';
import type { RoutePlugin, Services } from './http/context.js';
import { inventoryRoutes } from './inventory/routes.js';
import { tokenRoutes } from './auth/routes.js';
import { auditRoutes } from './audit/routes.js';
import { IpamService } from './ipam/service.js';
import { ipamRoutes } from './ipam/routes.js';
import { registerIpamMetrics } from './ipam/metrics.js';
import { ipBlockRequest } from './ipam/ip-block-request.js';
import { RequestService } from './requests/service.js';
import { requestRoutes } from './requests/routes.js';

export class InventoryInvalid extends Error {
  constructor(readonly problems: InventoryProblem[]) {
    super(`inventory has ${problems.length} problem(s):\n${formatProblems(problems)}`);
  }
}

export const formatProblems = (ps: InventoryProblem[]) =>
  ps.map((p) => `  ${p.file}:${p.line}${p.path ? ` (${p.path})` : ''}: ${p.message}`).join('\n');

/** Opens the store with its audit key: the same for the daemon and the CLI. */
export function openStore(config: Config, clock: Clock = systemClock): Store {
  const db: Db = openDb(config.dataDir);
  return new Store(db, clock, loadAuditKey(config.audit.keyFile ?? join(config.dataDir, 'audit.key')));
}

/** Loads the inventory from disk and syncs the store to it; throws with every problem when invalid. */
export function reloadInventory(store: Store, dir: string): SyncReport {
  const { inventory, problems } = loadInventory(dir);
  if (!inventory) throw new InventoryInvalid(problems);
  return syncInventory(store, inventory);
}

export interface DaemonOptions {
  clock?: Clock;
  /** Where logs go; defaults to stdout. Tests pass a stream to read them. */
  logStream?: NodeJS.WritableStream;
  /** Extra route plugins (later domains register here). */
  routes?: RoutePlugin[];
}

export interface Daemon {
  app: FastifyInstance;
  services: Services;
  url: string;
  reload(): SyncReport | null;
  close(): Promise<void>;
}

/** The daemon: store, inventory, services, HTTP. Signals are the CLI's business, not this one's. */
export async function startDaemon(config: Config, opts: DaemonOptions = {}): Promise<Daemon> {
  const store = openStore(config, opts.clock);
  const registry: Registry = createRegistry();
  const inv = inventoryMetrics(registry);
  let inventoryLoaded = false;

  const ipam = new IpamService(store, { quarantineDays: config.ipam.quarantineDays });
  const requests = new RequestService(store);
  requests.register(ipBlockRequest(ipam));
  registerIpamMetrics(registry, ipam, store);

  const services: Services = {
    config,
    store,
    registry,
    tokens: new TokenService(store, { adminToken: config.adminToken, defaultTtlDays: config.auth.defaultTokenTtlDays }),
    audit: new AuditService(store),
    inventory: new InventoryService(store),
    ipam,
    requests,
    readiness: new Map<string, () => string | null>([
      ['store', () => (store.db.prepare('SELECT 1 AS ok').get() ? null : 'the database does not answer')],
      ['inventory', () => (inventoryLoaded ? null : 'the inventory is not loaded')],
    ]),
  };
  new Gauge({
    name: 'simpul_audit_entries',
    help: 'Entries in the audit log (a drop means entries were deleted)',
    registers: [registry],
    collect() {
      this.set(store.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number);
    },
  });
  const countObjects = () => {
    for (const t of ['opds', 'sites', 'devices', 'links'])
      inv.objects.set({ kind: t }, store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number);
  };

  const app = await buildHttp(services, {
    routes: [inventoryRoutes, tokenRoutes, auditRoutes, ipamRoutes, requestRoutes, ...(opts.routes ?? [])],
    logger: loggerOptions(config.log.level, opts.logStream),
  });

  const reload = (): SyncReport | null => {
    try {
      const report = reloadInventory(store, config.inventory);
      inventoryLoaded = true;
      inv.reloads.inc({ result: 'ok' });
      countObjects();
      app.log.info({ report }, 'inventory synced');
      return report;
    } catch (e) {
      inv.reloads.inc({ result: 'error' });
      app.log.error(e instanceof InventoryInvalid ? { problems: e.problems } : { err: e }, 'inventory not loaded; keeping the previous one');
      if (!inventoryLoaded) throw e;
      return null;
    }
  };
  try {
    reload();
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close();
    store.db.close();
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    services,
    url: `http://${host}:${port}`,
    reload,
    async close() {
      await app.close();
      store.db.close();
    },
  };
}
