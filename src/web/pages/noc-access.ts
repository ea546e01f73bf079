import type { FastifyRequest } from 'fastify';
import { can, seesAllOpds, type Actor } from '../../auth/actor.js';
import { AppError } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import type { Provided } from '../../module.js';

/**
 * The NOC's pages are for the NOC roles: an opd-admin gets the same 404 page as for another
 * office's object, so the page's existence says nothing either.
 */
export function nocActor(req: FastifyRequest): Actor {
  const actor = req.web.actor!;
  if (!seesAllOpds(actor)) throw new AppError(404, 'NOT_FOUND', 'no such page');
  return actor;
}

/** Whether the page offers its buttons (a viewer reads only; the services check again). */
export const mayOperate = (actor: Actor): boolean => can(actor, 'operate');

/** A module's service, or a 503 page naming the module when it does not run (e.g. snmp off). */
export function moduleService<K extends keyof Provided>(s: Services, name: K): Provided[K] {
  const svc = s.use(name);
  if (!svc) throw new AppError(503, 'MODULE_NOT_RUNNING', `the ${name} module does not run on this daemon`);
  return svc;
}

/** `?done=<key>` after a redirect: `<ns>:done.<key>` once, when the key is one of ours. */
export function doneOf(req: FastifyRequest, t: (k: string) => string, ns = 'ops'): string | null {
  const k = (req.query as Record<string, unknown> | undefined)?.done;
  if (typeof k !== 'string' || !/^[a-zA-Z]{1,40}$/.test(k)) return null;
  const key = `${ns}:done.${k}`;
  const text = t(key);
  return text === key || text === `done.${k}` ? null : text;
}
