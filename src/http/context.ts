import type { SyncReport } from '../inventory/sync.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Actor } from '../auth/actor.js';
import type { TokenService } from '../auth/tokens.js';
import type { UserService } from '../auth/users.js';
import type { SessionService } from '../auth/sessions.js';
import type { AuditService } from '../audit/service.js';
import type { InventoryService } from '../inventory/service.js';
import type { Store } from '../store/store.js';
import type { Config } from '../config/schema.js';
import type { IpamService } from '../ipam/service.js';
import type { RequestService } from '../requests/service.js';
import type { Provided } from '../module.js';

/** Everything routes may call. Routes hold no state and write no SQL: they call services. */
export interface Services {
  config: Config;
  store: Store;
  registry: Registry;
  tokens: TokenService;
  /** People's accounts (and the UserDirectory other domains read); sessions of the pages. */
  users: UserService;
  sessions: SessionService;
  audit: AuditService;
  inventory: InventoryService;
  ipam: IpamService;
  requests: RequestService;
  /** A module's service (see Provided in src/module.ts); undefined before modules start or when its module does not run. */
  use<K extends keyof Provided>(name: K): Provided[K] | undefined;
  /** Loads the inventory from disk now and syncs the store (SIGHUP's reload, as `actor`); 422 INVENTORY_INVALID keeps the previous one. */
  reloadInventory(actor: Actor): SyncReport;
  /** Named readiness checks: /readyz answers 503 naming each one that fails. */
  readiness: Map<string, () => string | null>;
}

/** A plugin that adds routes for one domain under /api/v1. */
export type RoutePlugin = (app: FastifyInstance, services: Services) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

export const actorOf = (req: FastifyRequest): Actor => req.actor;
