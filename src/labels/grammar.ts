/**
 * The cable label grammar: a label names both ends of a cable, near end first, and each end is
 * a sequence of named parts (each an anchored pattern) joined by separators. The default follows
 * DESIGN.md (`OPD.SPACE.DEVICE:PORT/OPD.SPACE.DEVICE:PORT`); a regency may give its own as plain
 * config data, which `compileGrammar` checks before use.
 */
import { BilingualError, msg, type Message, type MessageCode } from './messages.js';
import { OPD_CODE } from '../inventory/model.js';

export interface GrammarPartConfig {
  /** Part name; `device` and `port` are required, `opd` and `space` are understood when present. */
  name: string;
  /** Regular expression for the whole part (anchored automatically). */
  pattern: string;
  /** Separator written after this part; every part but the last has one. */
  after?: string;
  /** How the part is called in messages, e.g. { id: 'kode ruang', en: 'room code' }. */
  title?: Message;
  /** What the part must look like, e.g. { id: 'harus berbentuk ...', en: 'must look like ...' }. */
  rule?: Message;
}

export interface GrammarConfig {
  endSeparator: string;
  parts: GrammarPartConfig[];
  /** A valid label, shown in messages; it must parse under this grammar. */
  example: string;
  maxLength?: number;
}

export interface GrammarPart {
  readonly name: string;
  readonly pattern: string;
  readonly re: RegExp;
  readonly after: string | undefined;
  readonly title: Message;
  readonly rule: Message;
}

export interface Grammar {
  readonly parts: readonly GrammarPart[];
  readonly endSeparator: string;
  readonly example: string;
  readonly maxLength: number;
}

export interface LabelEnd {
  /** Empty when the grammar has no such part. */
  opd: string;
  space: string;
  device: string;
  port: string;
  /** Every part by name, including custom ones. */
  parts: Readonly<Record<string, string>>;
  /** 1-based column where each part starts in the text as given. */
  columns: Readonly<Record<string, number>>;
}

export interface ParsedLabel {
  /** The label as read, outer blanks removed. */
  text: string;
  near: LabelEnd;
  far: LabelEnd;
}

export type LabelSide = 'near' | 'far';

export interface LabelSyntaxError {
  code: MessageCode;
  /** The grammar part concerned, when there is one. */
  part?: string;
  end?: LabelSide;
  /** 1-based column in the text as given. */
  column: number;
  message: Message;
}

export type LabelParse = { ok: true; label: ParsedLabel } | { ok: false; errors: LabelSyntaxError[] };

const DEVICE_TYPES = ['RTR', 'SW', 'AP', 'PP', 'SRV', 'PC', 'PRN', 'CAM', 'ODP'] as const;

export const DEFAULT_GRAMMAR_CONFIG: GrammarConfig = {
  endSeparator: '/',
  example: 'DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1',
  maxLength: 128,
  parts: [
    {
      name: 'opd',
      pattern: OPD_CODE,
      after: '.',
      title: { id: 'kode OPD', en: 'OPD code' },
      rule: {
        id: 'harus 2-12 huruf kapital atau angka, yaitu kode OPD di inventaris, misalnya DINKES.',
        en: 'must be 2-12 capital letters or digits, the OPD code in the inventory, e.g. DINKES.',
      },
    },
    {
      name: 'space',
      pattern: '(?:[A-Z0-9]{1,4}-)?L[0-9]{1,2}R[0-9]{2}',
      after: '.',
      title: { id: 'kode ruang', en: 'room code' },
      rule: {
        id: 'harus berbentuk L<lantai>R<ruang dua digit>, misalnya L1R02 (boleh diawali kode gedung, misalnya GA-L1R02).',
        en: 'must look like L<floor>R<two-digit room>, e.g. L1R02 (a building prefix is allowed, e.g. GA-L1R02).',
      },
    },
    {
      name: 'device',
      pattern: `(?:${DEVICE_TYPES.join('|')})[0-9]{2,3}`,
      after: ':',
      title: { id: 'kode perangkat', en: 'device code' },
      rule: {
        id: `harus jenis perangkat (${DEVICE_TYPES.join(', ')}) diikuti 2-3 angka, misalnya SW01 atau AP12.`,
        en: `must be a device type (${DEVICE_TYPES.join(', ')}) followed by 2-3 digits, e.g. SW01 or AP12.`,
      },
    },
    {
      name: 'port',
      pattern: '[0-9]{1,3}|[A-Za-z][A-Za-z0-9-]{0,31}',
      title: { id: 'port', en: 'port' },
      rule: {
        id: 'harus nomor port (1-3 angka, misalnya 24) atau nama antarmuka tanpa garis miring (misalnya ether5, atau Gi1-0-24 untuk Gi1/0/24).',
        en: 'must be a port number (1-3 digits, e.g. 24) or an interface name without slashes (e.g. ether5, or Gi1-0-24 for Gi1/0/24).',
      },
    },
  ],
};

