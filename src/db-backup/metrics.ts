// Database backup metrics, read from the store at scrape time (so they survive a restart) in the
// style of src/backup/metrics.ts. Absent when no target is configured.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../store/db.js';
import * as repo from './repository.js';

const NAMES = [
  'simpul_db_backup_last_success_timestamp_seconds',
  'simpul_db_backup_size_bytes',
  'simpul_db_backup_interval_seconds',
  'simpul_db_restore_test_last_success_timestamp_seconds',
  'simpul_db_restore_test_duration_seconds',
  'simpul_db_restore_test_ok',
  'simpul_db_restore_test_failures_total',
];

const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : 0);

export function registerDbBackupMetrics(registry: Registry, db: Db, intervalHours: number): { unregister(): void } {
  new Gauge({
    name: 'simpul_db_backup_last_success_timestamp_seconds',
    help: 'When the last database backup was stored on the DRC target, Unix seconds (0 = never)',
    registers: [registry],
    collect() {
      this.set(seconds(repo.lastStoredAt(db)));
    },
  });
  new Gauge({
    name: 'simpul_db_backup_size_bytes',
    help: 'Size of the newest stored database backup file (compressed, encrypted)',
    registers: [registry],
    collect() {
      this.set(repo.latestStored(db)?.size ?? 0);
    },
  });
  new Gauge({
    name: 'simpul_db_backup_interval_seconds',
    help: 'Configured time between database backups (backup.database.intervalHours; 0 = on demand only)',
    registers: [registry],
    collect() {
      this.set(intervalHours * 3600);
    },
  });
  new Gauge({
    name: 'simpul_db_restore_test_last_success_timestamp_seconds',
    help: 'When a restore test of a database backup (fetched from the target) last passed, Unix seconds (0 = never)',
    registers: [registry],
    collect() {
      this.set(seconds(repo.latestPassedTest(db)?.finishedAt));
    },
  });
  new Gauge({
    name: 'simpul_db_restore_test_duration_seconds',
    help: 'How long the latest restore test took: fetch, decrypt, check (the recovery time of the data)',
    registers: [registry],
    collect() {
      const t = repo.latestTest(db);
      if (t) this.set(t.durationMs / 1000);
      else this.reset();
    },
  });
  new Gauge({
    name: 'simpul_db_restore_test_ok',
    help: '1 when the latest restore test passed, 0 when it failed (absent before the first)',
    registers: [registry],
    collect() {
      const t = repo.latestTest(db);
      if (t) this.set(t.ok ? 1 : 0);
      else this.reset();
    },
  });
  new Counter({
    name: 'simpul_db_restore_test_failures_total',
    help: 'Restore tests that failed, ever (kept in the store)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(repo.failedTestCount(db));
    },
  });
  return {
    unregister() {
      for (const n of NAMES) registry.removeSingleMetric(n);
    },
  };
}
