import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import type { TSchema, Static } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import {
  AgentSchema,
  BackboneFile,
  DeviceSchema,
  LinkSchema,
  OpdFile,
  OpdSchema,
  RegencyFile,
  SiteSchema,
  type Inventory,
  type InventoryProblem,
} from './model.js';
import { checkInventory, type Located } from './check.js';

const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Keys that would put a secret in the inventory; secrets live in the config's credentials. */
const SECRET_KEYS = /^(password|passwd|secret|community|authkey|privkey|token|apikey)$/i;

const opdDir = (dir: string) => join(dir, 'opds');

interface ParsedFile {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** Line of the node at `path` in a parsed file, falling back to the closest parent that exists. */
function lineOf(p: ParsedFile, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? p.doc.contents : p.doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return p.lines.linePos(node.range[0]).line;
  }
  return 1;
}

export interface LoadResult {
  inventory: Inventory | null;
  problems: InventoryProblem[];
  files: number;
}

/**
 * Reads `dir` (regency.yaml, backbone.yaml, opds/*.yaml), validates structure and meaning,
 * and reports every problem with its file and line. `inventory` is null when any problem exists:
 * a half-valid inventory is never loaded.
 */
export function loadInventory(dir: string): LoadResult {
  const problems: InventoryProblem[] = [];
  const rel = (f: string) => relative(process.cwd(), f) || f;
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return { inventory: null, problems: [{ file: rel(dir), line: 0, path: '', message: 'inventory directory does not exist' }], files: 0 };

  const parse = (file: string): ParsedFile | null => {
    const size = statSync(file).size;
    if (size > MAX_FILE_BYTES) {
      problems.push({ file: rel(file), line: 0, path: '', message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES}` });
      return null;
    }
    const lines = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const p: ParsedFile = { file: rel(file), doc, lines };
    for (const e of doc.errors) problems.push({ file: p.file, line: lines.linePos(e.pos[0]).line, path: '', message: `YAML: ${e.message.split('\n')[0]}` });
    return doc.errors.length ? null : p;
  };

  /**
   * Validates a whole file and reports each real problem once: TypeBox says "expected required
   * property" and then "expected string" for one missing key, and "unknown key" for a secret the
   * secret check already names. The value comes back either way (null only when unreadable), so
   * the caller can keep the file's valid items and check their meaning too.
   */
  const typed = <S extends TSchema>(p: ParsedFile, schema: S): { value: Static<S>; ok: boolean } | null => {
    let js: unknown;
    try {
      js = p.doc.toJS({ maxAliasCount: 0 });
    } catch {
      problems.push({ file: p.file, line: 1, path: '', message: 'YAML anchors and aliases (& and *) are not allowed in the inventory; write each value out' });
      return null;
    }
    const value = Value.Default(schema, js ?? {});
    const said = new Set<string>();
    const say = (path: (string | number)[], message: string) => {
      said.add(path.join('.'));
      problems.push({ file: p.file, line: lineOf(p, path), path: path.join('.'), message });
    };
    walkSecrets(value, [], (path) => say(path, 'secrets do not belong in the inventory: name a credential from the config instead (credentials: NAME)'));
    const errors = [...Value.Errors(schema, value)].map((err) => ({
      err,
      path: err.path
        .split('/')
        .filter(Boolean)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    }));
    // every key an object lacks, in one message on the object
    const missing = new Map<string, { path: (string | number)[]; keys: string[] }>();
    for (const { err, path } of errors) {
      if (err.type !== ValueErrorType.ObjectRequiredProperty) continue;
      said.add(path.join('.'));
      const parent = path.slice(0, -1);
      const m = missing.get(parent.join('.')) ?? { path: parent, keys: [] };
      missing.set(parent.join('.'), m);
      m.keys.push(String(path.at(-1)));
    }
    for (const m of missing.values()) {
      problems.push({
        file: p.file,
        line: lineOf(p, m.path),
        path: m.path.join('.'),
        message: `missing required key${m.keys.length > 1 ? 's' : ''}: ${m.keys.join(', ')}`,
      });
    }
    for (const { err, path } of errors) {
      if (said.has(path.join('.'))) continue;
      say(
        path,
        err.message.startsWith('Unexpected property')
          ? 'unknown key'
          : err.schema.description
            ? `must be ${err.schema.description}, got ${JSON.stringify(err.value)}`
            : `${err.message.toLowerCase()}, got ${JSON.stringify(err.value)}`,
      );
    }
    return { value: value as Static<S>, ok: errors.length === 0 && !said.size };
  };

  const located: Located = {
    opds: [],
    sites: [],
    devices: [],
    links: [],
    agents: [],
    invalid: { opds: new Set(), sites: new Set(), devices: new Set(), agents: new Set() },
    where: (f, path) => ({ file: f.file, line: lineOf(f as ParsedFile, path) }),
  };
  let regency: Inventory['regency'] | null = null;
  let files = 0;

  const regencyFile = join(dir, 'regency.yaml');
  if (existsSync(regencyFile)) {
    files++;
    const p = parse(regencyFile);
    const v = p && typed(p, RegencyFile);
    if (v?.ok) regency = v.value.regency;
  } else problems.push({ file: rel(regencyFile), line: 0, path: '', message: 'missing: every inventory starts with regency.yaml (regency: {name, province})' });

  // One bad item never drops its file: valid items are kept and checked against the rest, and an
  // invalid item whose id reads right stays known, so references to it are not reported again.
  const items = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? x : {})) : []);
  const opdFiles = existsSync(opdDir(dir))
    ? readdirSync(opdDir(dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : [];
  for (const name of opdFiles) {
    files++;
    const p = parse(join(opdDir(dir), name));
    const v = p && typed(p, OpdFile);
    if (!p || !v) continue;
    const raw = v.value as Partial<Static<typeof OpdFile>>;
    const code = Value.Check(OpdSchema.properties.code, raw.opd?.code) ? raw.opd!.code : null;
    if (Value.Check(OpdSchema, raw.opd)) located.opds.push({ value: raw.opd, src: p, path: ['opd'] });
    else if (code) located.invalid.opds.add(code);
    items(raw.sites).forEach((s, i) => {
      if (code && Value.Check(SiteSchema, s)) located.sites.push({ value: { ...s, opd: code }, src: p, path: ['sites', i] });
      else if (Value.Check(SiteSchema.properties.id, s.id)) located.invalid.sites.add(s.id as string);
    });
    items(raw.devices).forEach((d, i) => {
      if (code && Value.Check(DeviceSchema, d)) located.devices.push({ value: { ...d, opd: code }, src: p, path: ['devices', i] });
      else if (Value.Check(DeviceSchema.properties.id, d.id)) located.invalid.devices.add(d.id as string);
    });
    items(raw.agents).forEach((a, i) => {
      if (code && Value.Check(AgentSchema, a)) located.agents.push({ value: { ...a, opd: code }, src: p, path: ['agents', i] });
      else if (Value.Check(AgentSchema.properties.id, a.id)) located.invalid.agents.add(a.id as string);
    });
  }
  if (!opdFiles.length) problems.push({ file: rel(opdDir(dir)), line: 0, path: '', message: 'no OPD files: put one YAML file per OPD in opds/' });

  const backboneFile = join(dir, 'backbone.yaml');
  if (existsSync(backboneFile)) {
    files++;
    const p = parse(backboneFile);
    const v = p && typed(p, BackboneFile);
    if (p && v) items(v.value.links).forEach((l, i) => Value.Check(LinkSchema, l) && located.links.push({ value: l, src: p, path: ['links', i] }));
  }

  for (const f of readdirSync(dir)) {
    if (/\.ya?ml$/.test(f) && !['regency.yaml', 'backbone.yaml'].includes(f))
      problems.push({
        file: rel(join(dir, f)),
        line: 0,
        path: '',
        message: 'unknown inventory file: expected regency.yaml, backbone.yaml or opds/<CODE>.yaml',
      });
  }

  problems.push(...checkInventory(located));
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  if (problems.length || !regency) return { inventory: null, problems, files };
  return {
    inventory: {
      regency,
      opds: located.opds.map((o) => o.value),
      sites: located.sites.map((o) => o.value),
      devices: located.devices.map((o) => o.value),
      links: located.links.map((o) => o.value),
      agents: located.agents.map((o) => o.value),
    },
    problems,
    files,
  };
}

function walkSecrets(v: unknown, path: (string | number)[], hit: (path: (string | number)[]) => void): void {
  if (Array.isArray(v)) v.forEach((x, i) => walkSecrets(x, [...path, i], hit));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (SECRET_KEYS.test(k)) hit([...path, k]);
      else walkSecrets(x, [...path, k], hit);
    }
}
