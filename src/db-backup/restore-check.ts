/**
 * The checks a restored copy must pass before anyone may call its backup good: SQLite's own
 * (integrity_check, foreign_key_check), the manifest's promises, the schema level against this
 * build's migrations, the audit chain under the audit key, and Simpul's invariants.
 */
import Database from 'better-sqlite3';
import { verifyChain } from '../audit/chain.js';
import { MIGRATIONS } from '../store/migrations.js';
import { ipamRestoreChecks } from '../ipam/restore-checks.js';
import { compareManifest, type Failure, type Manifest } from './manifest.js';
import { describeDb } from './snapshot.js';
import { auditEntries } from '../audit/read.js';

const MAX_LISTED = 20;

export interface CheckResult {
  failures: Failure[];
  /** The sentinel's time in the copy: what a restore of this backup gets back to. */
  recoveryPoint: string | null;
  auditEntries: number;
}

export function checkRestoredCopy(file: string, manifest: Manifest, parts: Record<string, { size: number; sha256: string }>, auditKey: Buffer): CheckResult {
  const failures: Failure[] = [];
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    return {
      failures: [{ reason: 'not-a-database', detail: `the restored file does not open as SQLite: ${(e as Error).message}` }],
      recoveryPoint: null,
      auditEntries: 0,
    };
  }
  try {
    const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
    if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok')
      failures.push({
        reason: 'integrity-check',
        detail: integrity
          .slice(0, 5)
          .map((r) => r.integrity_check)
          .join('; '),
      });
    const fk = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    if (fk.length)
      failures.push({
        reason: 'foreign-key-check',
        detail: `${fk.length} row(s) point at missing parents, e.g. ${fk[0]!.table} rowid ${fk[0]!.rowid} -> ${fk[0]!.parent}`,
      });

    const observed = describeDb(db);
    failures.push(...compareManifest(manifest, { ...observed, parts }));
    const codeLevel = Math.max(...MIGRATIONS.map((m) => m.version));
    if (observed.schemaVersion > codeLevel)
      failures.push({
        reason: 'schema-newer-than-code',
        detail: `the copy is at schema ${observed.schemaVersion}; this build knows up to ${codeLevel}: restore with the Simpul version in the manifest (${manifest.simpulVersion})`,
      });

    const chain = verifyChain(auditKey, auditEntries(db));
    if (chain.broken)
      failures.push({
        reason: 'audit-chain',
        detail: `audit entry ${chain.broken.seq}: ${chain.broken.reason} (or the audit key is not the one this backup was written with)`,
      });

    failures.push(...ipamRestoreChecks(db));
    return { failures: failures.slice(0, MAX_LISTED), recoveryPoint: observed.sentinel?.writtenAt ?? null, auditEntries: chain.entries };
  } finally {
    db.close();
  }
}
