/**
 * Backups of Simpul's own database to the DRC: snapshots every `backup.database.intervalHours`,
 * restore tests (fetched back from the target) every `restoreTestHours`, both on demand too.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import type { ModuleDefinition, ModuleFactory } from '../module.js';
import { ensureBackupKey, loadBackupKey } from './key.js';
import { registerDbBackupMetrics } from './metrics.js';
import { dbBackupRoutes } from './routes.js';
import { DbBackupService } from './service.js';
import { dirTarget } from './target-dir.js';
import { sftpTarget } from './target-sftp.js';
import type { Target } from './target.js';
import * as repo from './repository.js';
import type { Config } from '../config/schema.js';

const HOUR_MS = 3_600_000;

type DbBackupConfig = Config['backup']['database'];

/** The configured target; credentials are read when the module starts (a missing secret stops the start). */
export function configuredTarget(cfg: DbBackupConfig, credentials: (name: string) => Record<string, string>): Target | { none: string } {
  const t = cfg.target;
  if (!t) return { none: 'backup.database.target is not set in the config' };
  if (t.type === 'dir') return dirTarget(t.path);
  const c = credentials(t.credentials);
  const username = t.username ?? c.username ?? c.user;
  if (!username) throw new Error(`backup.database.target: credential '${t.credentials}' has no username`);
  if (!c.privateKey && !c.password) throw new Error(`backup.database.target: credential '${t.credentials}' has neither password nor privateKey`);
  return sftpTarget({
    ssh: {
      host: t.host,
      port: t.port ?? 22,
      username,
      ...(c.privateKey ? { privateKey: c.privateKey, ...(c.passphrase ? { passphrase: c.passphrase } : {}) } : { password: c.password }),
    },
    path: t.path,
    hostKey: t.hostKey,
    timeoutMs: cfg.timeoutSeconds * 1000,
  });
}

const createDbBackup: ModuleFactory = (ctx) => {
  const cfg = ctx.config.backup.database;
  const log = ctx.log.child({ module: 'db-backup' });
  const keyFile = cfg.keyFile ?? join(ctx.config.dataDir, 'backup.key');
  if (cfg.target && ensureBackupKey(keyFile))
    log.warn(
      { keyFile },
      'created a database backup key: copy it to the DRC now, apart from the backups (README "Disaster recovery"); without it no backup can be restored',
    );
  const target = configuredTarget(cfg, ctx.credentials);
  const workDir = join(ctx.config.dataDir, 'db-backup-work');
  // scratch left by a daemon that stopped mid-way
  rmSync(workDir, { recursive: true, force: true });
  const service = new DbBackupService({ store: ctx.store, target: () => target, key: () => loadBackupKey(keyFile), workDir, retention: cfg.retention, log });
  if (cfg.target) loadBackupKey(keyFile); // a bad key file stops the start, not the first backup hours later
  service.markInterrupted();
  const metrics = 'none' in target ? null : registerDbBackupMetrics(ctx.registry, ctx.store.db, cfg.intervalHours);

  const timers: NodeJS.Timeout[] = [];
  let inFlight: Promise<unknown> | undefined;
  const every = (hours: number, what: string, last: () => string | null | undefined, run: () => Promise<unknown>) => {
    if (hours <= 0 || 'none' in target) return;
    const tick = () => {
      if (inFlight) return;
      inFlight = run()
        .catch((e: unknown) => log.error({ err: e }, `scheduled database ${what} failed`))
        .finally(() => (inFlight = undefined));
    };
    const t = setInterval(tick, hours * HOUR_MS);
    t.unref();
    timers.push(t);
    // overdue at start (never done, or the daemon was down): soon, after the start settles
    const at = last();
    if (!at || Date.parse(at) + hours * HOUR_MS <= Date.now()) {
      const first = setTimeout(tick, (ctx.config.lab ? Math.min(ctx.config.backup.startDelaySeconds, 5) : ctx.config.backup.startDelaySeconds) * 1000);
      first.unref();
      timers.push(first);
    }
  };

  return {
    name: 'db-backup',
    routes: dbBackupRoutes(service),
    start: async () => {
      every(
        cfg.intervalHours,
        'backup',
        () => repo.lastStoredAt(ctx.store.db),
        () => service.create(),
      );
      // a restore test needs a stored backup; none yet is not a failure to log
      every(
        cfg.restoreTestHours,
        'restore test',
        () => repo.latestTest(ctx.store.db)?.finishedAt,
        async () => (repo.latestStored(ctx.store.db) ? service.restoreTest() : undefined),
      );
    },
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      await inFlight;
      metrics?.unregister();
    },
  };
};

export const dbBackupModule: ModuleDefinition = { name: 'db-backup', create: createDbBackup };
