import type { FastifyRequest } from 'fastify';
import type { Services } from '../../http/context.js';
import { requestView } from './request-view.js';

/** How many of the office's requests the home page lists; the rest are on /requests. */
const RECENT = 8;

/**
 * An OPD admin's office at a glance: its IP blocks and how full they are, its requests with each
 * step, its diagram compliance and its backbone link. Each part reads the same service as the API,
 * with the person's actor, so the office sees only its own; a module that does not run leaves its
 * part out (null) instead of failing the page.
 */
export function opdHome(s: Services, req: FastifyRequest) {
  const actor = req.web.actor!;
  const opd = actor.opd!;
  const blocks = s.ipam
    .listPrefixes(actor, { opd, state: 'allocated', limit: 50 })
    .map((p) => ({ cidr: p.cidr, purpose: p.purpose, family: p.family, utilization: s.ipam.getPrefix(actor, p.id).utilization }));
  const requests = s.requests.list(actor, { limit: RECENT }).map((r) => requestView(s, req.web.t, r));
  const compliance =
    s
      .use('topology')
      ?.compliance(actor)
      .opds.find((o) => o.opd === opd) ?? null;
  // backbone() already keeps an opd-admin to the links that touch its office's devices.
  const links = s.use('snmp')?.backbone(actor) ?? null;
  return {
    blocks,
    open: requests.filter((r) => r.state === 'pending'),
    past: requests.filter((r) => r.state !== 'pending'),
    compliance,
    links,
  };
}
