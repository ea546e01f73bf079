import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requirePermission } from '../../auth/actor.js';
import type { AuditEntry, AuditQuery } from '../../audit/service.js';
import { USERNAME_PATTERN } from '../../auth/users.js';
import { endOfDay } from '../../common/time.js';
import type { Services } from '../../http/context.js';
import { TextLine } from '../../http/schemas.js';
import { formValidator } from '../forms.js';
import { mayOperate, nocActor } from './noc-access.js';
import { namesOf } from '../people.js';
import { cursorOf } from './noc-paging.js';

const Day = Type.String({ format: 'date', 'x-error': 'noc:audit.errors.date' });
const Filters = Type.Object(
  {
    objectType: Type.Optional(Type.String({ maxLength: 32, pattern: '^[a-z][a-z0-9-]*$', 'x-error': 'noc:audit.errors.word' })),
    objectId: Type.Optional(TextLine(200)),
    actor: Type.Optional(TextLine(100)),
    action: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z][a-z0-9.-]*$', 'x-error': 'noc:audit.errors.word' })),
    since: Type.Optional(Day),
    until: Type.Optional(Day),
  },
  { additionalProperties: false },
);
const checkFilters = formValidator(Filters);
const PAGE = 50;
const USERNAME = new RegExp(USERNAME_PATTERN);

/** Who acted, for people: an account's display name or a token's name next to the id the chain keeps. */
const namesFor = (s: Services, entries: AuditEntry[]): Record<string, string> =>
  Object.fromEntries(
    namesOf(
      s,
      entries.map((e) => e.actor.id),
    ),
  );

/** A plain username typed in the actor filter means that person's account. */
const actorId = (typed: string | undefined): string | undefined => (typed && USERNAME.test(typed) ? `user:${typed}` : typed);

/** Dates are days in the regency's zone: since = the day's first second, until = through its last. */
function dayBounds(tz: string, since?: string, until?: string): { since?: string; until?: string } {
  const after = (d: string) => {
    const end = endOfDay(d, tz);
    return end ? new Date(Date.parse(end) + 1000).toISOString() : undefined;
  };
  return { since: since ? after(new Date(Date.parse(since) - 86_400_000).toISOString().slice(0, 10)) : undefined, until: until ? after(until) : undefined };
}

/** The query string of the filters, to carry them into the next page's link. */
const filterQuery = (values: Record<string, string>) => new URLSearchParams(Object.entries(values).filter(([k, v]) => v && k in Filters.properties)).toString();

/** The audit log for the NOC: filters, pages of 50 newest first, and the chain check. */
export async function nocAuditPages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/noc/audit', async (req: FastifyRequest, reply) => {
    const actor = nocActor(req);
    const form = checkFilters(req.query, req.web.t);
    const base = { operate: mayOperate(actor), values: form.values, filters: filterQuery(form.values) };
    if (!form.ok) return reply.page('noc/audit', { ...base, errors: form.errors, entries: [], names: {}, next: null }, 400);
    const f = form.value;
    const q: AuditQuery = {
      objectType: f.objectType,
      objectId: f.objectId,
      actor: actorId(f.actor),
      action: f.action,
      ...dayBounds(s.config.timezone, f.since, f.until),
      before: cursorOf(req, 'before'),
      limit: PAGE + 1,
    };
    const rows = s.audit.list(actor, q);
    const entries = rows.slice(0, PAGE);
    return reply.page('noc/audit', {
      ...base,
      entries,
      names: namesFor(s, entries),
      next: rows.length > PAGE ? entries.at(-1)!.seq : null,
      paged: q.before !== undefined,
    });
  });

  // A read, so a GET; the same permission as the API's /audit/verify.
  app.get('/noc/audit/verify', async (req, reply) => {
    const actor = nocActor(req);
    requirePermission(actor, 'operate');
    return reply.page('noc/audit-verify', { result: s.audit.verify() });
  });
}
