import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { seesAllOpds } from '../../auth/actor.js';
import { forbidden } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import type { ComplianceRow } from '../../topology/compliance.js';
import { topologyOf } from './diagrams.js';

const SORTS = ['urgency', 'opd', 'last', 'findings', 'labels'] as const;
type Sort = (typeof SORTS)[number];
const Query = Type.Object({
  sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)))),
  dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
});

/** Never uploaded counts as the most overdue; then fewest days left first. */
const daysKey = (r: ComplianceRow) => r.daysUntilDeadline ?? Number.NEGATIVE_INFINITY;
const KEYS: Record<Sort, (r: ComplianceRow) => number | string> = {
  urgency: daysKey,
  opd: (r) => r.opd,
  last: (r) => r.lastDiagramAt ?? '',
  findings: (r) => r.findings.error * 1_000_000 + r.findings.warning,
  labels: (r) => r.validLabelShare ?? -1,
};

export function sortRows(rows: ComplianceRow[], sort: Sort, dir: 'asc' | 'desc'): ComplianceRow[] {
  const k = KEYS[sort];
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = k(a);
    const y = k(b);
    return (x < y ? -1 : x > y ? 1 : a.opd < b.opd ? -1 : a.opd > b.opd ? 1 : 0) * sign;
  });
}

/** The NOC's view of every office's yearly diagram: sortable without JavaScript, overdue first. */
export async function compliancePages(app: FastifyInstance, s: Services): Promise<void> {
  app.get<{ Querystring: Static<typeof Query> }>('/noc/compliance', { schema: { querystring: Query } }, async (req, reply) => {
    const actor = req.web.actor!;
    if (!seesAllOpds(actor)) throw forbidden('the compliance of every office is for the NOC');
    const c = topologyOf(s).compliance(actor);
    const sort = req.query.sort ?? 'urgency';
    const dir = req.query.dir ?? (sort === 'findings' ? 'desc' : 'asc');
    return reply.page('noc/compliance', { rows: sortRows(c.opds, sort, dir), sort, dir, deadlineDays: c.deadlineDays, sorts: SORTS });
  });
}
