import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import { openDb, type Db } from './store/db.js';
import { Store } from './store/store.js';
import { loadAuditKey } from './audit/key.js';
import { systemClock, type Clock } from './common/clock.js';
import { createRegistry, inventoryMetrics } from './metrics/registry.js';
import { TokenService } from './auth/tokens.js';
import { UserService } from './auth/users.js';
import { SessionService } from './auth/sessions.js';
import { userRoutes } from './auth/user-routes.js';
import { webPages } from './web/plugin.js';
import { AuditService } from './audit/service.js';
import { registerAuditMetrics } from './audit/metrics.js';
import { InventoryService } from './inventory/service.js';
import { loadInventory } from './inventory/load.js';
import { syncInventory, type SyncReport } from './inventory/sync.js';
import { servicePort } from './inventory/endpoints.js';
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
import { registerRequestMetrics } from './requests/metrics.js';
import { MODULES } from './modules.js';
import type { DeviceService, Endpoint, ModuleContext, ModuleFactory, SimpulModule } from './module.js';
import { startLab, LAB_CREDENTIALS, type Lab } from './lab/lab.js';
import { seedLabIpam } from './lab/seed.js';
import { ensureLabAccounts, type LabLogin } from './lab/accounts.js';
import { readSecret } from './config/load.js';
import { SECRET_FIELDS } from './config/schema.js';
import type { Device, Inventory } from './inventory/model.js';
import type { Actor } from './auth/actor.js';
import { AppError } from './common/errors.js';
import { requestRoutes } from './requests/routes.js';
import { DesiredRegistry } from './routeros/contributors.js';
import { readFileSync } from 'node:fs';
import { listenTls, type TlsListener } from './http/tls-listener.js';
import { LAB_SIMPUL_CERT, LAB_SIMPUL_KEY } from './lab/lab-tls.js';

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
export function reloadInventory(store: Store, dir: string, actor?: Actor): SyncReport & { inventory: Inventory } {
  const { inventory, problems } = loadInventory(dir);
  if (!inventory) throw new InventoryInvalid(problems);
  return { ...syncInventory(store, inventory, actor), inventory };
}

/** Production endpoints: the device's management address and the service's port. */
export function realEndpoint(d: Device, service: DeviceService): Endpoint | null {
  const port = servicePort(d, service);
  return port === null ? null : { host: d.mgmt, port };
}

export interface DaemonOptions {
  clock?: Clock;
  /** Where logs go; defaults to stdout. Tests pass a stream to read them. */
  logStream?: NodeJS.WritableStream;
  /** Extra route plugins (later domains register here). */
  routes?: RoutePlugin[];
  /** The domain modules to run; all of MODULES by default (a benchmark of one domain runs fewer). */
  modules?: readonly ModuleFactory[];
  /** Where devices are reached outside lab mode; tests pass a guard that only allows loopback. */
  endpoint?: (device: Device, service: DeviceService) => Endpoint | null;
}

export interface Daemon {
  app: FastifyInstance;
  services: Services;
  url: string;
  /** The HTTPS listener's URL (http.tls, or lab mode's), or null. */
  tlsUrl: string | null;
  /** Lab mode: the page logins created (or given new passwords) at this start. */
  labLogins: LabLogin[];
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
  registerIpamMetrics(registry, ipam);
  registerRequestMetrics(registry, requests);

  const sessions = new SessionService(store, config.auth.session);
  const services: Services = {
    config,
    store,
    registry,
    tokens: new TokenService(store, { adminToken: config.adminToken, defaultTtlDays: config.auth.defaultTokenTtlDays }),
    users: new UserService(store, sessions, config.auth.login),
    sessions,
    audit: new AuditService(store),
    inventory: new InventoryService(store),
    ipam,
    requests,
    // Pages and other late readers reach the modules' services here, once the modules have started.
    use: (name) => provided.get(name) as never,
    reloadInventory: () => {
      throw new Error('the inventory is reloaded once the daemon has started');
    },
    readiness: new Map<string, () => string | null>([
      ['store', () => (store.db.prepare('SELECT 1 AS ok').get() ? null : 'the database does not answer')],
      ['inventory', () => (inventoryLoaded ? null : 'the inventory is not loaded')],
    ]),
  };
  registerAuditMetrics(registry, services.audit);
  const countObjects = () => {
    for (const t of ['opds', 'sites', 'devices', 'links'])
      inv.objects.set({ kind: t }, store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number);
  };

  // The HTTP app is built first (its logger is the daemon's); module routes join before ready().
  const routes = [inventoryRoutes, tokenRoutes, userRoutes, auditRoutes, ipamRoutes, requestRoutes, ...(opts.routes ?? [])];
  const { app } = await buildHttp(services, { routes, logger: loggerOptions(config.log.level, opts.logStream), notFound: webPages.notFound(services) });
  // The pages for people (outside /api); they load at ready() like the API.
  void app.register(webPages.plugin(services));

