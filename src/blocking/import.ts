/**
 * Streaming list import that keeps the server answering. The upload goes, chunk by chunk, to the
 * import thread, which judges every line, refuses what may not be blocked and leaves out repeats
 * and names a wildcard of the same list covers (list-judge.ts). The main thread then only reads
 * the kept values back a page at a time, already sorted and as JSON, and lets SQLite do the rest
 * in steps of about STEP_MS: count the source's live entries, compare, and write the new
 * generation invisible to readers (block_entries_live shows a source's live generation only;
 * entries that stay keep their original added time), then one short transaction points the
 * source at it, and the old generation is deleted in steps afterwards. Readers see the whole old
 * list or the whole new one; an import cancelled or failing before the swap deletes what it wrote.
 * A list identical to the live one writes nothing but its check (the source's counts, the audit
 * entry). A dry run compares and stops.
 */
import { setImmediate as yieldNow } from 'node:timers/promises';
import { requirePermission, type Actor } from '../auth/actor.js';
import { AppError, badRequest, conflict } from '../common/errors.js';
import { tooLarge } from './line-reader.js';
import { JudgingSession } from './import-thread.js';
import type { JudgeSummary } from './list-judge.js';
import type { ListFormat } from './list-formats.js';
import type { EntryKind } from './normalize.js';
import { MANUAL_SOURCE, SOURCE_PATTERN, type BlockingService } from './service.js';

export type { ImportProblem } from './list-judge.js';

export interface ImportLimits {
  maxBytes: number;
  maxLineBytes: number;
  /** Invalid lines listed in the report; the rest are only counted. */
  maxReported?: number;
}

export interface ImportReport extends JudgeSummary {
  category: string;
  source: string;
  format: ListFormat;
  dryRun: boolean;
  applied: boolean;
  /** False when the source already held exactly these entries (nothing was, or would be, rewritten). */
  changed: boolean;
  added: number;
  removed: number;
  unchanged: number;
}

type Db = BlockingService['store']['db'];

const busy = new Set<string>();

const cancelled = () => badRequest('IMPORT_CANCELLED', 'the upload stopped before the import finished; nothing was changed');

