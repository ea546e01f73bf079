// `simpul routers list|plan|apply`: the daemon's router API from a terminal.
import { apiRequest, type ApiResponse } from './api-client.js';
import { fail } from './serve.js';

type Json = Record<string, unknown>;
interface Step {
  op: string;
  menu: string;
  key: string;
  reason: string;
}
interface Opts {
  json?: boolean;
}

function check(r: ApiResponse): Json | Json[] {
  if (r.status >= 400) {
    const p = (r.body ?? {}) as Json;
    return fail(`${String(p.code ?? r.status)}: ${String(p.detail ?? r.body)}`);
  }
  return r.body as Json | Json[];
}

/** Columns padded to their widest cell. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

const out = (s: string): void => void process.stdout.write(s);
const ago = (iso: unknown) => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');
const steps = (ss: Step[]) => ss.map((s) => `  ${s.op.padEnd(6)} ${s.menu} ${s.key}\n         ${s.reason}\n`).join('');

export async function routersList(opts: Opts): Promise<void> {
  const list = check(await apiRequest('/api/v1/routers')) as Json[];
  if (opts.json) return out(JSON.stringify(list, null, 2) + '\n');
  out(
    table(
      ['ROUTER', 'OPD', 'STATE', 'MANAGED', 'DRIFT', 'LAST SUCCESS', 'REASON'],
      list.map((r) => [String(r.id), String(r.opd), String(r.state), String(r.entriesManaged), String(r.drift), ago(r.lastSuccessAt), String(r.reason ?? '')]),
    ),
  );
}

async function targets(id: string | undefined): Promise<string[]> {
  if (id) return [id];
  return (check(await apiRequest('/api/v1/routers')) as Json[]).map((r) => String(r.id));
}

export async function routersPlan(id: string | undefined, opts: Opts): Promise<void> {
  const plans: Json[] = [];
  for (const t of await targets(id)) {
    const r = await apiRequest(`/api/v1/routers/${encodeURIComponent(t)}/plan`);
    // one unreachable router does not stop a plan of all of them
    if (r.status >= 400 && !id) {
      const p = r.body as Json;
      plans.push({ router: t, error: `${String(p.code)}: ${String(p.detail)}`, steps: [], notes: [] });
      continue;
    }
    plans.push(check(r) as Json);
  }
  if (opts.json) return out(JSON.stringify(id ? plans[0] : plans, null, 2) + '\n');
  for (const p of plans) {
    const ss = p.steps as Step[];
    const head = p.error ? `error: ${String(p.error)}` : ss.length ? `${ss.length} change(s)` : 'in sync, nothing to do';
    out(`${String(p.router)}: ${head}\n${steps(ss)}`);
    for (const n of p.notes as string[]) out(`  note: ${n}\n`);
  }
}

export async function routersApply(id: string | undefined, opts: Opts): Promise<void> {
  const body = id
    ? check(await apiRequest(`/api/v1/routers/${encodeURIComponent(id)}/apply`, { method: 'POST' }))
    : check(await apiRequest('/api/v1/routers/apply', { method: 'POST' }));
  const results = (id ? [body] : (body as Json).results) as Json[];
  if (opts.json) return out(JSON.stringify(id ? body : results, null, 2) + '\n');
  out(
    table(
      ['ROUTER', 'RESULT', 'WRITES', 'CHANGES', 'STATE', 'REASON'],
      results.map((r) => [String(r.router), String(r.result), String(r.writes), String((r.steps as Step[]).length), String(r.state), String(r.reason ?? '')]),
    ),
  );
  if (results.some((r) => r.result !== 'ok')) process.exitCode = 1;
}
