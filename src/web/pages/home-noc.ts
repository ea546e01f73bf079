import type { FastifyRequest } from 'fastify';
import type { Services } from '../../http/context.js';
import { requestView } from './request-view.js';

const SHOWN = 5;

/**
 * The NOC's home: what waits for it across the regency, each part linking to its page. A module
 * that does not run on this daemon shows as such instead of failing the page.
 */
export function nocHome(s: Services, req: FastifyRequest) {
  const actor = req.web.actor!;
  const { t } = req.web;
  const pending = s.requests.list(actor, { state: 'pending', limit: 1000 });
  const links = s.use('snmp')?.backbone(actor) ?? null;
  const routers = s.use('routeros')?.list(actor) ?? null;
  const compliance = s.use('topology')?.compliance(actor).opds ?? null;
  return {
    opds: s.inventory.listOpds(actor),
    requests: {
      pending: pending.length,
      oldest: pending
        .slice(-SHOWN)
        .reverse()
        .map((r) => requestView(s, t, r)),
    },
    backbone: links && {
      total: links.length,
      down: links.filter((l) => l.status === 'down'),
      busiest: links
        .filter((l) => l.utilization !== undefined)
        .sort((a, b) => b.utilization! - a.utilization!)
        .slice(0, 3),
    },
    routers: routers && {
      total: routers.length,
      inSync: routers.filter((r) => r.state === 'in-sync').length,
      attention: routers.filter((r) => r.state !== 'in-sync').slice(0, SHOWN),
      others: Math.max(0, routers.filter((r) => r.state !== 'in-sync').length - SHOWN),
    },
    compliance: compliance && { total: compliance.length, overdue: compliance.filter((o) => o.overdue) },
  };
}
