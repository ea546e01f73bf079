import type { FastifyInstance } from 'fastify';
import { seesAllOpds } from '../../auth/actor.js';
import type { Services } from '../../http/context.js';
import { opdHome } from './home-opd.js';

/**
 * The home page: an OPD admin's office at a glance, or the NOC's overview. Placeholders for now;
 * the areas' authors fill them (see src/web/README.md).
 */
export async function homePages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/', async (req, reply) => {
    const actor = req.web.actor!;
    if (!seesAllOpds(actor)) {
      const opd = s.inventory.getOpd(actor, actor.opd!);
      return reply.page('home-opd', { opd, ...opdHome(s, req) });
    }
    return reply.page('home-noc', { opds: s.inventory.listOpds(actor) });
  });
}
