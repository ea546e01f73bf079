import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import type { Store } from './store/store.js';
import type { Clock } from './common/clock.js';
import type { RoutePlugin, Services } from './http/context.js';
import type { Device, Inventory } from './inventory/model.js';
import type { DesiredRegistry } from './routeros/contributors.js';
import type { TopologyService } from './topology/service.js';
import type { BlockingService } from './blocking/service.js';
import type { LabelService } from './labels/service.js';
import type { RouterService } from './routeros/service.js';
import type { SnmpService } from './snmp/service.js';
import type { NotificationService } from './notifications/service.js';
import type { TlsEndpoint } from './http/tls-listener.js';

/**
 * Services modules offer the modules after them in MODULES (their read interfaces and change
 * events; never their tables). A key is absent when its module does not run.
 */
export interface Provided {
  topology: TopologyService;
  blocking: BlockingService;
  labels: LabelService;
  /** Routers' sync state, plans and operators' applies (the NOC's router pages). */
  routeros: RouterService;
  /** Backbone links and poll state (the NOC's backbone page). */
  snmp: SnmpService;
  /** A person's own notifications and unread count (pages show them). */
  notifications: NotificationService;
}

export interface Endpoint {
  host: string;
  port: number;
}
export type DeviceService = 'routeros' | 'routeros-ssh' | 'snmp';

/**
 * What a domain module (routers, SNMP, diagrams...) gets from the daemon. Modules hold their own
 * services and close over them in their routes; the daemon only starts and stops them.
 */
export interface ModuleContext {
  config: Config;
  store: Store;
  registry: Registry;
  services: Services;
  clock: Clock;
  log: FastifyBaseLogger;
  /** The inventory as last loaded (at start, then on every SIGHUP). */
  inventory(): Inventory;
  /** Subscribe to inventory reloads (devices added, changed, removed). */
  onInventory(fn: (inv: Inventory) => void): void;
  /**
   * Where to reach a device's service: its management address in production; in lab mode its
   * simulator on 127.0.0.1, and null for a device without one (never the inventory address).
   */
  endpoint(device: Device, service: DeviceService): Endpoint | null;
  /** A named credential from the config with its secrets read (env or file). Throws if unknown. */
  credentials(name: string): Record<string, string>;
  /** Router desired state: domains register contributors; the RouterOS reconciler consumes them. */
  desired: DesiredRegistry;
  /** Offers a service to the modules that start after this one. */
  provide<K extends keyof Provided>(name: K, service: Provided[K]): void;
  /** A service an earlier module (or the daemon) provided; undefined when none did. */
  use<K extends keyof Provided>(name: K): Provided[K] | undefined;
  /**
   * The HTTPS listener devices and agents fetch from (http.tls; lab mode's own), or null when not
   * configured. Known once the server listens: read it in start() or later, not in the factory.
   */
  tls(): TlsEndpoint | null;
}

export interface SimpulModule {
  name: string;
  routes?: RoutePlugin;
  /** Routes outside /api/v1 without token authentication (what devices fetch; they authorise themselves). */
  publicRoutes?: RoutePlugin;
  readiness?: [string, () => string | null][];
  /** Starts background work (reconcilers, pollers) once the HTTP server listens. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export type ModuleFactory = (ctx: ModuleContext) => SimpulModule | Promise<SimpulModule>;
