/**
 * Streaming list import. Lines are judged as they arrive and land in a staging table in batches,
 * yielding to the event loop between batches so the server keeps answering; names a wildcard of
 * the same file covers are marked redundant in one ordered pass. The accepted names are then written
 * as a new generation of the source, in small batches, invisible to readers (block_entries_live
 * shows the source's live generation only; rows that stay keep their original added time); one
 * short transaction points the source at the new generation, and the old one is deleted in small
 * batches afterwards. No step holds the database (and so the event loop) for long, and readers see
 * the whole old list or the whole new one. A dry run counts against the live generation and stops.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { requirePermission, type Actor } from '../auth/actor.js';
import { badRequest, conflict, MAX_LISTED_ERRORS } from '../common/errors.js';
import { readLines } from './line-reader.js';
import { CsvList, parseListLine, type ListFormat } from './list-formats.js';
import { revKey, unsafeReason, type BlockValue } from './normalize.js';
import { MANUAL_SOURCE, SOURCE_PATTERN, type BlockingService } from './service.js';

export interface ImportLimits {
  maxBytes: number;
  maxLineBytes: number;
  /** Invalid lines listed in the report; the rest are only counted. */
  maxReported?: number;
  /** Staged rows per transaction. */
  batchRows?: number;
}

export interface ImportProblem {
  line: number;
  code: string;
  reason: string;
}

export interface ImportReport {
  category: string;
  source: string;
  format: ListFormat;
  dryRun: boolean;
  applied: boolean;
  lines: number;
  /** Distinct values kept (after duplicates and redundant names are left out). */
  accepted: number;
  added: number;
  removed: number;
  unchanged: number;
  duplicates: number;
  redundant: number;
  invalid: number;
  /** Valid values refused because blocking them would cut the intranet off. */
  refused: number;
  errors: ImportProblem[];
  /** Invalid or refused lines beyond the listed ones. */
  errorsNotListed: number;
  redundantExamples: ImportProblem[];
}

const busy = new Set<string>();

