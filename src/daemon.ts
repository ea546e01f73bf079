import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import { readSecret } from './config/load.js';
import { SECRET_FIELDS } from './config/schema.js';
import { openDb, type Db } from './store/db.js';
import { Store } from './store/store.js';
import { loadAuditKey } from './audit/key.js';
import { systemClock, type Clock } from './common/clock.js';
import { AppError } from './common/errors.js';
import { createRegistry } from './metrics/registry.js';
import { webPages } from './web/plugin.js';
import { servicePort } from './inventory/endpoints.js';
import type { Device } from './inventory/model.js';
import type { SyncReport } from './inventory/sync.js';
import { buildHttp, loggerOptions } from './http/app.js';
import type { RoutePlugin, Services } from './http/context.js';
import { listenTls, type TlsListener } from './http/tls-listener.js';
import { CORE_MODULES, LAB_MODULE, MODULES } from './modules.js';
import { orderModules } from './module-order.js';
import type { DeviceService, Endpoint, ModuleContext, ModuleDefinition, Provided, SimpulModule } from './module.js';
import { LAB_CREDENTIALS } from './lab/lab.js';
import type { LabLogin } from './lab/accounts.js';
import { LAB_SIMPUL_CERT, LAB_SIMPUL_KEY } from './lab/lab-tls.js';
import { DesiredRegistry } from './routeros/contributors.js';

/** Opens the store with its audit key: the same for the daemon and the CLI. */
export function openStore(config: Config, clock: Clock = systemClock): Store {
  const db: Db = openDb(config.dataDir);
  return new Store(db, clock, loadAuditKey(config.audit.keyFile ?? join(config.dataDir, 'audit.key')));
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
  /** The domain modules to run besides the core (and lab); all of MODULES by default (a benchmark of one domain runs fewer). */
  modules?: readonly ModuleDefinition[];
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

/**
 * The daemon: the store, the modules (every domain: core, lab in lab mode, then the others, in the
 * order their requirements give), HTTP. Signals are the CLI's business, not this one's.
 */
export async function startDaemon(config: Config, opts: DaemonOptions = {}): Promise<Daemon> {
  const store = openStore(config, opts.clock);
  const registry: Registry = createRegistry();
  const provided = new Map<keyof Provided, unknown>();
  const need = <K extends keyof Provided>(name: K): Provided[K] => {
    const s = provided.get(name);
    if (s === undefined) throw new Error(`no module provides '${name}'`);
    return s as Provided[K];
  };
  const services: Services = {
    config,
    store,
    registry,
    // The core modules' services; routes and pages read them once the modules have started.
    get tokens() {
      return need('tokens');
    },
    get users() {
      return need('users');
    },
    get sessions() {
      return need('sessions');
    },
    get audit() {
      return need('audit');
    },
    get inventory() {
      return need('inventory');
    },
    get ipam() {
      return need('ipam');
    },
    get requests() {
      return need('requests');
    },
    use: (name) => provided.get(name) as never,
    reloadInventory: (actor) => need('loadedInventory').reloadForApi(actor),
    readiness: new Map<string, () => string | null>([['store', () => (store.db.prepare('SELECT 1 AS ok').get() ? null : 'the database does not answer')]]),
  };

  // The HTTP app is built first (its logger is the daemon's); module routes join before ready().
  const routes = [...(opts.routes ?? [])];
  const { app } = await buildHttp(services, { routes, logger: loggerOptions(config.log.level, opts.logStream), notFound: webPages.notFound(services) });
  // The pages for people (outside /api); they load at ready() like the API.
  void app.register(webPages.plugin(services));

  const modules: SimpulModule[] = [];
  const desired = new DesiredRegistry();
  let tls: TlsListener | null = null;
  async function startModules(): Promise<void> {
    const defs = orderModules([...CORE_MODULES, ...(config.lab ? [LAB_MODULE] : []), ...(opts.modules ?? MODULES)]);
    for (const def of defs) {
      const mine = new Set<keyof Provided>(def.provides ?? []);
      const allowed = new Set<keyof Provided>([...(def.requires ?? []), ...(def.uses ?? [])]);
      const ctx: ModuleContext = {
        config,
        store,
        registry,
        clock: opts.clock ?? systemClock,
        log: app.log,
        inventory: () => need('loadedInventory').current(),
        onInventory: (fn) => need('loadedInventory').onReload(fn),
        endpoint: (d, service) => {
          const lab = provided.get('lab') as Provided['lab'] | undefined;
          return lab ? lab.endpoint(d, service) : (opts.endpoint ?? realEndpoint)(d, service);
        },
        credentials: (name) => resolveCredential(config, name),
        desired,
        provide: (name, service) => {
          if (!mine.has(name)) throw new Error(`module '${def.name}' provides '${name}' without declaring it`);
          provided.set(name, service);
        },
        use: (name) => {
          if (!allowed.has(name)) throw new Error(`module '${def.name}' uses '${name}' without declaring it (requires or uses)`);
          return provided.get(name) as never;
        },
        need: (name) => {
          if (!def.requires?.includes(name)) throw new Error(`module '${def.name}' needs '${name}' without declaring it in requires`);
          return need(name);
        },
        tls: () => tls,
      };
      const m = await def.create(ctx);
      modules.push(m);
      for (const p of mine) if (!provided.has(p)) throw new Error(`module '${def.name}' declares '${p}' but did not provide it`);
      if (m.routes) routes.push(m.routes);
      const pub = m.publicRoutes;
      if (pub) void app.register(async (root) => pub(root, services));
      for (const [k, check] of m.readiness ?? []) services.readiness.set(`${m.name}.${k}`, check);
    }
  }
  const stopAll = async () => {
    for (const m of [...modules].reverse()) await m.stop?.().catch((e) => app.log.error({ err: e, module: m.name }, 'module stop failed'));
    await (tls as TlsListener | null)?.close();
    await app.close();
    store.db.close();
  };
  try {
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
    labLogins: (provided.get('lab') as Provided['lab'] | undefined)?.logins ?? [],
    reload: () => need('loadedInventory').reloadOrKeep(),
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
