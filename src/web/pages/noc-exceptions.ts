import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors.js';
import { TEXT_LINES_PATTERN } from '../../common/text.js';
import { endOfDay } from '../../common/time.js';
import type { Services } from '../../http/context.js';
import { EXCEPTION_STATES, type ExceptionFilter } from '../../blocking/service.js';
import { formValidator } from '../forms.js';
import { doneOf, mayOperate, moduleService, nocActor } from './noc-access.js';
import { OPD_CODE_RE } from '../../inventory/model.js';

const RevokeForm = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000, pattern: TEXT_LINES_PATTERN, 'x-error': 'ops:exceptions.errors.reason' }) },
  { additionalProperties: false },
);
const checkRevoke = formValidator(RevokeForm);
const PAGE = 50;

/** The filters of the list as the query gives them; a wrong one is a 400 page saying which. */
function filterOf(q: Record<string, unknown>, tz: string): Omit<ExceptionFilter, 'state'> & { state: string; by?: string } {
  const str = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
  const state = str('state') ?? 'active';
  if (state !== 'all' && !(EXCEPTION_STATES as readonly string[]).includes(state))
    throw new AppError(400, 'BAD_STATE', 'state is active, expired, revoked or all');
  const opd = str('opd');
  if (opd !== undefined && !OPD_CODE_RE.test(opd)) throw new AppError(400, 'BAD_OPD', 'opd is an office code such as DINKES');
  const after = str('after');
  if (after !== undefined && !/^\d{1,12}$/.test(after)) throw new AppError(400, 'BAD_PAGE', 'after is a number');
  // "ending by" a day: up to the end of that day in the regency's zone, inclusive
  const by = str('by');
  const last = by === undefined ? null : endOfDay(by, tz);
  if (by !== undefined && !last) throw new AppError(400, 'BAD_DATE_TIME', 'by is a date such as 2026-12-31');
  const endingBefore = last ? new Date(Date.parse(last) + 1000).toISOString() : undefined;
  return { state, ...(opd ? { opd } : {}), ...(by ? { by, endingBefore } : {}), ...(after ? { after: Number(after) } : {}), limit: PAGE };
}

/** Unblock exceptions across offices: their end, who asked, and revoking one with a reason. */
export async function exceptionPages(app: FastifyInstance, s: Services): Promise<void> {
  const listPage = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = nocActor(req);
    const f = filterOf(req.query as Record<string, unknown>, s.config.timezone);
    const { state, by: _by, ...rest } = f;
    const found = moduleService(s, 'blocking').searchExceptions(actor, { ...rest, ...(state === 'all' ? {} : { state: state as ExceptionFilter['state'] }) });
    const opds = s.inventory.listOpds(actor).map((o) => ({ code: o.code, name: o.name }));
    const query = new URLSearchParams({ state, ...(f.opd ? { opd: f.opd } : {}), ...(f.by ? { by: f.by } : {}) }).toString();
    return reply.page(
      'noc/exceptions',
      { found, filter: f, query, opds, operate: mayOperate(actor), done: doneOf(req, req.web.t), rowErrors: {}, rowValues: {}, ...extra },
      status,
    );
  };

  app.get('/noc/exceptions', (req, reply) => listPage(req, reply));

  app.post<{ Params: { id: string } }>('/noc/exceptions/:id/revoke', async (req, reply) => {
    const actor = nocActor(req);
    if (!/^\d{1,12}$/.test(req.params.id)) throw new AppError(404, 'NOT_FOUND', 'no such exception');
    const id = Number(req.params.id);
    const { t } = req.web;
    const form = checkRevoke(req.body, t);
    const back = (error: string, code: number) => listPage(req, reply, { rowErrors: { [id]: error }, rowValues: { [id]: form.values.reason ?? '' } }, code);
    if (!form.ok) return back(form.errors.reason ?? t('web:form.errors.invalid'), 400);
    try {
      moduleService(s, 'blocking').revokeException(actor, id, form.value.reason);
    } catch (e) {
      if (e instanceof AppError && e.code === 'EXCEPTION_NOT_ACTIVE') return back(t('ops:exceptions.errors.notActive'), 409);
      if (e instanceof AppError && e.code === 'REASON_REQUIRED') return back(t('ops:exceptions.errors.reason'), 400);
      throw e;
    }
    return reply.redirect('/noc/exceptions?state=revoked&done=exceptionRevoked', 303);
  });
}
