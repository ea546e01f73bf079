// Backup metrics, read at scrape time so a router removed from the inventory loses its series.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../store/db.js';
import { allChecks, allHostKeyMismatches, latestSizes } from './repository.js';
import type { BackupOutcome } from './service.js';

export interface BackupMetrics {
  observe(o: BackupOutcome): void;
  unregister(): void;
}

/** `intervalHours` (backup.intervalHours) is exported so an alert can say "older than 2 intervals" without repeating the config. */
export function registerBackupMetrics(registry: Registry, db: Db, routers: () => Iterable<string>, intervalHours?: number): BackupMetrics {
  const counts = new Map<string, number>();
  const names = ['simpul_backup_last_success_timestamp_seconds', 'simpul_backup_total', 'simpul_backup_host_key_mismatch', 'simpul_backup_size_bytes'];
  if (intervalHours !== undefined) {
    names.push('simpul_backup_interval_seconds');
    new Gauge({
      name: 'simpul_backup_interval_seconds',
      help: 'Configured time between scheduled router config backups (backup.intervalHours; 0 = on demand only)',
      registers: [registry],
      collect() {
        this.set(intervalHours * 3600);
      },
    });
  }
  new Gauge({
    name: 'simpul_backup_size_bytes',
    help: "Size of the router's newest stored config backup (the masked /export text)",
    labelNames: ['router'],
    registers: [registry],
    collect() {
      this.reset();
      const sizes = latestSizes(db);
      for (const r of routers()) {
        const size = sizes.get(r);
        if (size !== undefined) this.set({ router: r }, size);
      }
    },
  });
  new Gauge({
    name: 'simpul_backup_last_success_timestamp_seconds',
    help: 'When the router config backup last succeeded (changed or unchanged), Unix seconds',
    labelNames: ['router'],
    registers: [registry],
    collect() {
      this.reset();
      const checks = allChecks(db);
      for (const r of routers()) {
        const at = checks.get(r)?.lastSuccessAt;
        if (at) this.set({ router: r }, Date.parse(at) / 1000);
      }
    },
  });
  new Counter({
    name: 'simpul_backup_total',
    help: 'Router config backup attempts since start by result: changed, unchanged, skipped, host_key_changed, auth, unreachable, timeout, too_large, command',
    labelNames: ['router', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      const live = new Set(routers());
      for (const [k, n] of counts) {
        const [router = '', result = ''] = k.split('\0');
        if (live.has(router)) this.inc({ router, result }, n);
      }
    },
  });
  new Gauge({
    name: 'simpul_backup_host_key_mismatch',
    help: '1 while the router presents an SSH host key other than the pinned one (backups refused until a noc-admin re-pins)',
    labelNames: ['router'],
    registers: [registry],
    collect() {
      this.reset();
      const refused = allHostKeyMismatches(db);
      for (const r of routers()) this.set({ router: r }, refused.has(r) ? 1 : 0);
    },
  });
  return {
    observe(o) {
      const k = `${o.router}\0${o.result}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    },
    unregister() {
      for (const n of names) registry.removeSingleMetric(n);
    },
  };
}
