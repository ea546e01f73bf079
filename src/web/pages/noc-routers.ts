import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import type { StepOut } from '../../routeros/service.js';
import { doneOf, mayOperate, moduleService, nocActor } from './noc-access.js';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A plan as people read it: per menu, what would be added, changed, moved and removed. */
export function planByMenu(steps: StepOut[]): { menu: string; add: StepOut[]; set: StepOut[]; move: StepOut[]; remove: StepOut[] }[] {
  const menus = new Map<string, { menu: string; add: StepOut[]; set: StepOut[]; move: StepOut[]; remove: StepOut[] }>();
  for (const st of steps) {
    let m = menus.get(st.menu);
    if (!m) menus.set(st.menu, (m = { menu: st.menu, add: [], set: [], move: [], remove: [] }));
    (m[st.op as 'add' | 'set' | 'move' | 'remove'] ?? m.set).push(st);
  }
  return [...menus.values()];
}

/** The NOC's routers: sync state and drift of each, a router's plan in words, apply with a confirmation. */
export async function routerPages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/noc/routers', async (req, reply) => {
    const actor = nocActor(req);
    return reply.page('noc/routers', { routers: moduleService(s, 'routeros').list(actor) });
  });

  /** One router with the plan read from it now; a router that cannot be read shows why instead. */
  const routerPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = nocActor(req);
    if (!ID.test(id)) throw new AppError(404, 'NOT_FOUND', 'no such router');
    const svc = moduleService(s, 'routeros');
    const router = svc.get(actor, id);
    let plan: Awaited<ReturnType<typeof svc.plan>> | null = null;
    let planError: string | null = null;
    let planRefused = false;
    try {
      plan = await svc.plan(actor, id);
    } catch (e) {
      if (!(e instanceof AppError) || e.status === 404) throw e;
      planError = e.detail;
      // 409: the desired state itself was refused (e.g. past the model's limit), not the router
      planRefused = e.status === 409;
    }
    return reply.page(
      'noc/router',
      { router, plan, menus: plan ? planByMenu(plan.steps) : [], planError, planRefused, operate: mayOperate(actor), done: doneOf(req, req.web.t), ...extra },
      status,
    );
  };

  app.get<{ Params: { id: string } }>('/noc/routers/:id', (req, reply) => routerPage(req, reply, req.params.id));

  app.post<{ Params: { id: string } }>('/noc/routers/:id/apply', async (req, reply) => {
    const actor = nocActor(req);
    if (!ID.test(req.params.id)) throw new AppError(404, 'NOT_FOUND', 'no such router');
    try {
      await moduleService(s, 'routeros').apply(actor, req.params.id);
    } catch (e) {
      // The router could not be reached or its desired state was refused: said on its page.
      if (!(e instanceof AppError) || e.status === 404 || e.status === 403) throw e;
      return routerPage(req, reply, req.params.id, { applyError: e.detail }, e.status);
    }
    return reply.redirect(`/noc/routers/${req.params.id}?done=applied`, 303);
  });
}