export async function importList(
  svc: BlockingService,
  actor: Actor,
  category: string,
  input: { source: string; format: ListFormat; dryRun: boolean },
  body: AsyncIterable<Buffer | string>,
  limits: ImportLimits,
): Promise<ImportReport> {
  requirePermission(actor, 'operate');
  svc.requireCategory(category);
  const { source, format, dryRun } = input;
  if (!new RegExp(SOURCE_PATTERN).test(source)) throw badRequest('SOURCE_NAME', 'source is a feed name: lowercase letters, digits, dots, dashes, underscores (e.g. trustpositif)', 'source');
  if (source === MANUAL_SOURCE) throw badRequest('SOURCE_RESERVED', `source '${MANUAL_SOURCE}' holds entries added one by one; give the feed its own name`, 'source');
  const lock = `${category}/${source}`;
  if (busy.has(lock)) throw conflict('IMPORT_RUNNING', `an import of ${category} source ${source} is already running; wait for it to finish`);
  busy.add(lock);
  const db = svc.store.db;
  const importId = randomUUID();
  const maxReported = limits.maxReported ?? MAX_LISTED_ERRORS;
  const batchRows = limits.batchRows ?? ENTRY_ROWS;
  const r: ImportReport = {
    category, source, format, dryRun, applied: false, lines: 0, accepted: 0, added: 0, removed: 0, unchanged: 0,
    duplicates: 0, redundant: 0, invalid: 0, refused: 0, errors: [], errorsNotListed: 0, redundantExamples: [],
  };
  const problem = (line: number, code: string, reason: string) => {
    if (r.errors.length < maxReported) r.errors.push({ line, code, reason });
    else r.errorsNotListed++;
  };
  const insert = db.prepare('INSERT OR IGNORE INTO block_staging (import_id, kind, value, rev, line) VALUES (?, ?, ?, ?, ?)');
  let rows: [BlockValue, number][] = [];
  /** The generation this import writes, once it starts writing entries. */
  let gen: number | null = null;
  const flush = db.transaction((batch: [BlockValue, number][]) => {
    for (const [v, line] of batch) {
      const rev = v.kind === 'domain' ? revKey(v.value) : v.kind === 'wildcard' ? revKey(v.value).slice(0, -1) : null;
      if (!insert.run(importId, v.kind, v.value, rev, line).changes) r.duplicates++;
    }
  });
  try {
    const safety = svc.safety();
    const csv = format === 'csv' ? new CsvList() : null;
    for await (const batch of readLines(body, { maxBytes: limits.maxBytes, maxLineBytes: limits.maxLineBytes })) {
      for (const l of batch) {
        r.lines = l.n;
        if (l.text === null) {
          r.invalid++;
          problem(l.n, l.error!.code, l.error!.reason);
          continue;
        }
        const res = csv ? csv.line(l.text) : parseListLine(l.text, format as Exclude<ListFormat, 'csv'>);
        if (res.kind === 'skip') continue;
        if (res.kind === 'invalid') {
          r.invalid++;
          problem(l.n, res.code, res.reason);
          continue;
        }
        for (const v of res.values) {
          const unsafe = unsafeReason(v, safety);
          if (unsafe) {
            r.refused++;
            problem(l.n, unsafe.code, unsafe.reason);
          } else rows.push([v, l.n]);
        }
      }
      if (rows.length >= batchRows) {
        flush(rows);
        rows = [];
        await yieldNow();
      }
    }
    flush(rows);
    rows = [];
    await markRedundant(db, importId, r, maxReported);
    const live = (db.prepare('SELECT generation FROM block_sources WHERE category = ? AND name = ?').pluck().get(category, source) as number | undefined) ?? 0;
    const liveRow = db.prepare('SELECT added_at, added_by FROM block_entries WHERE category = ? AND kind = ? AND value = ? AND source = ? AND generation = ?');
    const liveCount = () => db.prepare('SELECT count(*) FROM block_entries WHERE category = ? AND source = ? AND generation = ?').pluck().get(category, source, live) as number;
    if (dryRun) {
      await walkStaged(db, importId, (chunk) => {
        r.accepted += chunk.length;
        for (const x of chunk) if (liveRow.get(category, x.kind, x.value, source, live)) r.unchanged++;
      });
      r.removed = liveCount() - r.unchanged;
      r.added = r.accepted - r.unchanged;
      return r;
    }
    // Above every generation of the source, live or left behind by a crash.
    const top = (db.prepare('SELECT max(generation) FROM block_entries WHERE category = ? AND source = ?').pluck().get(category, source) as number | null) ?? 0;
    gen = Math.max(top, live) + 1;
    const now = svc.opts.clock.now().toISOString();
    const ins = db.prepare('INSERT INTO block_entries (category, kind, value, source, generation, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const write = db.transaction((chunk: StagedRow[], g: number) => {
      for (const x of chunk) {
        const was = liveRow.get(category, x.kind, x.value, source, live) as { added_at: string; added_by: string } | undefined;
        if (was) r.unchanged++;
        ins.run(category, x.kind, x.value, source, g, was?.added_at ?? now, was?.added_by ?? actor.id);
      }
    });
    await walkStaged(db, importId, (chunk) => {
      r.accepted += chunk.length;
      write(chunk, gen!);
    });
    r.added = r.accepted - r.unchanged;
    r.removed = liveCount() - r.unchanged;
    svc.store.write(actor, (tx) => {
      const args = { cat: category, src: source, gen, now: tx.now, by: actor.id };
      tx.db
        .prepare(
          `INSERT INTO block_sources (category, name, format, imported_at, imported_by, lines, accepted, invalid, duplicates, redundant, refused, generation)
           VALUES (@cat, @src, @format, @now, @by, @lines, @accepted, @invalid, @duplicates, @redundant, @refused, @gen)
           ON CONFLICT (category, name) DO UPDATE SET format = excluded.format, imported_at = excluded.imported_at, imported_by = excluded.imported_by,
             lines = excluded.lines, accepted = excluded.accepted, invalid = excluded.invalid, duplicates = excluded.duplicates,
             redundant = excluded.redundant, refused = excluded.refused, generation = excluded.generation`,
        )
        .run({ ...args, format, lines: r.lines, accepted: r.accepted, invalid: r.invalid, duplicates: r.duplicates, redundant: r.redundant, refused: r.refused });
      tx.audit({
        action: 'blocklist.import',
        objectType: 'block_source',
        objectId: `${category}/${source}`,
        after: { format, lines: r.lines, accepted: r.accepted, added: r.added, removed: r.removed, duplicates: r.duplicates, redundant: r.redundant, invalid: r.invalid, refused: r.refused },
      });
      if (r.added || r.removed) svc.markChanged('all', true);
    });
    r.applied = true;
    return r;
  } finally {
    // The lock stays until the cleanup is done, so a next import never races it for a generation number.
    try {
      if (gen !== null) await dropGenerations(db, category, source, gen, r.applied ? 'older' : 'this');
      await clearStaging(db, importId);
    } finally {
      busy.delete(lock);
    }
  }
}

