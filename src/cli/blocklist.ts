import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fail } from './serve.js';
import type { ImportReport } from '../blocking/import.js';

type Report = Omit<ImportReport, 'category' | 'source' | 'format' | 'applied'>;

/**
 * `simpul blocklist import CATEGORY FILE [--source NAME] [--dry-run]`: streams the file to the
 * daemon's import endpoint (it is never read whole), then prints each invalid line as FILE:LINE.
 */
export async function blocklistImport(category: string, file: string, opts: { source?: string; dryRun?: boolean; format?: string }): Promise<void> {
  const url = (process.env.SIMPUL_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = process.env.SIMPUL_TOKEN;
  if (!token) return fail('set SIMPUL_TOKEN to an API token (simpul token create) to talk to the daemon');
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    return fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const source =
    opts.source ??
    (file
      .replace(/^.*\//, '')
      .replace(/\.[^.]*$/, '')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') ||
      'import');
  const q = new URLSearchParams({ source, ...(opts.dryRun ? { dryRun: 'true' } : {}), ...(opts.format ? { format: opts.format } : {}) });
  let r: Response;
  try {
    r = await fetch(`${url}/api/v1/blocklists/${encodeURIComponent(category)}/import?${q}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': /\.csv$/i.test(file) ? 'text/csv' : 'text/plain', 'content-length': String(size) },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    return fail(`cannot reach the daemon at ${url} (${cause}); is it running? (SIMPUL_URL)`);
  }
  const body = (await r.json().catch(() => null)) as (Report & { code?: string; detail?: string }) | null;
  if (r.status !== 200 || !body) return fail(body?.detail ? `${body.code}: ${body.detail}` : `the daemon answered ${r.status}`);
  for (const e of body.errors) process.stderr.write(`${file}:${e.line}: ${e.code}: ${e.reason}\n`);
  if (body.errorsNotListed) process.stderr.write(`... and ${body.errorsNotListed} more invalid line(s)\n`);
  const what = `${body.lines} lines: ${body.accepted} entries (${body.added} new, ${body.removed} removed, ${body.unchanged} unchanged), ${body.duplicates} duplicates, ${body.redundant} redundant, ${body.invalid} invalid, ${body.refused} refused as unsafe`;
  process.stdout.write(`${body.dryRun ? 'dry run, nothing changed: ' : `imported ${category}/${source}: `}${what}\n`);
}
