/**
 * A consistent copy of the live database while the daemon serves: SQLite's online backup API
 * (better-sqlite3 `db.backup`), which copies pages in steps and yields to the event loop between
 * them, restarting if another connection writes (writes through this connection are carried into
 * the copy). The copy is made a single self-contained file (rollback journal, not WAL).
 */
import Database from 'better-sqlite3';
import type { Db } from '../store/db.js';
import type { Observed } from './manifest.js';
import { auditHead } from '../audit/read.js';

/** Pages copied per step: small steps keep the event loop (and /healthz) answering. */
const PAGES_PER_STEP = 256;

export async function snapshotTo(live: Db, file: string): Promise<void> {
  await live.backup(file, { progress: () => PAGES_PER_STEP });
  const copy = new Database(file);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** Schema level, row counts, audit head and sentinel of a database (the snapshot or a restored copy). */
export function describeDb(db: Db): Omit<Observed, 'parts'> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const rowCounts: Record<string, number> = {};
  for (const t of tables)
    rowCounts[t] = db
      .prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`)
      .pluck()
      .get() as number;
  const has = (t: string) => tables.includes(t);
  const schemaVersion = has('schema_migrations') ? ((db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0) : 0;
  const head = has('audit_log') ? auditHead(db) : null;
  const s = has('db_backup_sentinel')
    ? (db.prepare('SELECT backup_id, written_at FROM db_backup_sentinel WHERE id = 1').get() as { backup_id: string; written_at: string } | undefined)
    : undefined;
  return { schemaVersion, rowCounts, auditHead: head, sentinel: s ? { backupId: s.backup_id, writtenAt: s.written_at } : null };
}
