import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { openStore } from '../daemon.js';
import { IpamService } from '../ipam/service.js';
import { importIpam } from '../ipam/import.js';
import { AppError } from '../common/errors.js';
import { configOrExit, fail } from './serve.js';
import { existingDataDir } from './data-dir.js';

/** `simpul ipam import FILE [--dry-run]`: straight into the store (a running daemon sees it at once). */
export function ipamImport(file: string, opts: { config?: string; dryRun?: boolean; format?: string }): void {
  const cfg = configOrExit(opts);
  let text: string;
  try {
    if (statSync(file).size > 32 * 1024 * 1024) fail(`${file} is larger than 32 MiB; split it`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const format = (opts.format ?? (/\.ya?ml$/i.test(file) ? 'yaml' : 'csv')) as 'csv' | 'yaml';
  cfg.dataDir = existingDataDir(cfg);
  const store = openStore(cfg);
  try {
    const ipam = new IpamService(store, { quarantineDays: cfg.ipam.quarantineDays });
    const r = importIpam(store, ipam, { id: `cli:${userInfo().username}`, role: 'noc-admin', opd: null }, text, { format, dryRun: !!opts.dryRun });
    for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}\n`);
    const what = `${r.counts.pools} pools, ${r.counts.prefixes} prefixes, ${r.counts.addresses} addresses`;
    if (r.errorsNotListed) process.stderr.write(`... and ${r.errorsNotListed} more\n`);
    if (r.errors.length) {
      process.stderr.write(`${r.errors.length + r.errorsNotListed} problem(s); nothing imported\n`);
      process.exitCode = 1;
    } else process.stdout.write(r.dryRun ? `dry run OK: would import ${what}\n` : `imported ${what}\n`);
  } catch (e) {
    if (e instanceof AppError) fail(`${e.code}: ${e.detail}`);
    throw e;
  } finally {
    store.db.close();
  }
}
