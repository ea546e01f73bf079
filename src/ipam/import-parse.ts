import { parse as parseCsv } from 'csv-parse/sync';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { AppError, badRequest } from '../common/errors.js';

/** One line of a spreadsheet or one item of a YAML file, with where it was. */
export interface ImportRow {
  line: number;
  kind: 'pool' | 'prefix' | 'address';
  fields: Record<string, string>;
}

export const MAX_IMPORT_ROWS = 200_000;
const COLUMNS = ['kind', 'prefix', 'address', 'pool', 'opd', 'purpose', 'scope', 'role', 'hostname', 'mac', 'device', 'description'];
const KINDS = new Set(['pool', 'prefix', 'address']);

/**
 * CSV with a header row (columns in any order; `kind` is pool, prefix or address), as a regency's
 * spreadsheet exports it. Comment lines start with '#'.
 */
export function parseImportCsv(text: string): ImportRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  const header = (h: string[]) => {
    const cols = h.map((c) => c.trim().toLowerCase());
    const unknown = cols.filter((c) => !COLUMNS.includes(c));
    if (unknown.length)
      throw badRequest(
        'IMPORT_MALFORMED',
        `unknown column(s) ${unknown.map((c) => JSON.stringify(c.slice(0, 40))).join(', ')} in the header; the columns are ${COLUMNS.join(', ')}`,
        'file',
      );
    if (!cols.includes('kind')) throw badRequest('IMPORT_MALFORMED', 'the header must have a kind column (pool, prefix or address)', 'file');
    return cols;
  };
  try {
    records = parseCsv(text, {
      columns: header,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      comment: '#',
      info: true,
      relax_quotes: false,
      max_record_size: 64 * 1024,
    }) as never;
  } catch (e) {
    if (e instanceof AppError) throw e;
    const err = e as Error & { lines?: number };
    throw badRequest(
      'IMPORT_MALFORMED',
      `the CSV cannot be read${err.lines ? ` at line ${err.lines}` : ''}: ${err.message.replace(/^Invalid .*?: /, '')}`,
      'file',
    );
  }
  if (records.length > MAX_IMPORT_ROWS) throw badRequest('IMPORT_TOO_LARGE', `${records.length} rows; the limit is ${MAX_IMPORT_ROWS} per import`, 'file');
  if (!records.length) throw badRequest('IMPORT_EMPTY', 'the file has a header but no rows', 'file');
  return records.map(({ record, info }) => ({ line: info.lines, kind: record.kind as ImportRow['kind'], fields: clean(record) }));
}

/**
 * YAML: `pools:`, `allocations:` (or `prefixes:`) and `addresses:` lists of mappings with the CSV's
 * column names (`cidr` for prefix; a pool's `name` for pool). Aliases and unknown keys refused.
 */
export function parseImportYaml(text: string): ImportRow[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw badRequest('IMPORT_MALFORMED', `the YAML cannot be read at line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`, 'file');
  }
  if (!isMap(doc.contents)) throw badRequest('IMPORT_MALFORMED', 'the YAML must be a mapping with pools:, allocations: and addresses: lists', 'file');
  const rows: ImportRow[] = [];
  for (const pair of doc.contents.items) {
    const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
    const kind = ({ pools: 'pool', allocations: 'prefix', prefixes: 'prefix', addresses: 'address' } as const)[key as 'pools'];
    if (!kind) throw badRequest('IMPORT_MALFORMED', `unknown section '${key}'; use pools, allocations and addresses`, 'file');
    if (!isSeq(pair.value)) throw badRequest('IMPORT_MALFORMED', `${key} must be a list`, 'file');
    for (const item of pair.value.items) {
      const line = item && typeof item === 'object' && 'range' in item && item.range ? lines.linePos(item.range[0]).line : 0;
      if (!isMap(item)) throw badRequest('IMPORT_MALFORMED', `line ${line}: each entry of ${key} must be a mapping`, 'file');
      const fields: Record<string, string> = Object.create(null);
      for (const p of item.items) {
        const given = String((p.key as { value?: unknown })?.value ?? '');
        const k = given === 'cidr' ? 'prefix' : given === 'name' && kind === 'pool' ? 'pool' : given;
        // Like an unknown CSV column (and an unknown API field): a misspelt key is an error, not a value dropped.
        if (k === 'kind' || !COLUMNS.includes(k))
          throw badRequest(
            'IMPORT_MALFORMED',
            `line ${line}: unknown key ${JSON.stringify(given.slice(0, 40))} in ${key}; the keys are ${COLUMNS.filter((c) => c !== 'kind').join(', ')}`,
            'file',
          );
        const v = (p.value as { value?: unknown } | null)?.value;
        if (v !== undefined && v !== null && typeof v !== 'object') fields[k] = String(v);
        else if (v === undefined && p.value)
          throw badRequest('IMPORT_MALFORMED', `line ${line}: ${k} must be a plain value (aliases and nesting are not allowed)`, 'file');
      }
      rows.push({ line, kind, fields });
      if (rows.length > MAX_IMPORT_ROWS) throw badRequest('IMPORT_TOO_LARGE', `more than ${MAX_IMPORT_ROWS} entries; split the file`, 'file');
    }
  }
  return rows;
}

function clean(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(r)) if (k !== 'kind' && v !== '') out[k] = v;
  return out;
}

export const isImportKind = (k: string): k is ImportRow['kind'] => KINDS.has(k);
