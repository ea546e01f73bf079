import type { ModuleContext, ModuleDefinition, ModuleFactory } from '../module.js';
import type { Inventory } from '../inventory/model.js';
import type { ChangedRouters } from '../routeros/contributors.js';
import { makePrefix, parseAddress } from '../common/net/cidr.js';
import { BlockingService } from './service.js';
import { blockingRoutes } from './routes.js';
import { unblockRequest } from './unblock-request.js';
import { registerBlockingMetrics } from './metrics.js';
import { blockingContributor, isOpdRouter } from './contributor.js';
import { roleOverrides } from '../routeros/roles.js';
import { poolRanges } from '../ipam/read.js';
import { dohCanaryContributor } from './doh-canary.js';
import { AdlistFiles } from './adlist-files.js';
import { AdlistSecrets } from './adlist-secrets.js';
import { adlistApiRoutes, adlistPublicRoutes, type AdlistServing } from './adlist-routes.js';
import { join } from 'node:path';
import type { ChangedOpds } from './effective.js';
import { periodic } from '../common/periodic.js';
import type { ProtectedRange } from './normalize.js';

/** The routers that enforce these OPDs' lists: each OPD's RouterOS routers. */
export function routerIdsOf(inv: Inventory, opds: ChangedOpds): ChangedRouters {
  if (opds === 'all') return 'all';
  const want = new Set(opds);
  return inv.devices.filter((d) => d.routeros && want.has(d.opd)).map((d) => d.id);
}

/** Every device's management address: a block list must never cut the NOC off a device. */
function managementAddresses(inv: Inventory): ProtectedRange[] {
  const out: ProtectedRange[] = [];
  for (const d of inv.devices) {
    try {
      const a = parseAddress(d.mgmt);
      out.push({ prefix: makePrefix(a.family, a.value, a.family === 4 ? 32 : 128), why: `the management address of ${d.id} (${a.text})` });
    } catch {
      // The inventory check reports bad addresses; nothing to protect here.
    }
  }
  return out;
}

export function createBlockingService(ctx: ModuleContext): BlockingService {
  const cfg = ctx.config.blocking;
  return new BlockingService(ctx.store, {
    clock: ctx.clock,
    minPrefixLength: { 4: cfg.minPrefixLengthV4, 6: cfg.minPrefixLengthV6 },
    maxExceptionDays: cfg.maxExceptionDays,
    protectedAddresses: () => managementAddresses(ctx.inventory()),
    protectedDomains: () => {
      const d = ctx.inventory().regency.domain;
      return d ? [d] : [];
    },
    timezone: ctx.config.timezone,
    onListenerError: (e) => ctx.log.error({ err: e }, 'blocking change listener failed'),
  });
}

const createBlocking: ModuleFactory = (ctx) => {
  const cfg = ctx.config.blocking;
  const svc = createBlockingService(ctx);
  ctx.provide('blocking', svc);
  ctx.need('requests').register(unblockRequest(svc, ctx.need('requests')));
  const pools = () => poolRanges(ctx.store.db).map((p) => p.cidr);
  // router-fetched lists: a hosts file per OPD and version, each router's URL secret, what each router received
  const files = new AdlistFiles(join(ctx.config.dataDir, 'adlist'), (opd) => svc.effective(opd, ctx.clock.now()));
  const secrets = new AdlistSecrets(ctx.store);
  const served = new Map<string, string>();
  const contributor = blockingContributor(svc, {
    config: ctx.config,
    clock: ctx.clock,
    protectedPrefixes: pools,
    adlist: {
      url: (id) => {
        const tls = ctx.tls();
        return cfg.adlist.enabled && tls ? `${tls.url}/adlist/${id}/${secrets.secretFor(id)}.txt` : null;
      },
      version: (opd) => files.version(opd),
      served: (id) => served.get(id),
      reloadWaitMs: cfg.adlist.reloadWaitSeconds * 1000,
    },
  });
  ctx.desired.register(contributor);
  ctx.desired.register(dohCanaryContributor(() => cfg.dohCanary));
  const serving: AdlistServing = {
    files,
    secrets,
    allowFrom: cfg.adlist.allowFrom,
    router: (id) => {
      const d = ctx.inventory().devices.find((x) => x.id === id);
      if (!d || !isOpdRouter(d, ctx.inventory(), roleOverrides(ctx.config.routeros))) return null;
      // lab mode: the router's requests come from its simulator on 127.0.0.1
      return { opd: d.opd, address: ctx.endpoint(d, 'routeros')?.host ?? d.mgmt, adlist: contributor.report(id)?.mode === 'adlist' };
    },
    served: (id, version) => void served.set(id, version),
    revoked: (id) => ctx.desired.changed([id]),
  };
  svc.onChange((opds) => ctx.desired.changed(routerIdsOf(ctx.inventory(), opds)));
  registerBlockingMetrics(ctx.registry, svc);
  const sweep = periodic(ctx.log, 'exception expiry sweep', cfg.expirySweepSeconds, () => {
    const n = svc.sweep();
    if (n) ctx.log.info({ expired: n }, 'unblock exceptions expired');
  });
  return {
    name: 'blocking',
    routes: async (app, services) => {
      await blockingRoutes(svc, { maxImportBytes: cfg.maxImportBytes, maxLineBytes: cfg.maxLineBytes, regencyDomain: () => ctx.inventory().regency.domain })(
        app,
        services,
      );
      await adlistApiRoutes(serving)(app, services);
    },
    publicRoutes: adlistPublicRoutes(serving),
    async start() {
      sweep.start();
    },
    async stop() {
      sweep.stop();
    },
  };
};

export const blockingModule: ModuleDefinition = {
  name: 'blocking',
  requires: ['requests', 'loadedInventory'],
  uses: ['lab'],
  provides: ['blocking'],
  create: createBlocking,
};