export async function importList(
  svc: BlockingService,
  actor: Actor,
  category: string,
  input: { source: string; format: ListFormat; dryRun: boolean },
  body: AsyncIterable<Buffer | string>,
  limits: ImportLimits,
  /** Aborted when the client goes away: the import stops and changes nothing. */
  signal?: AbortSignal,
): Promise<ImportReport> {
  requirePermission(actor, 'operate');
  svc.requireCategory(category);
  const { source, format, dryRun } = input;
  if (!new RegExp(SOURCE_PATTERN).test(source))
    throw badRequest('SOURCE_NAME', 'source is a feed name: lowercase letters, digits, dots, dashes, underscores (e.g. trustpositif)', 'source');
  if (source === MANUAL_SOURCE)
    throw badRequest('SOURCE_RESERVED', `source '${MANUAL_SOURCE}' holds entries added one by one; give the feed its own name`, 'source');
  const lock = `${category}/${source}`;
  if (busy.has(lock)) throw conflict('IMPORT_RUNNING', `an import of ${category} source ${source} is already running; wait for it to finish`);
  busy.add(lock);
  const db = svc.store.db;
  const check = () => {
    if (signal?.aborted) throw cancelled();
  };
  const pace = new Pace();
  let judging: JudgingSession | undefined;
  /** The generation this import writes, once it starts writing entries. */
  let gen: number | null = null;
  let applied = false;
  try {
    judging = new JudgingSession({ format, safety: svc.safety(), maxLineBytes: limits.maxLineBytes, maxReported: limits.maxReported });
    let total = 0;
    let reading = true;
    try {
      for await (const c of body) {
        reading = false;
        check();
        const chunk = typeof c === 'string' ? Buffer.from(c) : c;
        total += chunk.length;
        if (total > limits.maxBytes) throw tooLarge(limits.maxBytes);
        await judging.push(chunk);
        reading = true;
      }
    } catch (e) {
      // The body broke off (the client went away): not a server fault.
      throw reading && !(e instanceof AppError) ? cancelled() : e;
    }
    const summary = await judging.end();
    check();
    const r: ImportReport = { category, source, format, dryRun, applied: false, changed: true, ...summary, added: 0, removed: 0, unchanged: 0 };
    const sourceRow = db.prepare('SELECT generation FROM block_sources WHERE category = ? AND name = ?').pluck().get(category, source) as number | undefined;
    const live = sourceRow ?? 0;
    const liveCount = await countGeneration(db, category, source, live);
    const matching = db
      .prepare(
        'SELECT count(*) FROM json_each(@values) j CROSS JOIN block_entries o ON o.category = @cat AND o.kind = @kind AND o.value = j.value AND o.source = @src AND o.generation = @live',
      )
      .pluck();
    const args = { cat: category, src: source, live };
    const counted = () => {
      r.removed = liveCount - r.unchanged;
      r.added = r.accepted - r.unchanged;
      r.changed = sourceRow === undefined || r.added > 0 || r.removed > 0;
    };
    // Compare first when the counts leave the answer open (same size: maybe the same list); an
    // import stops comparing at the first difference, a dry run counts them all.
    if (dryRun || (sourceRow !== undefined && r.accepted === liveCount)) {
      await walkKept(judging, pace, check, (kind, values, n) => {
        const same = matching.get({ ...args, kind, values }) as number;
        r.unchanged += same;
        return dryRun || same === n;
      });
      counted();
      if (dryRun) return r;
    }
    if (r.changed) {
      // Above every generation of the source, live or left behind by a crash.
      const top =
        (db.prepare('SELECT max(generation) FROM block_entries WHERE category = ? AND source = ?').pluck().get(category, source) as number | null) ?? 0;
      gen = Math.max(top, live) + 1;
      const now = svc.opts.clock.now().toISOString();
      // Entries that stay keep when and by whom they were first added; with nothing live there is nothing to look up.
      const insert = db.prepare(
        liveCount
          ? `INSERT INTO block_entries (category, kind, value, source, generation, added_at, added_by)
             SELECT @cat, @kind, j.value, @src, @gen, coalesce(o.added_at, @now), coalesce(o.added_by, @by) FROM json_each(@values) j
             LEFT JOIN block_entries o ON o.category = @cat AND o.kind = @kind AND o.value = j.value AND o.source = @src AND o.generation = @live`
          : `INSERT INTO block_entries (category, kind, value, source, generation, added_at, added_by)
             SELECT @cat, @kind, j.value, @src, @gen, @now, @by FROM json_each(@values) j`,
      );
      const write = unsynced(
        db,
        db.transaction((kind: EntryKind, values: string) => {
          if (liveCount) r.unchanged += matching.get({ ...args, kind, values }) as number;
          insert.run({ ...args, kind, values, gen, now, by: actor.id });
        }),
      );
      r.unchanged = 0;
      await walkKept(judging, pace, check, write);
      counted();
    }
    check();
    svc.store.write(actor, (tx) => {
      const row = {
        cat: category,
        src: source,
        gen: gen ?? live,
        now: tx.now,
        by: actor.id,
        format,
        lines: r.lines,
        accepted: r.accepted,
        invalid: r.invalid,
        duplicates: r.duplicates,
        redundant: r.redundant,
        refused: r.refused,
      };
      tx.db
        .prepare(
          `INSERT INTO block_sources (category, name, format, imported_at, imported_by, lines, accepted, invalid, duplicates, redundant, refused, generation)
           VALUES (@cat, @src, @format, @now, @by, @lines, @accepted, @invalid, @duplicates, @redundant, @refused, @gen)
           ON CONFLICT (category, name) DO UPDATE SET format = excluded.format, imported_at = excluded.imported_at, imported_by = excluded.imported_by,
             lines = excluded.lines, accepted = excluded.accepted, invalid = excluded.invalid, duplicates = excluded.duplicates,
             redundant = excluded.redundant, refused = excluded.refused, generation = excluded.generation`,
        )
        .run(row);
      tx.audit({
        action: 'blocklist.import',
        objectType: 'block_source',
        objectId: `${category}/${source}`,
        after: {
          format,
          lines: r.lines,
          accepted: r.accepted,
          added: r.added,
          removed: r.removed,
          duplicates: r.duplicates,
          redundant: r.redundant,
          invalid: r.invalid,
          refused: r.refused,
          changed: r.changed,
        },
      });
      if (r.added || r.removed) svc.markChanged('all', true);
    });
    applied = r.applied = true;
    return r;
  } finally {
    judging?.close();
    // The lock stays until the cleanup is done, so a next import never races it for a generation number.
    try {
      if (gen !== null) await dropGeneration(db, pace, category, source, gen, applied ? 'older' : 'this');
    } finally {
      busy.delete(lock);
    }
  }
}

