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
  /** Per kind, the values as they came, repeats included, and the line of each. Sorted at the end, which also finds the repeats: cheaper than a Map per value. */
  private readonly values = new Map<EntryKind, string[]>(KIND_ORDER.map((k) => [k, []]));
  private readonly lineOf = new Map<EntryKind, number[]>(KIND_ORDER.map((k) => [k, []]));
  private readonly csv: CsvList | null;
  private readonly maxReported: number;
  private readonly s: JudgeSummary = {
    lines: 0,
    accepted: 0,
    duplicates: 0,
    redundant: 0,
    invalid: 0,
    refused: 0,
    errors: [],
    errorsNotListed: 0,
    redundantExamples: [],
  };

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
      this.values.get(v.kind)!.push(v.value);
      this.lineOf.get(v.kind)!.push(n);
    }
  };

  /** After the last line: the summary, and the kept values of each kind, sorted. */
  finish(): { summary: JudgeSummary; kept: Map<EntryKind, string[]> } {
    const kept = new Map<EntryKind, string[]>();
    for (const k of KIND_ORDER) {
      // Values are ASCII (punycode, canonical IPs): code-unit order is the store's byte order.
      const all = this.values.get(k)!;
      const distinct = withoutRepeats(all.slice().sort());
      this.s.duplicates += all.length - distinct.length;
      kept.set(k, distinct);
    }
    this.leaveOutRedundant(kept);
    for (const k of KIND_ORDER) {
      this.s.accepted += kept.get(k)!.length;
      this.values.set(k, []);
      this.lineOf.set(k, []);
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
   * names under one wildcard come together, each with its first line and its cover's.
   */
  private leaveOutRedundant(kept: Map<EntryKind, string[]>): void {
    const wild = new Set(kept.get('wildcard'));
    if (!wild.size) return;
    const hits: { key: string; kind: 'domain' | 'wildcard'; value: string; cover: string }[] = [];
    for (const kind of ['domain', 'wildcard'] as const) {
      const covered = new Set<string>();
      for (const value of kept.get(kind)!) {
        const cover = topCover(wild, value, kind === 'domain');
        if (cover === undefined) continue;
        covered.add(value);
        hits.push({ key: kind === 'domain' ? revKey(value) : revKey(value).slice(0, -1), kind, value, cover });
      }
      if (covered.size)
        kept.set(
          kind,
          kept.get(kind)!.filter((v) => !covered.has(v)),
        );
    }
    this.s.redundant = hits.length;
    const listed = hits.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, this.maxReported);
    const line = this.firstLines(listed.flatMap((h) => [[h.kind, h.value] as const, ['wildcard', h.cover] as const]));
    this.s.redundantExamples = listed.map((h) => ({
      line: line(h.kind, h.value),
      code: 'REDUNDANT',
      reason: `${h.kind === 'wildcard' ? '*.' : ''}${h.value} is covered by *.${h.cover} (line ${line('wildcard', h.cover)})`,
    }));
  }

  /** The first line of each of a few values, found by one pass over those kinds' values as they came. */
  private firstLines(wanted: (readonly [EntryKind, string])[]): (kind: EntryKind, value: string) => number {
    const found = new Map<string, number>();
    for (const kind of new Set(wanted.map(([k]) => k))) {
      const want = new Set(wanted.filter(([k]) => k === kind).map(([, v]) => v));
      const values = this.values.get(kind)!;
      const lines = this.lineOf.get(kind)!;
      for (let i = 0; i < values.length && want.size; i++) if (want.delete(values[i]!)) found.set(`${kind} ${values[i]}`, lines[i]!);
    }
    return (kind, value) => found.get(`${kind} ${value}`)!;
  }
}

/** A sorted array without its repeats, in place. */
function withoutRepeats(sorted: string[]): string[] {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i]!;
  sorted.length = n;
  return sorted;
}

/** The topmost wildcard in `wild` above `name` (or equal to it, when `self`). */
function topCover(wild: Set<string>, name: string, self: boolean): string | undefined {
  for (let dot = name.lastIndexOf('.'); dot !== -1; dot = name.lastIndexOf('.', dot - 1)) {
    const parent = name.slice(dot + 1);
    if (wild.has(parent)) return parent;
    if (dot === 0) break;
  }
  return self && wild.has(name) ? name : undefined;
}
