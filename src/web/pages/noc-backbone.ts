import type { FastifyInstance } from 'fastify';
import type { Services } from '../../http/context.js';
import { moduleService, nocActor } from './noc-access.js';

/** The backbone dashboard deploy/grafana provisions, and its utilization panel. */
const DASHBOARD = 'd/simpul-backbone/simpul-backbone';
const UTILIZATION_PANEL = 5;

/** The Grafana panel for an office's links (all of them without one); null when grafana.url is unset. */
export function grafanaPanel(base: string | undefined, opd?: string | null): string | null {
  if (!base) return null;
  const q = new URLSearchParams({ ...(opd ? { 'var-opd': opd } : {}), viewPanel: String(UTILIZATION_PANEL) });
  return `${base.replace(/\/+$/, '')}/${DASHBOARD}?${q}`;
}

/** The NOC's backbone: every link's status, traffic, utilization against its contract, errors. */
export async function backbonePages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/noc/backbone', async (req, reply) => {
    const actor = nocActor(req);
    const links = moduleService(s, 'snmp').backbone(actor);
    const base = s.config.grafana?.url;
    return reply.page('noc/backbone', {
      links: links.map((l) => ({ ...l, grafana: grafanaPanel(base, l.opd) })),
      dashboard: base ? `${base.replace(/\/+$/, '')}/${DASHBOARD}` : null,
      down: links.filter((l) => l.status === 'down').length,
    });
  });
}