  let current: Inventory | null = null;
  const inventoryListeners: ((inv: Inventory) => void)[] = [];
  /** Loads the inventory and syncs the store to it (as `actor`); throws InventoryInvalid, keeping the previous one. */
  const reloadNow = (actor?: Actor): SyncReport => {
    try {
      const { inventory, ...report } = reloadInventory(store, config.inventory, actor);
      current = inventory;
      inventoryLoaded = true;
      inv.reloads.inc({ result: 'ok' });
      countObjects();
      app.log.info({ report }, 'inventory synced');
      for (const l of inventoryListeners) l(inventory);
      return report;
    } catch (e) {
      inv.reloads.inc({ result: 'error' });
      app.log.error(e instanceof InventoryInvalid ? { problems: e.problems } : { err: e }, 'inventory not loaded; keeping the previous one');
      throw e;
    }
  };
  /** SIGHUP's reload: a bad inventory is logged and the previous one kept (at start it stops the daemon). */
  const reload = (): SyncReport | null => {
    try {
      return reloadNow();
    } catch (e) {
      if (!inventoryLoaded) throw e;
      return null;
    }
  };
  services.reloadInventory = (actor) => {
    try {
      return reloadNow(actor);
    } catch (e) {
      if (!(e instanceof InventoryInvalid)) throw e;
      throw new AppError(422, 'INVENTORY_INVALID', `the inventory in ${config.inventory} has ${e.problems.length} problem(s); the previous one stays loaded. First: ${formatProblems(e.problems.slice(0, 1)).trim()}`, undefined, {
        problems: e.problems.slice(0, 100),
      });
    }
  };
  let lab: Lab | null = null;
  let labLogins: LabLogin[] = [];
  const modules: SimpulModule[] = [];
  const desired = new DesiredRegistry();
  const provided = new Map<string, unknown>();
  let tls: TlsListener | null = null;
  async function startModules(): Promise<void> {
    if (config.lab) {
      const seeded = seedLabIpam(store, ipam);
      if (seeded) app.log.info({ counts: seeded.counts }, 'lab IPAM seeded from deploy/lab/ipam.csv');
      lab = await startLab(current!, { dataDir: config.dataDir, warn: (message) => app.log.warn(message) });
      labLogins = await ensureLabAccounts(services.users);
    }
    const ctx: ModuleContext = {
      config,
      store,
      registry,
      services,
      clock: opts.clock ?? systemClock,
      log: app.log,
      inventory: () => current!,
      onInventory: (fn) => inventoryListeners.push(fn),
      endpoint: (d, service) => (lab ? lab.endpoint(d, service) : (opts.endpoint ?? realEndpoint)(d, service)),
      credentials: (name) => resolveCredential(config, name),
      desired,
      provide: (name, service) => void provided.set(name, service),
      use: (name) => provided.get(name) as never,
      tls: () => tls,
    };
    for (const make of opts.modules ?? MODULES) {
      const m = await make(ctx);
      modules.push(m);
      if (m.routes) routes.push(m.routes);
      const pub = m.publicRoutes;
      if (pub) void app.register(async (root) => pub(root, services));
      for (const [k, check] of m.readiness ?? []) services.readiness.set(`${m.name}.${k}`, check);
    }
  }
  const stopAll = async () => {
    for (const m of [...modules].reverse()) await m.stop?.().catch((e) => app.log.error({ err: e, module: m.name }, 'module stop failed'));
    await (lab as Lab | null)?.stop();
    await (tls as TlsListener | null)?.close();
    await app.close();
    store.db.close();
  };
  try {
    reload();
    await startModules();
    await app.ready();
    await app.listen({ host: config.host, port: config.port });
    tls = await startTls(config, app);
    if (tls) app.log.info({ url: tls.url }, 'HTTPS listener for devices and agents');
    for (const m of modules) await m.start?.();
  } catch (e) {
    await stopAll();
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    services,
    url: `http://${host}:${port}`,
    tlsUrl: (tls as TlsListener | null)?.url ?? null,
    labLogins,
    reload,
    close: stopAll,
  };
}

/** The device-facing HTTPS listener: configured, or lab mode's on a free port with the lab certificate. */
async function startTls(config: Config, app: FastifyInstance): Promise<TlsListener | null> {
  const t = config.http.tls;
  if (t) {
    let cert: string, key: string;
    try {
      [cert, key] = [readFileSync(t.certFile, 'utf8'), readFileSync(t.keyFile, 'utf8')];
    } catch (e) {
      throw new Error(`http.tls: cannot read the certificate or key: ${(e as Error).message}`);
    }
    return listenTls(app, { host: t.host ?? config.host, port: t.port, cert, key, url: t.url });
  }
  return config.lab ? listenTls(app, { host: '127.0.0.1', port: 0, cert: LAB_SIMPUL_CERT, key: LAB_SIMPUL_KEY }) : null;
}

/** A named credential with its secret fields read; lab mode falls back to the simulators' own. */
function resolveCredential(config: Config, name: string): Record<string, string> {
  const c = config.credentials[name];
  if (!c) {
    if (config.lab) return { ...LAB_CREDENTIALS };
    throw new AppError(500, 'CREDENTIAL_UNKNOWN', `credential '${name}' named in the inventory is not under credentials: in the config`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) if (v !== undefined) out[k] = typeof v === 'string' ? v : readSecret(v);
  for (const k of Object.keys(out)) if (SECRET_FIELDS.has(k) && !out[k]) throw new AppError(500, 'CREDENTIAL_EMPTY', `credential '${name}' has an empty ${k}`);
  return out;
}
