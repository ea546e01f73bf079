/** Queries and metric names of a Grafana dashboard JSON (panels, nested rows, template variables). */

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
