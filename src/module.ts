import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import type { Store } from './store/store.js';
import type { Clock } from './common/clock.js';
import type { RoutePlugin } from './http/context.js';
import type { Device, Inventory } from './inventory/model.js';
import type { DesiredRegistry } from './routeros/contributors.js';
import type { TopologyService } from './topology/service.js';
import type { BlockingService } from './blocking/service.js';
import type { LabelService } from './labels/service.js';
import type { RouterService } from './routeros/service.js';
import type { SnmpService } from './snmp/service.js';
import type { NotificationService } from './notifications/service.js';
import type { TlsEndpoint } from './http/tls-listener.js';
import type { TokenService } from './auth/tokens.js';
import type { UserService } from './auth/users.js';
import type { SessionService } from './auth/sessions.js';
import type { AuditService } from './audit/service.js';
import type { InventoryService } from './inventory/service.js';
import type { LiveInventory } from './inventory/live.js';
import type { IpamService } from './ipam/service.js';
import type { RequestService } from './requests/service.js';
import type { LabMode } from './lab/module.js';

/**
 * Services modules offer the modules that require them (their read interfaces and change events;
 * never their tables). A key is absent when its module does not run.
 */
export interface Provided {
  audit: AuditService;
  /** API tokens; people's accounts (and the UserDirectory other domains read); the pages' sessions. */
  tokens: TokenService;
  users: UserService;
  sessions: SessionService;
  /** The inventory's read side for the API (OPD-scoped). */
  inventory: InventoryService;
  /** The inventory as last loaded from its files, and its reloads (start, SIGHUP, the API). */
  loadedInventory: LiveInventory;
  ipam: IpamService;
  /** Requests of every type; domains register their types (ip-block, unblock). */
  requests: RequestService;
  /** Lab mode's simulators (where each device is reached on 127.0.0.1). */
  lab: LabMode;
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
  /** Offers a service this module declared in `provides` to the modules that require it. */
  provide<K extends keyof Provided>(name: K, service: Provided[K]): void;
  /** A service a module started before this one provided (see `requires`); undefined when none did. */
  use<K extends keyof Provided>(name: K): Provided[K] | undefined;
  /** A service this module declared in `requires`: its provider has started. */
  need<K extends keyof Provided>(name: K): Provided[K];
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

/**
 * A domain as the daemon runs it: its name, the services it needs from others (`requires`: their
 * modules start first; a missing or circular one stops the start), what it offers (`provides`,
 * through ctx.provide), and services it uses when present (`uses`: started first if they run).
 */
export interface ModuleDefinition {
  name: string;
  requires?: readonly (keyof Provided)[];
  uses?: readonly (keyof Provided)[];
  provides?: readonly (keyof Provided)[];
  create: ModuleFactory;
}