/**
 * In reversed-label order the names a wildcard covers follow it: one pass, page by page. A
 * wildcard's key drops the trailing space, so it sorts just before the same exact name.
 */
async function markRedundant(db: BlockingService['store']['db'], importId: string, r: ImportReport, maxReported: number): Promise<void> {
  const page = db.prepare('SELECT kind, value, rev, line FROM block_staging WHERE import_id = ? AND rev IS NOT NULL AND rev > ? ORDER BY rev LIMIT 10000');
  const mark = db.prepare('UPDATE block_staging SET redundant = 1 WHERE import_id = ? AND kind = ? AND value = ?');
  let cover: { rev: string; value: string; line: number } | null = null;
  let after = '';
  for (;;) {
    const rows = page.all(importId, after) as { kind: string; value: string; rev: string; line: number }[];
    if (!rows.length) return;
    const hits: { kind: string; value: string }[] = [];
    for (const x of rows) {
      if (cover && x.rev.startsWith(cover.rev)) {
        hits.push(x);
        r.redundant++;
        if (r.redundantExamples.length < maxReported)
          r.redundantExamples.push({ line: x.line, code: 'REDUNDANT', reason: `${x.kind === 'wildcard' ? '*.' : ''}${x.value} is covered by *.${cover.value} (line ${cover.line})` });
        continue;
      }
      cover = x.kind === 'wildcard' ? { rev: `${x.rev} `, value: x.value, line: x.line } : null;
    }
    db.transaction(() => {
      for (const h of hits) mark.run(importId, h.kind, h.value);
    })();
    after = rows[rows.length - 1]!.rev;
    await yieldNow();
  }
}

interface StagedRow {
  kind: string;
  value: string;
}

/** Rows per transaction when writing or deleting entries: each stays well under 100 ms. */
const ENTRY_ROWS = 2000;

/** The kept (non-redundant) staged rows in key order, a chunk at a time, yielding between chunks. */
async function walkStaged(db: BlockingService['store']['db'], importId: string, fn: (chunk: StagedRow[]) => void): Promise<void> {
  const page = db.prepare('SELECT kind, value FROM block_staging WHERE import_id = ? AND redundant = 0 AND (kind, value) > (?, ?) ORDER BY kind, value LIMIT ?');
  let after: StagedRow = { kind: '', value: '' };
  for (;;) {
    const chunk = page.all(importId, after.kind, after.value, ENTRY_ROWS) as StagedRow[];
    if (!chunk.length) return;
    fn(chunk);
    after = chunk[chunk.length - 1]!;
    await yieldNow();
  }
}

/** After a swap, the generations before it; after a failure, the one this import was writing. */
async function dropGenerations(db: BlockingService['store']['db'], category: string, source: string, gen: number, which: 'older' | 'this'): Promise<void> {
  const chunk = db.prepare(
    `DELETE FROM block_entries WHERE id IN (SELECT id FROM block_entries WHERE category = ? AND source = ? AND generation ${which === 'older' ? '<' : '='} ? LIMIT ${ENTRY_ROWS})`,
  );
  while (chunk.run(category, source, gen).changes) await yieldNow();
}

/** Staging rows go in chunks so a big cleanup does not stall the server. */
async function clearStaging(db: BlockingService['store']['db'], importId: string): Promise<void> {
  const chunk = db.prepare('DELETE FROM block_staging WHERE import_id = ? AND (kind, value) IN (SELECT kind, value FROM block_staging WHERE import_id = ? LIMIT 20000)');
  while (chunk.run(importId, importId).changes) await yieldNow();
}
