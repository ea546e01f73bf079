// The RouterOS module: the reconciler over every inventory router (pushing what the contributors,
// IPAM's routes and NAT, site blocking..., want on each), the HTTP API and the metrics.
import type { ModuleDefinition, ModuleFactory } from '../module.js';
import { LAB_ROUTER_CERT } from '../lab/routeros/lab-cert.js';
import { Reconciler } from './reconciler.js';
import { registerRouterMetrics } from './metrics.js';
import { routerRoutes } from './routes.js';
import { RouterService } from './service.js';
import { readFileSync } from 'node:fs';

const createRouteros: ModuleFactory = (ctx) => {
  const cfg = ctx.config.routeros;
  let metrics: { observe(ms: number): void } | undefined;
  let svc: RouterService | undefined;
  const reconciler = new Reconciler({
    settings: cfg,
    inventory: ctx.inventory,
    endpoint: ctx.endpoint,
    credentials: ctx.credentials,
    desired: ctx.desired,
    // API-SSL: a credential may carry the router's certificate (caFile); lab routers use the lab's
    tlsFor: (_d, cred) => (cred.caFile ? { ca: readFileSync(cred.caFile) } : ctx.config.lab ? { ca: LAB_ROUTER_CERT } : true),
    onSync: (_id, result, ms) => {
      if (result !== 'refused') metrics?.observe(ms);
    },
    onApplied: (status, result) => svc?.auditBackground(status, result),
    onMismatch: (router, mismatch) =>
      ctx.log.warn({ router, mismatch }, 'the router reports a different version or model than the inventory; the router is believed'),
    log: ctx.log,
  });
  svc = new RouterService(ctx.store, reconciler);
  ctx.provide('routeros', svc);
  metrics = registerRouterMetrics(ctx.registry, reconciler);
  ctx.onInventory((inv) => reconciler.setInventory(inv));
  return {
    name: 'routeros',
    routes: routerRoutes(svc),
    start: async () => reconciler.start(),
    stop: () => reconciler.stop(),
  };
};

export const routerosModule: ModuleDefinition = {
  name: 'routeros',
  requires: ['loadedInventory'],
  uses: ['lab'],
  provides: ['routeros'],
  create: createRouteros,
};
