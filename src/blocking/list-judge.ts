/**
 * What an import makes of a list's lines, before anything is written: each line judged
 * (list-formats, normalize), values that may not be blocked refused, repeats counted once, names a
 * wildcard of the same list covers left out, and the values to keep sorted as the store orders
 * them. Pure: the import thread feeds it lines and hands the kept values to the main thread.
 */
import { MAX_LISTED_ERRORS } from '../common/errors.js';
import type { LineError } from './line-reader.js';
import { CsvList, parseListLine, type ListFormat } from './list-formats.js';
import { revKey, unsafeReason, type EntryKind, type Safety } from './normalize.js';

export interface ImportProblem {
  line: number;
  code: string;
  reason: string;
}

export interface JudgeSummary {
  lines: number;
  /** Distinct values kept (after duplicates and redundant names are left out). */
  accepted: number;
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

/** Kinds in the store's order (ORDER BY kind, value), so kept values come out as the store sorts them. */
export const KIND_ORDER: readonly EntryKind[] = ['address', 'domain', 'prefix', 'wildcard'];

export interface JudgeOptions {
  format: ListFormat;
  safety: Safety;
  /** Problems listed in the report; the rest are only counted. */
  maxReported?: number;
}

export class ListJudge {
  /** Per kind, each value's first line. */
  private readonly seen = new Map<EntryKind, Map<string, number>>(KIND_ORDER.map((k) => [k, new Map()]));
  private readonly csv: CsvList | null;
  private readonly maxReported: number;
  private readonly s: JudgeSummary = { lines: 0, accepted: 0, duplicates: 0, redundant: 0, invalid: 0, refused: 0, errors: [], errorsNotListed: 0, redundantExamples: [] };

  constructor(private readonly o: JudgeOptions) {
    this.csv = o.format === 'csv' ? new CsvList() : null;
    this.maxReported = o.maxReported ?? MAX_LISTED_ERRORS;
  }

  /** One line as the line splitter gives it (a LineSink). */
  readonly line = (n: number, text: string | null, error?: LineError): void => {
    const s = this.s;
    s.lines = n;
    if (text === null) {
      s.invalid++;
      return this.problem(n, error!.code, error!.reason);
    }
    const res = this.csv ? this.csv.line(text) : parseListLine(text, this.o.format as Exclude<ListFormat, 'csv'>);
    if (res.kind === 'skip') return;
    if (res.kind === 'invalid') {
      s.invalid++;
      return this.problem(n, res.code, res.reason);
    }
    for (const v of res.values) {
      const unsafe = unsafeReason(v, this.o.safety);
      if (unsafe) {
        s.refused++;
        this.problem(n, unsafe.code, unsafe.reason);
        continue;
      }
      const m = this.seen.get(v.kind)!;
      if (m.has(v.value)) s.duplicates++;
      else m.set(v.value, n);
    }
  };

  /** After the last line: the summary, and the kept values of each kind, sorted. */
  finish(): { summary: JudgeSummary; kept: Map<EntryKind, string[]> } {
    this.leaveOutRedundant();
    const kept = new Map<EntryKind, string[]>();
    for (const k of KIND_ORDER) {
      // Values are ASCII (punycode, canonical IPs): code-unit order is the store's byte order.
      const values = [...this.seen.get(k)!.keys()].sort();
      this.seen.get(k)!.clear();
      kept.set(k, values);
      this.s.accepted += values.length;
    }
    return { summary: this.s, kept };
  }

  private problem(line: number, code: string, reason: string): void {
    if (this.s.errors.length < this.maxReported) this.s.errors.push({ line, code, reason });
    else this.s.errorsNotListed++;
  }

  /**
   * A name is redundant when a wildcard of the list covers it (a wildcard covers its own name too);
   * its cover is the topmost such wildcard. Examples are listed in reversed-label order, so the
   * names under one wildcard come together.
   */
  private leaveOutRedundant(): void {
    const wild = this.seen.get('wildcard')!;
    if (!wild.size) return;
    const hits: { key: string; kind: EntryKind; value: string; line: number; cover: string }[] = [];
    for (const kind of ['domain', 'wildcard'] as const) {
      const m = this.seen.get(kind)!;
      for (const [value, line] of m) {
        const cover = topCover(wild, value, kind === 'domain');
        if (cover !== undefined) hits.push({ key: kind === 'domain' ? revKey(value) : revKey(value).slice(0, -1), kind, value, line, cover });
      }
    }
    hits.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const h of hits) {
      this.s.redundant++;
      if (this.s.redundantExamples.length < this.maxReported)
        this.s.redundantExamples.push({
          line: h.line,
          code: 'REDUNDANT',
          reason: `${h.kind === 'wildcard' ? '*.' : ''}${h.value} is covered by *.${h.cover} (line ${wild.get(h.cover)})`,
        });
    }
    // Only now: a covered wildcard still had to be seen while looking for covers.
    for (const h of hits) this.seen.get(h.kind)!.delete(h.value);
  }
}

/** The topmost wildcard in `wild` above `name` (or equal to it, when `self`). */
function topCover(wild: Map<string, number>, name: string, self: boolean): string | undefined {
  for (let dot = name.lastIndexOf('.'); dot !== -1; dot = name.lastIndexOf('.', dot - 1)) {
    const parent = name.slice(dot + 1);
    if (wild.has(parent)) return parent;
    if (dot === 0) break;
  }
  return self && wild.has(name) ? name : undefined;
}
