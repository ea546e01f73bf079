import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { can, seesAllOpds } from '../../auth/actor.js';
import type { Services } from '../../http/context.js';
import { formValidator } from '../forms.js';
import { idParam, PAGE_SIZE, requestView, STATES, TYPES } from './request-view.js';
import { requestFormPages } from './request-forms.js';
import { nocRequestPages } from './noc-requests.js';
import { OpdCode } from '../../inventory/model.js';

const ListQuery = Type.Object(
  {
    state: Type.Optional(Type.Union(STATES.map((x) => Type.Literal(x)))),
    type: Type.Optional(Type.Union(TYPES.map((x) => Type.Literal(x)))),
    opd: Type.Optional(OpdCode()),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    ok: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const checkList = formValidator(ListQuery);

/** Requests: the office's own (an opd-admin) or every office's (the NOC), and each one's steps. */
export async function requestPages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/requests', async (req, reply) => {
    const actor = req.web.actor!;
    const q = checkList(req.query, req.web.t);
    // A bad filter in a hand-edited address shows the unfiltered list, not an error page.
    const f = q.ok ? q.value : {};
    const page = f.page ?? 1;
    const rows = s.requests.list(actor, {
      state: f.state,
      type: f.type,
      opd: seesAllOpds(actor) ? f.opd : undefined,
      limit: PAGE_SIZE + 1,
      offset: (page - 1) * PAGE_SIZE,
    });
    const filter = { state: f.state ?? '', type: f.type ?? '', opd: seesAllOpds(actor) ? (f.opd ?? '') : '' };
    const link = (p: number) =>
      '/requests?' + new URLSearchParams({ ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)), page: String(p) }).toString();
    return reply.page('requests/list', {
      requests: rows.slice(0, PAGE_SIZE).map((r) => requestView(s, req.web.t, r)),
      filter,
      opds: seesAllOpds(actor) ? s.inventory.listOpds(actor).map((o) => o.code) : [],
      page,
      prev: page > 1 ? link(page - 1) : null,
      next: rows.length > PAGE_SIZE ? link(page + 1) : null,
      canFile: actor.role === 'opd-admin',
      isNoc: can(actor, 'operate'),
    });
  });

  app.get<{ Params: { id: string } }>('/requests/:id', async (req, reply) => {
    const actor = req.web.actor!;
    const r = s.requests.get(actor, idParam(req.params.id));
    return reply.page('requests/detail', {
      request: requestView(s, req.web.t, r),
      canCancel: r.state === 'pending' && can(actor, 'write:opd'),
      canDecide: r.state === 'pending' && can(actor, 'operate'),
    });
  });

  app.post<{ Params: { id: string } }>('/requests/:id/cancel', async (req, reply) => {
    const id = idParam(req.params.id);
    s.requests.cancel(req.web.actor!, id);
    return reply.redirect(`/requests/${id}?ok=requestCancelled`, 303);
  });

  await requestFormPages(app, s);
  await nocRequestPages(app, s);
}
