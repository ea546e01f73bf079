// The IPAM module: the numbering authority (pools, prefixes, addresses, the ip-block request type),
// and what it wants on routers (a route on the core toward each office's LAN, NAT on the internet
// edge for public addresses of data-center servers), resynced when IPAM announces a change that can
// move them, and only on the router it concerns.
import type { ModuleDefinition } from '../module.js';
import { coreRouter, edgeRouter, roleOverrides } from '../routeros/roles.js';
import { natContributor } from './nat-contributor.js';
import { routeContributor } from './route-contributor.js';
import { IpamService } from './service.js';
import { ipBlockRequest } from './ip-block-request.js';
import { registerIpamMetrics } from './metrics.js';
import { ipamRoutes } from './routes.js';

/** Changes that can move a route (LANs, backbone links and their addresses, pools) or a NAT rule (addresses, pools). */
const MOVES_ROUTES = /^ipam\.(prefix|address|pool|import)\b/;
const MOVES_NAT = /^ipam\.(address|pool|import)\b/;

export const ipamModule: ModuleDefinition = {
  name: 'ipam',
  requires: ['requests', 'loadedInventory'],
  provides: ['ipam'],
  create(ctx) {
    const ipam = new IpamService(ctx.store, { quarantineDays: ctx.config.ipam.quarantineDays });
    ctx.need('requests').register(ipBlockRequest(ipam));
    registerIpamMetrics(ctx.registry, ipam);
    ctx.provide('ipam', ipam);
    const roles = roleOverrides(ctx.config.routeros);
    ctx.desired.register(routeContributor(ctx.store, roles));
    ctx.desired.register(natContributor(ctx.store, roles));
    ipam.onChange((changes) => {
      const inv = ctx.inventory();
      const ids = new Set<string>();
      const core = coreRouter(inv, roles);
      const edge = edgeRouter(inv, roles);
      if (core && changes.some((c) => MOVES_ROUTES.test(c.action))) ids.add(core);
      if (edge && changes.some((c) => MOVES_NAT.test(c.action))) ids.add(edge);
      if (ids.size) ctx.desired.changed([...ids]);
    });
    return { name: 'ipam', routes: ipamRoutes };
  },
};
