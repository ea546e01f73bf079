import { readFileSync, statSync } from 'node:fs';
import { fail } from './serve.js';
import { apiRequest } from './api-client.js';

interface ImportAnswer {
  dryRun: boolean;
  counts: { pools: number; prefixes: number; addresses: number };
  errors: { line: number; field?: string; code: string; message: string }[];
  errorsNotListed: number;
  code?: string;
  detail?: string;
}

/**
 * `simpul ipam import FILE [--dry-run]`: sent to the running daemon's import (SIMPUL_URL,
 * SIMPUL_TOKEN), so its routers hear of the new blocks at once; every wrong line as FILE:LINE.
 */
export async function ipamImport(file: string, opts: { dryRun?: boolean; format?: string }): Promise<void> {
  let text: string;
  try {
    if (statSync(file).size > 32 * 1024 * 1024) fail(`${file} is larger than 32 MiB; split it`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const format = opts.format ?? (/\.ya?ml$/i.test(file) ? 'yaml' : 'csv');
  const q = new URLSearchParams({ format, ...(opts.dryRun ? { dryRun: 'true' } : {}) });
  const r = await apiRequest(`/api/v1/ipam/import?${q}`, {
    method: 'POST',
    headers: { 'content-type': format === 'yaml' ? 'application/yaml' : 'text/csv' },
    body: text,
  });
  const body = r.body as ImportAnswer;
  if (r.status !== 200 && r.status !== 422) fail(body?.detail ? `${body.code}: ${body.detail}` : `the daemon answered ${r.status}`);
  for (const e of body.errors) process.stderr.write(`${file}:${e.line}: ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}\n`);
  if (body.errorsNotListed) process.stderr.write(`... and ${body.errorsNotListed} more\n`);
  const what = `${body.counts.pools} pools, ${body.counts.prefixes} prefixes, ${body.counts.addresses} addresses`;
  if (body.errors.length) {
    process.stderr.write(`${body.errors.length + body.errorsNotListed} problem(s); nothing imported\n`);
    process.exitCode = 1;
  } else process.stdout.write(body.dryRun ? `dry run OK: would import ${what}\n` : `imported ${what}\n`);
}
