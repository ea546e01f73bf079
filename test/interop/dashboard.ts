/** Queries and metric names of a Grafana dashboard JSON (panels, nested rows, template variables). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/daemon.js';

interface Target {
  expr?: string;
}
interface Panel {
  title?: string;
  targets?: Target[];
  panels?: Panel[];
}

export interface DashboardQuery {
  panel: string;
  expr: string;
}

/** Every panel target's PromQL expression, rows' nested panels included. */
export function dashboardQueries(dashboard: { panels?: Panel[] }): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const walk = (panels: Panel[] = []) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? '', expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Template variable queries (label_values(...) and the like). */
export function variableQueries(dashboard: { templating?: { list?: Array<{ type?: string; query?: unknown; definition?: string }> } }): string[] {
  return (dashboard.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => (typeof v.query === 'string' ? v.query : ((v.query as { query?: string } | undefined)?.query ?? v.definition ?? '')));
}

/** simpul_* metric names a query reads (strings inside label matchers are not names). */
export function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set([...withoutStrings.matchAll(/\bsimpul_[a-zA-Z0-9_]+\b/g)].map((m) => m[0]))];
}

interface Variable {
  name: string;
  type?: string;
  query?: unknown;
  definition?: string;
  allValue?: string;
  current?: { value?: string | string[] };
}

/** Each template variable's value as a dashboard opens: "All" is its allValue (or .*), a custom variable its current value. */
export function defaultVariables(dashboard: { templating?: { list?: Variable[] } }): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type === 'datasource') continue;
    const cur = Array.isArray(v.current?.value) ? v.current.value[0] : v.current?.value;
    out.set(v.name, cur === undefined || cur === '$__all' ? (v.allValue ?? '.*') : cur);
  }
  return out;
}

/** A query as Grafana sends it: variables replaced ($name and ${name}), $__rate_interval as 5m. */
export function expandQuery(expr: string, vars: Map<string, string>, overrides: Record<string, string> = {}): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
    if (name === '__rate_interval') return '5m';
    return overrides[name] ?? vars.get(name) ?? whole;
  });
}

/** label_values(selector, label) as the PromQL that answers it (group by the label), or the query itself. */
export function variableAsPromql(query: string): string {
  const m = /^\s*label_values\((.+),\s*(\w+)\s*\)\s*$/.exec(query);
  return m ? `group by (${m[2]}) (${m[1]})` : query;
}

export type Dashboard = Parameters<typeof dashboardQueries>[0] & Parameters<typeof variableQueries>[0] & Parameters<typeof defaultVariables>[0];
export const GRAFANA_DIR = join(ROOT, 'deploy/grafana');
/** Every dashboard Grafana is given (deploy/grafana/*.json), by file name. */
export const DASHBOARDS = new Map(
  readdirSync(GRAFANA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(GRAFANA_DIR, f), 'utf8')) as Dashboard] as const),
);
