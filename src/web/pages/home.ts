import type { FastifyInstance } from 'fastify';
import { seesAllOpds } from '../../auth/actor.js';
import type { Services } from '../../http/context.js';
import { opdHome } from './home-opd.js';
import { nocHome } from './home-noc.js';

/** The home page: an OPD admin's office at a glance, or the NOC's overview of what waits for it. */
export async function homePages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/', async (req, reply) => {
    const actor = req.web.actor!;
    if (!seesAllOpds(actor)) {
      const opd = s.inventory.getOpd(actor, actor.opd!);
      return reply.page('home-opd', { opd, ...opdHome(s, req) });
    }
    return reply.page('home-noc', nocHome(s, req));
  });
}
