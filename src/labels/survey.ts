/**
 * Cable surveys: an OPD admin walks the office, reads each sticker and writes one CSV row per
 * reading (where it was read, which end, the text). The report groups readings by cable and says,
 * per cable, whether its labels are right.
 */
import type { Severity } from '../topology/model.js';
import { mirrorLabel } from './grammar.js';
import { BilingualError, msg, type Message } from './messages.js';
import { addPortReuse, checkLabel, checkMirror, compareWithDiagram, makeResolver, type LabelCheck, type LabelContext, type LabelIssue } from './validate.js';

export type SurveyEnd = 'near' | 'far';

export interface SurveyRow {
  /** 1-based line of the row in the file. */
  line: number;
  location: string;
  end: SurveyEnd;
  text: string;
}

export interface SurveyProblem {
  line: number;
  message: Message;
}

export interface SurveyParse {
  rows: SurveyRow[];
  /** Rows that could not be read (they are left out of the report). */
  problems: SurveyProblem[];
}

export interface SurveyLimits {
  maxBytes: number;
  maxRows: number;
}

export const DEFAULT_SURVEY_LIMITS: SurveyLimits = Object.freeze({ maxBytes: 2 * 1024 * 1024, maxRows: 20_000 });

const END_WORDS: ReadonlyMap<string, SurveyEnd> = new Map([
  ['near', 'near'],
  ['a', 'near'],
  ['dekat', 'near'],
  ['far', 'far'],
  ['b', 'far'],
  ['jauh', 'far'],
]);

const HEADER: Record<'location' | 'end' | 'text', readonly string[]> = {
  location: ['location', 'lokasi', 'where', 'tempat', 'where read', 'dibaca di'],
  end: ['end', 'ujung', 'side', 'sisi', 'which end'],
  text: ['label', 'text', 'teks', 'label text', 'teks label'],
};

/** Split CSV text into records (RFC 4180 quoting), each with the line it starts on. */
function records(text: string, delim: string): { line: number; cells: string[] }[] | { unclosedAt: number } {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === delim) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c.trim() !== '')) out.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += ch;
  }
  if (quoted) return { unclosedAt: start };
  cells.push(cell);
  if (cells.some((c) => c.trim() !== '')) out.push({ line: start, cells });
  return out;
}

/** Comma, semicolon (Excel in Indonesian locale) or tab: whichever the first line uses most. */
function detectDelimiter(text: string): string {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const counts = [',', ';', '\t'].map((d) => [d, first.split(d).length] as const);
  counts.sort((x, y) => y[1] - x[1]);
  return counts[0]?.[0] ?? ',';
}

/**
 * Read a survey CSV. A header row (location/lokasi, end/ujung, label/teks) is optional; without
 * one the columns are location, end, label. Throws BilingualError for a file that cannot be read
 * at all; row-level problems come back in `problems` with their line number.
 */
export function parseSurveyCsv(input: string, limits: SurveyLimits = DEFAULT_SURVEY_LIMITS): SurveyParse {
  const size = Buffer.byteLength(input, 'utf8');
  if (size > limits.maxBytes) throw new BilingualError(413, 'SURVEY_TOO_LARGE', msg('SURVEY_TOO_LARGE', { size, max: limits.maxBytes }));
  const text = input.replace(/^\uFEFF/, '');
  if (text.includes('\u0000')) throw new BilingualError(415, 'DIAGRAM_NOT_TEXT', msg('DIAGRAM_NOT_TEXT'));
  const recs = records(text, detectDelimiter(text));
  if (!Array.isArray(recs))
    throw new BilingualError(
      400,
      'SURVEY_ROW_INVALID',
      msg('SURVEY_ROW_INVALID', {
        line: recs.unclosedAt,
        reasonId: 'tanda kutip (") dibuka tetapi tidak ditutup.',
        reasonEn: 'a quote (") is opened but never closed.',
      }),
    );
  if (recs.length === 0) throw new BilingualError(400, 'SURVEY_EMPTY', msg('SURVEY_EMPTY'));
  if (recs.length > limits.maxRows + 1)
    throw new BilingualError(413, 'SURVEY_TOO_LARGE', msg('SURVEY_TOO_LARGE', { size: `${recs.length} rows`, max: `${limits.maxRows} rows` }));

  let cols = { location: 0, end: 1, text: 2 };
  const head = recs[0]?.cells.map((c) => c.trim().toLowerCase()) ?? [];
  const find = (names: readonly string[]) => head.findIndex((h) => names.includes(h));
  const hasHeader = find(HEADER.text) >= 0 || find(HEADER.end) >= 0;
  if (hasHeader) {
    const c = { location: find(HEADER.location), end: find(HEADER.end), text: find(HEADER.text) };
    if (c.location < 0 || c.end < 0 || c.text < 0)
      throw new BilingualError(
        400,
        'SURVEY_ROW_INVALID',
        msg('SURVEY_ROW_INVALID', {
          line: recs[0]?.line ?? 1,
          reasonId: 'baris judul harus memuat kolom lokasi, ujung dan label.',
          reasonEn: 'the header row must have the columns location, end and label.',
        }),
      );
    cols = c;
  }
  const rows: SurveyRow[] = [];
  const problems: SurveyProblem[] = [];
  for (const rec of hasHeader ? recs.slice(1) : recs) {
    const cell = (i: number) => (rec.cells[i] ?? '').trim();
    const endRaw = cell(cols.end);
    const end = END_WORDS.get(endRaw.toLowerCase());
    if (!end) {
      problems.push({
        line: rec.line,
        message: msg('SURVEY_ROW_INVALID', {
          line: rec.line,
          reasonId: `kolom ujung berisi '${endRaw}'; tulis dekat/jauh, near/far, atau A/B.`,
          reasonEn: `the end column says '${endRaw}'; write near/far, dekat/jauh, or A/B.`,
        }),
      });
      continue;
    }
    rows.push({ line: rec.line, location: cell(cols.location), end, text: cell(cols.text) });
  }
  return { rows, problems };
}

