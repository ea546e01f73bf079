import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, requirePermission, seesAllOpds } from '../../auth/actor.js';
import { AppError, forbidden } from '../../common/errors.js';
import { TEXT_LINES_PATTERN } from '../../common/text.js';
import type { Services } from '../../http/context.js';
import { IP_BLOCK_POOL_ROLES } from '../../ipam/ip-block-request.js';
import { formValidator, type FieldErrors } from '../forms.js';
import { idParam, requestView, serviceErrors, TYPES } from './request-view.js';
import { OpdCode } from '../../inventory/model.js';

const ApproveForm = Type.Object(
  {
    poolId: Type.Optional(Type.Integer({ minimum: 1 })),
    strategy: Type.Optional(Type.Unsafe<'first-fit' | 'best-fit'>({ type: 'string', enum: ['first-fit', 'best-fit'] })),
    until: Type.Optional(Type.String({ format: 'date', maxLength: 10, 'x-error': 'requests:errors.until' })),
    note: Type.Optional(Type.String({ maxLength: 1000, pattern: TEXT_LINES_PATTERN, 'x-error': 'requests:errors.note' })),
  },
  { additionalProperties: false },
);
const RejectForm = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000, pattern: TEXT_LINES_PATTERN, 'x-error': 'requests:errors.reason' }) },
  { additionalProperties: false },
);
const QueueQuery = Type.Object(
  {
    type: Type.Optional(Type.Union(TYPES.map((x) => Type.Literal(x)))),
    opd: Type.Optional(OpdCode()),
  },
  { additionalProperties: false },
);
const checkApprove = formValidator(ApproveForm);
const APPROVE_FIELDS = new Set(Object.keys(ApproveForm.properties));
const checkReject = formValidator(RejectForm);
const checkQuery = formValidator(QueueQuery);

/** How many pending requests one queue page shows, oldest first; more is a backlog, filtered by type or office. */
const QUEUE_MAX = 200;

interface Outcome {
  id: number;
  ok: boolean;
  text: string;
}

interface QueueState {
  /** Per request: its form errors and what was typed, after a refused decision. */
  cardErrors?: Record<number, FieldErrors>;
  cardValues?: Record<number, Record<string, string>>;
  outcomes?: Outcome[];
  formError?: string;
}

/** The NOC's side: the queue, pending first (oldest first), and the decisions. */
export async function nocRequestPages(app: FastifyInstance, s: Services): Promise<void> {
  const nocOnly = (req: FastifyRequest) => {
    if (!seesAllOpds(req.web.actor!)) throw forbidden("the request queue is the NOC's");
  };

  async function queue(req: FastifyRequest, reply: FastifyReply, state: QueueState = {}, status = 200) {
    const actor = req.web.actor!;
    const q = checkQuery(req.query, req.web.t);
    const f = q.ok ? q.value : {};
    const pending = s.requests.list(actor, { state: 'pending', type: f.type, opd: f.opd, limit: QUEUE_MAX }).reverse();
    const pools = can(actor, 'operate') ? s.ipam.listPools(actor).filter((p) => IP_BLOCK_POOL_ROLES.includes(p.role)) : [];
    return reply.page(
      'requests/queue',
      {
        pending: pending.map((r) => requestView(s, req.web.t, r)),
        pools,
        filter: { type: f.type ?? '', opd: f.opd ?? '' },
        opds: s.inventory.listOpds(actor).map((o) => o.code),
        canDecide: can(actor, 'operate'),
        cardErrors: state.cardErrors ?? {},
        cardValues: state.cardValues ?? {},
        outcomes: state.outcomes ?? null,
        errors: state.formError ? { _form: state.formError } : {},
      },
      status,
    );
  }

  app.get('/noc/requests', async (req, reply) => {
    nocOnly(req);
    return queue(req, reply);
  });

  app.post<{ Params: { id: string } }>('/noc/requests/:id/approve', async (req, reply) => {
    requirePermission(req.web.actor!, 'operate');
    const id = idParam(req.params.id);
    const form = checkApprove(req.body, req.web.t);
    if (!form.ok) return queue(req, reply, { cardErrors: { [id]: form.errors }, cardValues: { [id]: form.values } }, 400);
    const decision = Object.fromEntries(Object.entries(form.value).filter(([, v]) => v !== undefined));
    try {
      s.requests.approve(req.web.actor!, id, decision);
    } catch (e) {
      const { status, errors } = serviceErrors(e, req.web.t);
      // An error about a field this form does not have (prefix, overrideRole) belongs to the whole card.
      const shown = Object.fromEntries(Object.entries(errors).map(([k, m]) => [APPROVE_FIELDS.has(k) ? k : '_form', m]));
      return queue(req, reply, { cardErrors: { [id]: shown }, cardValues: { [id]: form.values } }, status);
    }
    return reply.redirect(`/noc/requests?ok=requestApproved`, 303);
  });

  app.post<{ Params: { id: string } }>('/noc/requests/:id/reject', async (req, reply) => {
    requirePermission(req.web.actor!, 'operate');
    const id = idParam(req.params.id);
    const form = checkReject(req.body, req.web.t);
    if (!form.ok) return queue(req, reply, { cardErrors: { [id]: form.errors }, cardValues: { [id]: form.values } }, 400);
    try {
      s.requests.reject(req.web.actor!, id, form.value.reason);
    } catch (e) {
      const { status, errors } = serviceErrors(e, req.web.t, 'reason');
      return queue(req, reply, { cardErrors: { [id]: errors }, cardValues: { [id]: form.values } }, status);
    }
    return reply.redirect(`/noc/requests?ok=requestRejected`, 303);
  });

  /** Several at once, with the defaults: each approval is its own transaction, and each says how it went. */
  app.post('/noc/requests/approve', async (req, reply) => {
    const actor = req.web.actor!;
    requirePermission(actor, 'operate');
    const { t } = req.web;
    const raw = (req.body as Record<string, unknown> | undefined)?.ids;
    const ids = [...new Set((Array.isArray(raw) ? raw : [raw]).filter((x): x is string => typeof x === 'string' && /^[1-9][0-9]{0,15}$/.test(x)).map(Number))];
    if (!ids.length) return queue(req, reply, { formError: t('requests:queue.noneChosen') }, 400);
    const outcomes: Outcome[] = [];
    for (const id of ids.slice(0, QUEUE_MAX)) {
      try {
        const v = requestView(s, t, s.requests.approve(actor, id, {}));
        outcomes.push({
          id,
          ok: true,
          text: v.prefix ? t('requests:queue.gotBlock', { prefix: v.prefix }) : t('requests:queue.gotOpen', { until: req.web.fmt.dateTime(v.openUntil) }),
        });
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        const text = e.status === 404 ? t('requests:queue.gone') : Object.values(serviceErrors(e, t).errors)[0]!;
        outcomes.push({ id, ok: false, text });
      }
    }
    return queue(req, reply, { outcomes });
  });
}
