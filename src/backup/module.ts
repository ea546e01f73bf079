/**
 * Router config backups in the daemon: every inventory router with `routeros:` is backed up over
 * SSH on a schedule (`backup.intervalHours`) and on demand, metrics read the stored state.
 */
import { createHmac } from 'node:crypto';
import type { ModuleDefinition, ModuleFactory } from '../module.js';
import { registerBackupMetrics } from './metrics.js';
import { backupRoutes } from './routes.js';
import { BackupService, type BackupRouter } from './service.js';
import { backupTarget } from './targets.js';

const HOUR_MS = 3_600_000;

const createBackup: ModuleFactory = (ctx) => {
  const cfg = ctx.config.backup;
  const log = ctx.log.child({ module: 'backup' });
  const routers = (): Map<string, BackupRouter> =>
    new Map(
      ctx
        .inventory()
        .devices.filter((d) => d.routeros)
        .map((d) => [d.id, { id: d.id, opd: d.opd }]),
    );
  const device = (id: string) => ctx.inventory().devices.find((d) => d.id === id);

  const metrics = registerBackupMetrics(ctx.registry, ctx.store.db, () => routers().keys(), cfg.intervalHours);
  const service = new BackupService({
    store: ctx.store,
    // a key of its own, derived from the audit key: digests of masked secrets are useless without it
    maskKey: createHmac('sha256', ctx.store.key).update('simpul backup mask').digest(),
    routers,
    target: (id) => {
      const d = device(id);
      if (!d?.routeros) return { skip: 'not a router of the inventory' };
      return backupTarget(d, {
        endpoint: ctx.endpoint(d, 'routeros-ssh'),
        credentials: ctx.credentials(d.routeros.credentials),
        showSensitive: cfg.showSensitive,
        terse: cfg.terse,
      });
    },
    settings: { timeoutMs: cfg.timeoutSeconds * 1000, maxBytes: cfg.maxBytes, concurrency: cfg.concurrency },
    log,
    onOutcome: (o) => metrics.observe(o),
  });

  const timers: NodeJS.Timeout[] = [];
  let inFlight: Promise<void> | undefined;
  const pass = async () => {
    const outcomes = await service.backupAll();
    const count = (r: string) => outcomes.filter((o) => o.result === r).length;
    log.info(
      { routers: outcomes.length, changed: count('changed'), unchanged: count('unchanged'), failed: outcomes.length - count('changed') - count('unchanged') },
      'scheduled router backups done',
    );
  };

  return {
    name: 'backup',
    routes: backupRoutes(service),
    start: async () => {
      if (cfg.intervalHours <= 0) return;
      const delay = (ctx.config.lab ? Math.min(cfg.startDelaySeconds, 5) : cfg.startDelaySeconds) * 1000;
      const tick = () => {
        if (inFlight) return;
        inFlight = pass()
          .catch((e: unknown) => log.error({ err: e }, 'scheduled router backups failed'))
          .finally(() => (inFlight = undefined));
      };
      const first = setTimeout(() => {
        tick();
        const every = setInterval(tick, cfg.intervalHours * HOUR_MS);
        every.unref();
        timers.push(every);
      }, delay);
      first.unref();
      timers.push(first);
    },
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      // a pass under way ends within backup.timeoutSeconds; let it finish its writes
      await inFlight;
      metrics.unregister();
    },
  };
};

export const backupModule: ModuleDefinition = { name: 'backup', requires: ['loadedInventory'], uses: ['lab'], create: createBackup };
