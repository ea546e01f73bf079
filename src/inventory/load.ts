import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import type { TSchema, Static } from '@sinclair/typebox';
import { BackboneFile, OpdFile, RegencyFile, type Inventory, type InventoryProblem } from './model.js';
import { checkInventory, type Located } from './check.js';

const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Keys that would put a secret in the inventory; secrets live in the config's credentials. */
const SECRET_KEYS = /^(password|passwd|secret|community|authkey|privkey|token|apikey)$/i;

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

  const typed = <S extends TSchema>(p: ParsedFile, schema: S): Static<S> | null => {
    let js: unknown;
    try {
      js = p.doc.toJS({ maxAliasCount: 0 });
    } catch {
      problems.push({ file: p.file, line: 1, path: '', message: 'YAML anchors and aliases (& and *) are not allowed in the inventory; write each value out' });
      return null;
    }
    const value = Value.Default(schema, js ?? {});
    walkSecrets(value, [], (path) => problems.push({ file: p.file, line: lineOf(p, path), path: path.join('.'), message: 'secrets do not belong in the inventory: name a credential from the config instead (credentials: NAME)' }));
    let ok = true;
    for (const err of Value.Errors(schema, value)) {
      const path = err.path.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const msg = err.message.startsWith('Unexpected property')
        ? 'unknown key'
        : err.schema.description
          ? `must be ${err.schema.description}, got ${JSON.stringify(err.value)}`
          : `${err.message.toLowerCase()}, got ${JSON.stringify(err.value)}`;
      problems.push({ file: p.file, line: lineOf(p, path), path: path.join('.'), message: msg });
      ok = false;
    }
    return ok ? (value as Static<S>) : null;
  };

  const located: Located = { opds: [], sites: [], devices: [], links: [], where: (f, path) => ({ file: f.file, line: lineOf(f as ParsedFile, path) }) };
  let regency: Inventory['regency'] | null = null;
  let files = 0;

  const regencyFile = join(dir, 'regency.yaml');
  if (existsSync(regencyFile)) {
    files++;
    const p = parse(regencyFile);
    const v = p && typed(p, RegencyFile);
    if (v) regency = v.regency;
  } else problems.push({ file: rel(regencyFile), line: 0, path: '', message: 'missing: every inventory starts with regency.yaml (regency: {name, province})' });

  const opdDir = join(dir, 'opds');
  const opdFiles = existsSync(opdDir) ? readdirSync(opdDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  for (const name of opdFiles) {
    files++;
    const p = parse(join(opdDir, name));
    const v = p && typed(p, OpdFile);
    if (!p || !v) continue;
    located.opds.push({ value: v.opd, src: p, path: ['opd'] });
    v.sites.forEach((s, i) => located.sites.push({ value: { ...s, opd: v.opd.code }, src: p, path: ['sites', i] }));
    v.devices.forEach((d, i) => located.devices.push({ value: { ...d, opd: v.opd.code }, src: p, path: ['devices', i] }));
  }
  if (!opdFiles.length) problems.push({ file: rel(opdDir), line: 0, path: '', message: 'no OPD files: put one YAML file per OPD in opds/' });

  const backboneFile = join(dir, 'backbone.yaml');
  if (existsSync(backboneFile)) {
    files++;
    const p = parse(backboneFile);
    const v = p && typed(p, BackboneFile);
    if (p && v) v.links.forEach((l, i) => located.links.push({ value: l, src: p, path: ['links', i] }));
  }

  for (const f of readdirSync(dir)) {
    if (/\.ya?ml$/.test(f) && !['regency.yaml', 'backbone.yaml'].includes(f))
      problems.push({ file: rel(join(dir, f)), line: 0, path: '', message: 'unknown inventory file: expected regency.yaml, backbone.yaml or opds/<CODE>.yaml' });
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