export interface CableReport {
  /** Identity of the cable, or null for a reading that does not parse. */
  cable: string | null;
  /** The label as it should read at the near end (or the text read, when it does not parse). */
  label: string;
  status: 'ok' | Exclude<Severity, 'info'>;
  readings: SurveyRow[];
  issues: LabelIssue[];
}

interface Reading {
  row: SurveyRow;
  check: LabelCheck;
}

const locationTokens = (s: string) =>
  new Set(
    s
      .toUpperCase()
      .split(/[^A-Z0-9-]+/)
      .filter(Boolean),
  );

/** Group readings by cable and check each cable: meaning, mirror, duplicates, ports, diagram. */
export function surveyReport(rows: readonly SurveyRow[], ctx: LabelContext): CableReport[] {
  const r = makeResolver(ctx);
  const reports: CableReport[] = [];
  const groups = new Map<string, Reading[]>();
  for (const row of rows) {
    const check = checkLabel(row.text, ctx, r);
    if (!check.cable) {
      reports.push({ cable: null, label: row.text, status: 'error', readings: [row], issues: check.issues });
      continue;
    }
    groups.set(check.cable, [...(groups.get(check.cable) ?? []), { row, check }]);
  }
  const representatives: LabelCheck[] = [];
  const cableReports: CableReport[] = [];
  for (const [cable, readings] of groups) {
    const near = readings.filter((x) => x.row.end === 'near');
    const far = readings.filter((x) => x.row.end === 'far');
    const first = (near[0] ?? far[0]) as Reading;
    const parsed = first.check.parsed;
    if (!parsed) continue;
    const label = near[0] ? parsed.text : mirrorLabel(parsed, r.grammar);
    const issues: LabelIssue[] = [...first.check.issues];
    for (const [list, endId, endEn] of [
      [near, 'dekat', 'near'],
      [far, 'jauh', 'far'],
    ] as const) {
      if (list.length > 1)
        issues.push({
          code: 'LABEL_DUPLICATE',
          severity: 'error',
          message: msg('LABEL_DUPLICATE', {
            label: list[0]?.row.text ?? '',
            where: list.map((x) => `baris/line ${x.row.line} (${endId}/${endEn})`).join(', '),
          }),
        });
    }
    const n = near[0]?.check.parsed;
    const f = far[0]?.check.parsed;
    if (n && f) {
      const m = checkMirror(n, f, r.grammar);
      if (m) issues.push(m);
    } else
      issues.push({
        code: 'LABEL_ONE_END_ONLY',
        severity: 'info',
        message: msg('LABEL_ONE_END_ONLY', n ? { endId: 'dekat', endEn: 'near' } : { endId: 'jauh', endEn: 'far' }),
      });
    for (const x of readings) {
      const p = x.check.parsed;
      if (!p?.near.space || p.near.space === p.far.space) continue;
      const tokens = locationTokens(x.row.location);
      if (tokens.has(p.far.space) && !tokens.has(p.near.space))
        issues.push({
          code: 'LABEL_WRONG_END',
          severity: 'error',
          message: msg('LABEL_WRONG_END', { label: p.text, location: x.row.location, expected: mirrorLabel(p, r.grammar) }),
        });
    }
    if (ctx.diagram) issues.push(...compareWithDiagram(parsed, ctx.diagram, r));
    // Shares `issues` with the report, so port reuse found below lands in the report.
    const rep: LabelCheck = { text: label, ok: true, parsed, cable, issues };
    representatives.push(rep);
    cableReports.push({ cable, label, status: 'ok', readings: readings.map((x) => x.row), issues });
  }
  addPortReuse(representatives, ctx.opd, r);
  for (const c of cableReports)
    c.status = c.issues.some((i) => i.severity === 'error') ? 'error' : c.issues.some((i) => i.severity === 'warning') ? 'warning' : 'ok';
  return [...reports, ...cableReports].sort((x, y) => (x.readings[0]?.line ?? 0) - (y.readings[0]?.line ?? 0));
}