const fail = (path: string, reasonEn: string, reasonId: string): never => {
  throw new BilingualError(400, 'GRAMMAR_INVALID', msg('GRAMMAR_INVALID', { path, reasonEn, reasonId }));
};

const own = (o: object, k: string): unknown => (Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined);
const isObj = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

function readMessage(v: unknown, path: string): Message | undefined {
  if (v === undefined) return undefined;
  const id = isObj(v) ? own(v, 'id') : undefined;
  const en = isObj(v) ? own(v, 'en') : undefined;
  if (typeof id !== 'string' || typeof en !== 'string' || !id || !en)
    return fail(path, 'give the text in both languages: { id: "...", en: "..." }', 'tulis teks dalam dua bahasa: { id: "...", en: "..." }');
  return { id, en };
}

function readSeparator(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > 3 || /[\s]/.test(v))
    return fail(path, 'a separator is 1-3 visible characters, e.g. "." or ":"', 'pemisah berupa 1-3 karakter yang terlihat, misalnya "." atau ":"');
  return v;
}

/**
 * Check a grammar given as plain config data and compile its patterns. Throws BilingualError
 * `GRAMMAR_INVALID` naming the offending path (e.g. `parts[2].pattern`) on any mistake.
 */
export function compileGrammar(input: unknown): Grammar {
  if (!isObj(input)) return fail('grammar', 'the grammar must be a mapping', 'tata bahasa harus berupa pemetaan');
  const endSeparator = readSeparator(own(input, 'endSeparator'), 'endSeparator');
  const rawParts = own(input, 'parts');
  if (!Array.isArray(rawParts) || rawParts.length < 2 || rawParts.length > 12) return fail('parts', 'give 2 to 12 parts', 'tulis 2 sampai 12 bagian');
  const names = new Set<string>();
  const parts: GrammarPart[] = rawParts.map((raw: unknown, i): GrammarPart => {
    const path = `parts[${i}]`;
    if (!isObj(raw)) return fail(path, 'each part is a mapping with name and pattern', 'setiap bagian berupa pemetaan dengan name dan pattern');
    const name = own(raw, 'name');
    if (typeof name !== 'string' || !/^[a-z][a-zA-Z0-9]{0,31}$/.test(name))
      return fail(
        `${path}.name`,
        'a name is a word of letters and digits starting with a small letter',
        'nama berupa kata dari huruf dan angka, diawali huruf kecil',
      );
    if (names.has(name)) return fail(`${path}.name`, `part name '${name}' is used twice`, `nama bagian '${name}' dipakai dua kali`);
    names.add(name);
    const pattern = own(raw, 'pattern');
    if (typeof pattern !== 'string' || pattern.length < 1 || pattern.length > 300)
      return fail(`${path}.pattern`, 'a pattern is a regular expression of 1-300 characters', 'pola berupa ekspresi reguler 1-300 karakter');
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${pattern})$`, 'u');
    } catch (e) {
      return fail(`${path}.pattern`, `not a valid regular expression (${(e as Error).message})`, `bukan ekspresi reguler yang benar (${(e as Error).message})`);
    }
    if (re.test('')) return fail(`${path}.pattern`, 'the pattern must not accept empty text', 'pola tidak boleh menerima teks kosong');
    const last = i === rawParts.length - 1;
    const afterRaw = own(raw, 'after');
    if (last && afterRaw !== undefined) return fail(`${path}.after`, 'the last part has no separator after it', 'bagian terakhir tidak diikuti pemisah');
    const after = last ? undefined : readSeparator(afterRaw, `${path}.after`);
    if (after === endSeparator)
      return fail(`${path}.after`, 'a part separator must differ from endSeparator', 'pemisah bagian harus berbeda dari endSeparator');
    const title = readMessage(own(raw, 'title'), `${path}.title`) ?? { id: `bagian ${name}`, en: `${name} part` };
    const rule = readMessage(own(raw, 'rule'), `${path}.rule`) ?? {
      id: `tidak sesuai pola ${pattern}.`,
      en: `does not match the pattern ${pattern}.`,
    };
    return Object.freeze({ name, pattern, re, after, title, rule });
  });
  for (const required of ['device', 'port'])
    if (!names.has(required)) fail('parts', `a part named '${required}' is required`, `bagian bernama '${required}' wajib ada`);
  const maxRaw = own(input, 'maxLength');
  if (maxRaw !== undefined && (typeof maxRaw !== 'number' || !Number.isInteger(maxRaw) || maxRaw < 8 || maxRaw > 256))
    fail('maxLength', 'maxLength is a whole number from 8 to 256', 'maxLength berupa bilangan bulat 8 sampai 256');
  const example = own(input, 'example');
  if (typeof example !== 'string') return fail('example', 'give an example label that follows the grammar', 'berikan contoh label yang mengikuti tata bahasa');
  const grammar: Grammar = Object.freeze({
    parts: Object.freeze(parts),
    endSeparator,
    example,
    maxLength: typeof maxRaw === 'number' ? maxRaw : 128,
  });
  const check = parseLabel(example, grammar);
  if (!check.ok)
    fail(
      'example',
      `the example does not follow the grammar: ${check.errors[0]?.message.en ?? ''}`,
      `contoh tidak mengikuti tata bahasa: ${check.errors[0]?.message.id ?? ''}`,
    );
  return grammar;
}

function indicesOf(s: string, sep: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = s.indexOf(sep, from); i !== -1 && i < to; i = s.indexOf(sep, i + 1)) out.push(i);
  return out;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function partError(part: GrammarPart, value: string, column: number, end: LabelSide): LabelSyntaxError {
  const base = { partIdCap: cap(part.title.id), partId: part.title.id, partEn: part.title.en, column, value, ruleId: part.rule.id, ruleEn: part.rule.en };
  if (value === '') return { code: 'LABEL_PART_EMPTY', part: part.name, end, column, message: msg('LABEL_PART_EMPTY', base) };
  const upper = value.toUpperCase();
  if (upper !== value && part.re.test(upper))
    return { code: 'LABEL_PART_LOWERCASE', part: part.name, end, column, message: msg('LABEL_PART_LOWERCASE', { ...base, upper }) };
  return { code: 'LABEL_PART_INVALID', part: part.name, end, column, message: msg('LABEL_PART_INVALID', base) };
}

function longestValidPrefix(part: GrammarPart, s: string): number {
  let len = s.length;
  while (len > 0 && !part.re.test(s.slice(0, len))) len--;
  return len;
}

/**
 * Parse one end in text[from, to). Each part takes the text up to the first occurrence of its
 * separator that leaves it valid, so a separator character may also appear inside a part.
 */
function parseEnd(text: string, from: number, to: number, g: Grammar, end: LabelSide, col0: number): ParsedEnd {
  const values = new Map<string, string>();
  const columns = new Map<string, number>();
  const errors: LabelSyntaxError[] = [];
  let pos = from;
  for (const part of g.parts) {
    const column = col0 + pos + 1;
    columns.set(part.name, column);
    if (part.after === undefined) {
      const value = text.slice(pos, to);
      if (part.re.test(value)) values.set(part.name, value);
      else {
        const len = longestValidPrefix(part, value);
        // A "/" inside the rest is an interface name written with slashes, not extra text.
        if (end === 'far' && len > 0 && !value.slice(len).includes(g.endSeparator)) {
          const at = column + len;
          errors.push({ code: 'LABEL_TRAILING_TEXT', end, column: at, message: msg('LABEL_TRAILING_TEXT', { column: at, value: value.slice(len) }) });
        } else errors.push(partError(part, value, column, end));
      }
      break;
    }
    const cands = indicesOf(text, part.after, pos, to);
    const hit = cands.find((i) => part.re.test(text.slice(pos, i)));
    if (hit !== undefined) {
      values.set(part.name, text.slice(pos, hit));
      pos = hit + part.after.length;
      continue;
    }
    const first = cands[0];
    if (first !== undefined) {
      errors.push(partError(part, text.slice(pos, first), column, end));
      pos = first + part.after.length;
      continue;
    }
    // No separator at all: if the part is there, the separator after it is what is missing.
    const rest = text.slice(pos, to);
    const len = longestValidPrefix(part, rest);
    if (len > 0) {
      const value = rest.slice(0, len);
      const at = col0 + pos + len + 1;
      const found = rest.slice(len, len + 1);
      errors.push({
        code: 'LABEL_SEPARATOR_MISSING',
        part: part.name,
        end,
        column: at,
        message: msg('LABEL_SEPARATOR_MISSING', { column: at, sep: part.after, partId: part.title.id, partEn: part.title.en, value, found }),
      });
    } else errors.push(partError(part, rest, column, end));
    break;
  }
  return { values, columns, errors };
}

interface ParsedEnd {
  values: Map<string, string>;
  columns: Map<string, number>;
  errors: LabelSyntaxError[];
}

function toEnd({ values, columns }: ParsedEnd): LabelEnd {
  const parts = Object.freeze(Object.fromEntries(values)) as Record<string, string>;
  const cols = Object.freeze(Object.fromEntries(columns)) as Record<string, number>;
  return {
    opd: values.get('opd') ?? '',
    space: values.get('space') ?? '',
    device: values.get('device') ?? '',
    port: values.get('port') ?? '',
    parts,
    columns: cols,
  };
}

/** Parse a label; errors name the part and the 1-based column, in both languages. */
export function parseLabel(input: string, grammar: Grammar = defaultGrammar()): LabelParse {
  const lead = input.length - input.trimStart().length;
  const text = input.trim();
  if (text === '') return { ok: false, errors: [{ code: 'LABEL_EMPTY', column: 1, message: msg('LABEL_EMPTY') }] };
  if (text.length > grammar.maxLength)
    return {
      ok: false,
      errors: [
        { code: 'LABEL_TOO_LONG', column: lead + grammar.maxLength + 1, message: msg('LABEL_TOO_LONG', { length: text.length, max: grammar.maxLength }) },
      ],
    };
  const seps = indicesOf(text, grammar.endSeparator, 0, text.length);
  if (seps.length === 0) {
    const near = parseEnd(text, 0, text.length, grammar, 'near', lead);
    const sepError: LabelSyntaxError = {
      code: 'LABEL_END_SEPARATOR_MISSING',
      column: lead + text.length + 1,
      message: msg('LABEL_END_SEPARATOR_MISSING', { sep: grammar.endSeparator, example: grammar.example }),
    };
    return { ok: false, errors: [sepError, ...near.errors] };
  }
  let firstTry: LabelSyntaxError[] | undefined;
  for (const s of seps) {
    const near = parseEnd(text, 0, s, grammar, 'near', lead);
    const far = parseEnd(text, s + grammar.endSeparator.length, text.length, grammar, 'far', lead);
    const errors = [...near.errors, ...far.errors];
    if (errors.length === 0) return { ok: true, label: { text, near: toEnd(near), far: toEnd(far) } };
    firstTry ??= errors;
  }
  return { ok: false, errors: firstTry ?? [] };
}

/** Write one end back as text under the grammar. */
export function formatEnd(end: LabelEnd, grammar: Grammar = defaultGrammar()): string {
  return grammar.parts.map((p) => (end.parts[p.name] ?? '') + (p.after ?? '')).join('');
}

/** Write a label from its two ends. */
export function formatLabel(near: LabelEnd, far: LabelEnd, grammar: Grammar = defaultGrammar()): string {
  return formatEnd(near, grammar) + grammar.endSeparator + formatEnd(far, grammar);
}

/** The label as it must read at the other end of the cable (`X/Y` -> `Y/X`). */
export function mirrorLabel(label: ParsedLabel, grammar: Grammar = defaultGrammar()): string {
  return formatLabel(label.far, label.near, grammar);
}

let compiledDefault: Grammar | undefined;
/** The grammar of DESIGN.md, compiled once. */
export function defaultGrammar(): Grammar {
  return (compiledDefault ??= compileGrammar(DEFAULT_GRAMMAR_CONFIG));
}