/**
 * Runs a write step without waiting for the disk (synchronous = NORMAL), then restores the
 * connection's setting before anything else can run. For rows no reader sees yet (a generation
 * before its swap, one after it): the swap's own commit, made with the daemon's setting, syncs
 * the log with them, and a crash before it leaves only rows the next import deletes. Without
 * this, each step's sync costs more than its rows, and the steps must stay short.
 */
function unsynced<A extends unknown[], T>(db: Db, fn: (...a: A) => T): (...a: A) => T {
  const setting = db.pragma('synchronous', { simple: true }) as number;
  return (...a) => {
    db.pragma('synchronous = NORMAL');
    try {
      return fn(...a);
    } finally {
      db.pragma(`synchronous = ${setting}`);
    }
  };
}

/** Each synchronous database step aims at this long, so requests keep being answered between steps. */
const STEP_MS = 10;

/** Rows per step, following how fast the last steps went (the machine's load changes); never so few that round trips to the import thread dominate. */
class Pace {
  rows = 2000;

  took(rows: number, ms: number): void {
    const fit = (rows * STEP_MS) / Math.max(ms, 0.5);
    this.rows = Math.round(Math.min(20_000, Math.max(1000, (this.rows + fit) / 2)));
  }

  timed<T>(fn: () => T): T {
    const t = performance.now();
    const out = fn();
    this.took(this.rows, performance.now() - t);
    return out;
  }
}

/**
 * The kept values in store order, a page of one kind per step (`values`: a JSON array of `n`),
 * until the step returns false. The next page is asked for while this one is written.
 */
async function walkKept(
  judging: JudgingSession,
  pace: Pace,
  check: () => void,
  step: (kind: EntryKind, values: string, n: number) => boolean | void,
): Promise<void> {
  let from = 0;
  let next = judging.page(from, pace.rows);
  try {
    for (;;) {
      const p = await next;
      if (!p.kind) return;
      check();
      from += p.n;
      next = judging.page(from, pace.rows);
      const t = performance.now();
      const more = step(p.kind, p.values, p.n);
      pace.took(p.n, performance.now() - t);
      if (more === false) {
        // The page asked for ahead is answered before the next walk asks for its own.
        await next;
        return;
      }
      // The reply may already be queued: let waiting requests run before the next step either way.
      await yieldNow();
    }
  } finally {
    next.catch(() => {});
  }
}

/** Entries of one generation of a source, counted a range of ids per step. */
async function countGeneration(db: Db, category: string, source: string, gen: number): Promise<number> {
  const step = db.prepare(
    'SELECT count(*) AS n, max(id) AS last FROM (SELECT id FROM block_entries WHERE category = ? AND source = ? AND generation = ? AND id > ? ORDER BY id LIMIT 50000)',
  );
  let n = 0;
  for (let after = 0; ; ) {
    const x = step.get(category, source, gen, after) as { n: number; last: number | null };
    if (!x.n) return n;
    n += x.n;
    after = x.last!;
    await yieldNow();
  }
}

/** After a swap, the generations before it; after a failure, the one this import was writing. */
async function dropGeneration(db: Db, pace: Pace, category: string, source: string, gen: number, which: 'older' | 'this'): Promise<void> {
  const step = db.prepare(
    `DELETE FROM block_entries WHERE id IN (SELECT id FROM block_entries WHERE category = ? AND source = ? AND generation ${which === 'older' ? '<' : '='} ? LIMIT ?)`,
  );
  const drop = unsynced(db, () => step.run(category, source, gen, pace.rows).changes);
  while (pace.timed(drop)) await yieldNow();
}
