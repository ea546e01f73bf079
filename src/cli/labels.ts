/**
 * `simpul labels validate FILE`: cable labels checked offline, one per line, with the grammar from
 * the config and the inventory on disk (no daemon needed). Exit 1 when any label is invalid.
 * `simpul diagrams upload OPD FILE`: a diagram sent to a running daemon over its API.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { loadInventory } from '../inventory/load.js';
import { compileGrammar, defaultGrammar } from '../labels/grammar.js';
import { BilingualError, type Lang } from '../labels/messages.js';
import { labelsFromText, MAX_LABELS } from '../labels/service.js';
import { checkLabels, type LabelCheck } from '../labels/validate.js';
import { labelView } from '../topology/schemas.js';
import { apiRequest } from './api-client.js';
import { configOrExit, fail } from './serve.js';

const MAX_FILE = 4 * 1024 * 1024;

function readText(file: string, max: number): Buffer {
  try {
    if (statSync(file).size > max) fail(`${file} is larger than ${max} bytes`);
    return readFileSync(file);
  } catch (e) {
    return fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const langOf = (v: string | undefined): Lang => {
  if (v === undefined || v === 'id') return 'id';
  if (v === 'en') return 'en';
  return fail(`--lang is id or en, not '${v}'`);
};

/** One line per label: OK with its parts, or each issue with part and column. */
export function formatChecks(file: string, checks: readonly LabelCheck[], lang: Lang): string {
  const out: string[] = [];
  checks.forEach((c, i) => {
    const where = `${file}#${i + 1}`;
    if (c.parsed && c.issues.length === 0) {
      const p = c.parsed;
      out.push(`${where}: OK ${c.text}  (${p.near.device}:${p.near.port} -> ${p.far.device}:${p.far.port})`);
      return;
    }
    out.push(`${where}: ${c.ok ? 'OK' : 'INVALID'} ${c.text}`);
    for (const is of c.issues) {
      const at = [is.end, is.part, is.column !== undefined ? `${lang === 'id' ? 'kolom' : 'column'} ${is.column}` : undefined].filter(Boolean).join(', ');
      out.push(`  ${is.severity} ${is.code}${at ? ` (${at})` : ''}: ${is.message[lang]}`);
    }
  });
  const bad = checks.filter((c) => !c.ok).length;
  out.push(lang === 'id' ? `${checks.length} label, ${bad} tidak sah` : `${checks.length} labels, ${bad} invalid`);
  return out.join('\n') + '\n';
}

export function labelsValidate(file: string, opts: { config?: string; opd?: string; lang?: string; json?: boolean }): void {
  const lang = langOf(opts.lang);
  const cfg = configOrExit(opts);
  let grammar;
  try {
    grammar = cfg.labels.grammar ? compileGrammar(cfg.labels.grammar) : defaultGrammar();
  } catch (e) {
    if (e instanceof BilingualError) fail(`labels.grammar: ${e.text[lang]}`);
    throw e;
  }
  const { inventory, problems } = loadInventory(cfg.inventory);
  if (!inventory) fail(`the inventory in ${cfg.inventory} has ${problems.length} problem(s); run simpul inventory check`);
  if (opts.opd && !inventory.opds.some((o) => o.code === opts.opd)) fail(`OPD '${opts.opd}' is not in the inventory`);
  const labels = labelsFromText(readText(file, MAX_FILE).toString('utf8'));
  if (labels.length > MAX_LABELS) fail(`${file} has ${labels.length} labels; at most ${MAX_LABELS} per run`);
  const checks = checkLabels(labels, {
    opds: inventory.opds.map((o) => o.code),
    devices: inventory.devices,
    grammar,
    ...(opts.opd ? { opd: opts.opd } : {}),
  });
  if (opts.json) {
    const valid = checks.filter((c) => c.ok).length;
    process.stdout.write(
      JSON.stringify({ lang, opd: opts.opd ?? null, total: checks.length, valid, labels: checks.map((c) => labelView(c, lang)) }, null, 2) + '\n',
    );
  } else process.stdout.write(formatChecks(file, checks, lang));
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

const TYPES: [RegExp, string][] = [
  [/\.ya?ml$/i, 'application/yaml'],
  [/\.svg$/i, 'image/svg+xml'],
  [/\.(drawio|xml)$/i, 'application/xml'],
  [/\.csv$/i, 'text/csv'],
];

/** `simpul diagrams upload OPD FILE` and `simpul diagrams survey OPD FILE`. */
export async function diagramsUpload(opd: string, file: string, opts: { lang?: string; json?: boolean; survey?: boolean }): Promise<void> {
  const lang = langOf(opts.lang);
  const body = readText(file, 100 * 1024 * 1024);
  const type = TYPES.find(([re]) => re.test(file))?.[1] ?? 'application/octet-stream';
  const kind = opts.survey ? 'surveys' : 'diagrams';
  const r = await apiRequest(`/api/v1/opds/${encodeURIComponent(opd)}/${kind}?filename=${encodeURIComponent(basename(file))}`, {
    method: 'POST',
    body,
    headers: { 'content-type': type, 'accept-language': lang },
  });
  if (opts.json || r.status >= 400) {
    (r.status >= 400 ? process.stderr : process.stdout).write(JSON.stringify(r.body, null, 2) + '\n');
    if (r.status >= 400) process.exitCode = 1;
    return;
  }
  const b = r.body as {
    version?: { version: number; findings: Record<string, number> };
    unchanged?: boolean;
    report?: { findings: { code: string; severity: string; element: string; message: string }[] };
    survey?: { id: number; cables: number; ok: number; errors: number; warnings: number };
    cables?: { label: string; status: string; issues: { code: string; message: string }[] }[];
  };
  if (b.version && b.unchanged) process.stdout.write(`${opd} diagram unchanged: the same file as version ${b.version.version}, nothing stored\n`);
  else if (b.version && b.report) {
    process.stdout.write(`${opd} diagram version ${b.version.version}: ${b.version.findings.error} error(s), ${b.version.findings.warning} warning(s)\n`);
    for (const f of b.report.findings) process.stdout.write(`  ${f.severity} ${f.code} [${f.element}]: ${f.message}\n`);
  } else if (b.survey && b.cables) {
    process.stdout.write(
      `${opd} survey ${b.survey.id}: ${b.survey.cables} cable(s), ${b.survey.ok} ok, ${b.survey.errors} with errors, ${b.survey.warnings} with warnings\n`,
    );
    for (const c of b.cables) for (const is of c.issues) process.stdout.write(`  ${c.status} ${c.label} ${is.code}: ${is.message}\n`);
  }
}
