/**
 * Restore for real, offline: a backup file (or one fetched from the target) unpacked, checked as a
 * restore test checks it, and only then moved into an empty data directory with the audit key.
 * A directory that holds anything is refused: a live database is never overwritten.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from './container.js';
import { parseManifest, type Failure, type Manifest } from './manifest.js';
import { MANIFEST_PART, unpackBackup } from './pack.js';
import { checkRestoredCopy } from './restore-check.js';

export class RestoreRefused extends Error {
  constructor(
    message: string,
    readonly failures: Failure[] = [],
  ) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

export interface RestoreResult {
  manifest: Manifest;
  recoveryPoint: string | null;
  auditEntries: number;
  dbFile: string;
}

export async function restoreInto(o: { file: string; dataDir: string; key: Buffer; auditKey: Buffer; auditKeyFile: string }): Promise<RestoreResult> {
  if (existsSync(o.dataDir) && readdirSync(o.dataDir).length > 0)
    throw new RestoreRefused(`${o.dataDir} is not empty: restore only into a new or empty directory (a live database is never overwritten)`);
  mkdirSync(o.dataDir, { recursive: true, mode: 0o750 });
  const work = join(o.dataDir, '.restore-in-progress');
  mkdirSync(work, { mode: 0o700 });
  try {
    const restored = join(work, 'simpul.db');
    let un;
    try {
      un = await unpackBackup(o.file, o.key, restored);
    } catch (e) {
      if (e instanceof FormatError) throw new RestoreRefused(`${o.file}: ${e.reason}: ${e.message}`, [{ reason: e.reason, detail: e.message }]);
      throw e;
    }
    const manifest = parseManifest(un.manifestText);
    const parts = Object.fromEntries(Object.entries(un.parts).filter(([p]) => p !== MANIFEST_PART));
    const check = checkRestoredCopy(restored, manifest, parts, o.auditKey);
    if (check.failures.length) throw new RestoreRefused(`backup ${manifest.id} fails its checks; nothing was restored`, check.failures);
    const dbFile = join(o.dataDir, 'simpul.db');
    renameSync(restored, dbFile);
    copyFileSync(o.auditKeyFile, join(o.dataDir, 'audit.key'));
    return { manifest, recoveryPoint: check.recoveryPoint, auditEntries: check.auditEntries, dbFile };
  } catch (e) {
    // leave the directory as empty as it was found
    for (const f of readdirSync(o.dataDir)) rmSync(join(o.dataDir, f), { recursive: true, force: true });
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
