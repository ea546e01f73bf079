/**
 * `simpul backup create|test|list` ask the running daemon (SIMPUL_URL, SIMPUL_TOKEN): the CLI
 * changes state only through it. `simpul backup restore` works offline, into an empty directory,
 * for the day there is no daemon.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiRequest } from './api-client.js';
import { configOrExit, fail } from './serve.js';
import { loadAuditKey } from '../audit/key.js';
import { type KeyFileError, loadBackupKey } from '../db-backup/key.js';
import { configuredTarget } from '../db-backup/module.js';
import { RestoreRefused, restoreInto } from '../db-backup/restore.js';
import { backupFileName, TargetError } from '../db-backup/target.js';
import { readSecret } from '../config/load.js';
import type { BackupView } from '../db-backup/service.js';
import type { RestoreTest } from '../db-backup/repository.js';

type Problem = { code?: string; detail?: string };
const problem = (status: number, body: unknown) => {
  const p = body as Problem;
  return fail(p?.detail ? `${p.code}: ${p.detail}` : `the daemon answered ${status}`);
};

const line = (b: BackupView) => {
  const t = b.restoreTests[0];
  const test = t
    ? t.ok
      ? `restore test ok ${t.finishedAt} (${(t.durationMs / 1000).toFixed(1)} s)`
      : `restore test FAILED ${t.finishedAt}: ${t.failures.map((f) => f.reason).join(', ')}`
    : 'not tested';
  return `${b.id}  ${b.state.padEnd(7)} ${b.size === null ? '-' : String(b.size).padStart(12)}  ${b.error ?? test}`;
};

export async function backupCreate(o: { json?: boolean }): Promise<void> {
  const r = await apiRequest('/api/v1/backups', { method: 'POST' });
  if (r.status !== 201) return problem(r.status, r.body);
  const b = r.body as BackupView;
  process.stdout.write(o.json ? JSON.stringify(b, null, 2) + '\n' : `stored ${b.file} (${b.size} bytes) on ${b.target}; recovery point ${b.recoveryPoint}\n`);
}

export async function backupTest(id: string | undefined, o: { json?: boolean }): Promise<void> {
  const r = await apiRequest('/api/v1/backups/restore-tests', { method: 'POST', json: id ? { backupId: id } : {} });
  if (r.status !== 200) return problem(r.status, r.body);
  const t = r.body as RestoreTest;
  if (o.json) process.stdout.write(JSON.stringify(t, null, 2) + '\n');
  else if (t.ok)
    process.stdout.write(`backup ${t.backupId}: restore test passed in ${(t.durationMs / 1000).toFixed(1)} s; recovery point ${t.recoveryPoint}\n`);
  else for (const f of t.failures) process.stderr.write(`backup ${t.backupId}: ${f.reason}: ${f.detail}\n`);
  if (!t.ok) process.exitCode = 1;
}

export async function backupList(o: { json?: boolean }): Promise<void> {
  const r = await apiRequest('/api/v1/backups');
  if (r.status !== 200) return problem(r.status, r.body);
  const l = r.body as { target: string | null; backups: BackupView[] };
  if (o.json) return void process.stdout.write(JSON.stringify(l, null, 2) + '\n');
  process.stdout.write(`target: ${l.target ?? '(none: set backup.database.target)'}\n`);
  for (const b of l.backups) process.stdout.write(line(b) + '\n');
}

/** `simpul backup restore <ID|FILE> --data-dir DIR`: offline, into an empty directory. */
export async function backupRestore(what: string, o: { config?: string; dataDir: string; key?: string; auditKey?: string }): Promise<void> {
  const cfg = configOrExit(o);
  const keyFile = o.key ?? cfg.backup.database.keyFile;
  if (!keyFile) return fail('give --key FILE: the backup key kept at the DRC (backup.database.keyFile)');
  const auditKeyFile = o.auditKey ?? cfg.audit.keyFile;
  if (!auditKeyFile) return fail('give --audit-key FILE: the audit key kept at the DRC (without it the audit chain cannot be verified or continued)');
  let key: Buffer;
  let auditKey: Buffer;
  try {
    key = loadBackupKey(keyFile);
    if (!existsSync(auditKeyFile)) return fail(`audit key file ${auditKeyFile} does not exist`);
    auditKey = loadAuditKey(auditKeyFile);
  } catch (e) {
    return fail((e as KeyFileError).message);
  }
  let file = what;
  let scratch: string | undefined;
  if (!existsSync(what)) {
    if (!/^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$/.test(what)) return fail(`${what} is neither a file nor a backup id (e.g. 20261123T010000Z-a1b2c3)`);
    const target = configuredTarget(cfg.backup.database, (name) => credentialsOf(cfg, name));
    if ('none' in target) return fail(`cannot fetch backup ${what}: ${target.none}; or give the backup file's path`);
    scratch = mkdtempSync(join(tmpdir(), 'simpul-restore-'));
    file = join(scratch, backupFileName(what));
    try {
      await target.get(backupFileName(what), file);
    } catch (e) {
      rmSync(scratch, { recursive: true, force: true });
      return fail(e instanceof TargetError ? `fetching ${what} from ${target.label}: ${e.kind}: ${e.message}` : (e as Error).message);
    }
  }
  try {
    const r = await restoreInto({ file, dataDir: resolve(o.dataDir), key, auditKey, auditKeyFile });
    const head = r.manifest.auditHead;
    process.stdout.write(
      `restored backup ${r.manifest.id} (Simpul ${r.manifest.simpulVersion}, schema ${r.manifest.schemaVersion}) into ${r.dbFile}\n` +
        `recovery point: ${r.recoveryPoint}; audit chain verified, ${r.auditEntries} entries (head ${head?.seq ?? 0}); anything after entry ${head?.seq ?? 0} is not in this backup\n` +
        `start the daemon with dataDir: ${resolve(o.dataDir)} (the audit key is there as audit.key)\n`,
    );
  } catch (e) {
    if (e instanceof RestoreRefused) {
      for (const f of e.failures) process.stderr.write(`  ${f.reason}: ${f.detail}\n`);
      process.stderr.write(`simpul: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function credentialsOf(cfg: ReturnType<typeof configOrExit>, name: string): Record<string, string> {
  const c = cfg.credentials[name];
  if (!c) return fail(`credential '${name}' (backup.database.target.credentials) is not under credentials: in the config`);
  return Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' ? v : readSecret(v!)]),
  );
}
