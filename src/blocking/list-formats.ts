/**
 * The list formats an import reads, one line at a time: plain names, hosts files, AdBlock-style
 * `||example.com^`, CSV with a header, and IP/prefix lists. Pure: a line in, the values it holds
 * (a hosts line may hold several), nothing (comment, blank), or why it is invalid.
 */
import { judgeDomain, judgeValue, type BlockValue, type Expect, type Invalid, type Judged } from './normalize.js';

export const LIST_FORMATS = ['auto', 'domains', 'hosts', 'adblock', 'ip', 'csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export type LineResult = { kind: 'skip' } | { kind: 'values'; values: BlockValue[] } | ({ kind: 'invalid' } & Invalid);

const SKIP: LineResult = { kind: 'skip' };
const invalid = (code: string, reason: string): LineResult => ({ kind: 'invalid', code, reason });
const from = (j: Judged): LineResult => (j.ok ? { kind: 'values', values: [j.entry] } : invalid(j.code, j.reason));

// Names hosts files carry for the machine itself, not for blocking.
const HOSTS_SELF = new Set([
  'localhost',
  'localhost.localdomain',
  'local',
  'broadcasthost',
  'ip6-localhost',
  'ip6-loopback',
  'ip6-localnet',
  'ip6-mcastprefix',
  'ip6-allnodes',
  'ip6-allrouters',
  'ip6-allhosts',
  '0.0.0.0',
]);
const HOSTS_SINK = /^(0\.0\.0\.0|127\.0\.0\.1|::1?|0:0:0:0:0:0:0:[01])$/;

const isComment = (s: string): boolean => s.startsWith('#') || s.startsWith('!') || s.startsWith('//') || s.startsWith(';') || /^\[adblock/i.test(s);

function stripInline(s: string): string {
  const i = s.search(/\s[#!;]|\s\/\//);
  return (i === -1 ? s : s.slice(0, i)).trim();
}

function hostsLine(s: string): LineResult {
  const fields = s.split(/\s+/);
  const sink = fields[0]!;
  if (!HOSTS_SINK.test(sink))
    return invalid('HOSTS_NOT_SINK', `a hosts line must point names at 0.0.0.0 or 127.0.0.1, not ${JSON.stringify(sink.slice(0, 45))}`);
  const names = fields.slice(1).filter((n) => !HOSTS_SELF.has(n.toLowerCase()));
  if (fields.length < 2) return invalid('HOSTS_NO_NAME', `hosts line with an address and no name`);
  const values: BlockValue[] = [];
  for (const n of names) {
    const j = judgeDomain(n, { wildcard: false });
    if (!j.ok) return invalid(j.code, j.reason);
    values.push(j.entry);
  }
  return values.length ? { kind: 'values', values } : SKIP;
}

function adblockLine(s: string): LineResult {
  if (s.startsWith('@@')) return invalid('ADBLOCK_ALLOW_RULE', 'allow rules (@@) are not block entries; ask for an exception instead');
  const m = /^\|\|([^^$|/]+)\^(\$(.*))?$/.exec(s);
  if (!m) return invalid('ADBLOCK_UNSUPPORTED', 'only ||name^ rules can be enforced by DNS; element hiding and URL rules cannot');
  if (m[3] !== undefined && m[3] !== '' && !/^(important|all|document)$/.test(m[3]))
    return invalid('ADBLOCK_OPTIONS', `rule options $${m[3].slice(0, 40)} cannot be enforced by DNS`);
  // ||example.com^ blocks the name and everything under it.
  const j = judgeDomain(`*.${m[1]!}`);
  return from(j);
}

/** One line of a non-CSV list. `format` auto judges each line by its shape. */
export function parseListLine(raw: string, format: Exclude<ListFormat, 'csv'>): LineResult {
  const s = raw.trim();
  if (!s || isComment(s)) return SKIP;
  if (format === 'adblock' || (format === 'auto' && (s.startsWith('||') || s.startsWith('@@')))) return adblockLine(s);
  const t = stripInline(s);
  if (!t) return SKIP;
  const first = t.split(/\s+/, 1)[0]!;
  if (format === 'hosts' || (format === 'auto' && HOSTS_SINK.test(first) && /\s/.test(t))) return hostsLine(t);
  if (/\s/.test(t)) return invalid('EXTRA_FIELDS', `one value per line expected; found ${JSON.stringify(t.slice(0, 60))}`);
  const expect: Expect = format === 'domains' ? 'domain' : format === 'ip' ? 'ip' : 'any';
  return from(judgeValue(t, expect));
}

/** Splits a CSV line (RFC 4180 quoting within the line; lists do not quote line breaks). */
export function splitCsv(line: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  if (quoted) return null;
  out.push(cur);
  return out;
}

const CSV_COLUMNS: Record<string, Expect> = { domain: 'domain', address: 'ip', value: 'any' };

/** Reads a CSV list: the first non-comment line is the header naming the domain, address or value column. */
export class CsvList {
  private column: { index: number; expect: Expect } | null = null;

  line(raw: string): LineResult {
    const s = raw.trim();
    if (!s || s.startsWith('#')) return SKIP;
    const cells = splitCsv(s);
    if (!cells) return invalid('CSV_QUOTE', 'unclosed quote');
    if (!this.column) {
      const names = cells.map((c) => c.trim().toLowerCase());
      const index = names.findIndex((n) => n in CSV_COLUMNS);
      if (index === -1)
        return invalid('CSV_HEADER', `the header must name a column domain, address or value; found ${JSON.stringify(names.join(',').slice(0, 80))}`);
      this.column = { index, expect: CSV_COLUMNS[names[index]!]! };
      return SKIP;
    }
    const v = cells[this.column.index]?.trim();
    if (!v) return invalid('CSV_EMPTY', `column ${this.column.index + 1} is empty`);
    return from(judgeValue(v, this.column.expect));
  }

  get sawHeader(): boolean {
    return this.column !== null;
  }
}
