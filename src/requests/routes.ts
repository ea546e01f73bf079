import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { DateOrDateTime, problemReplies, TextLine, TextLines } from '../http/schemas.js';

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

/** Every field any request type takes; each type checks which it needs (with the field named). */
const File = Type.Object(
  {
    type: Type.String({ maxLength: 32, description: 'ip-block, unblock' }),
    opd: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,12}$', description: 'NOC only: the OPD filed for; an opd-admin files for its own' })),
    family: Type.Optional(Type.Integer({ enum: [4, 6] })),
    prefixLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 128 })),
    addresses: Type.Optional(Type.Integer()),
    purpose: Type.Optional(TextLines(500)),
    justification: Type.Optional(TextLines(2000)),
    domain: Type.Optional(TextLine(300)),
    address: Type.Optional(TextLine(64)),
    duty: Type.Optional(TextLines(1000)),
    until: Type.Optional(DateOrDateTime('unblock: when the exception ends; a plain date (2026-12-31) means the end of that day in the regency\'s zone')),
  },
  { additionalProperties: false },
);
const Approve = Type.Object(
  {
    poolId: Type.Optional(Type.Integer({ minimum: 1 })),
    prefix: Type.Optional(TextLine(64)),
    strategy: Type.Optional(Type.Union([Type.Literal('first-fit'), Type.Literal('best-fit')])),
    overrideRole: Type.Optional(Type.Boolean({ description: 'ip-block, noc-admin only: serve from poolId although its role is not opd-lan (kept in the steps and the audit log)' })),
    until: Type.Optional(DateOrDateTime('unblock: a shorter end than asked (a plain date: the end of that day in the regency\'s zone)')),
    note: Type.Optional(TextLines(1000)),
  },
  { additionalProperties: false },
);
const Reject = Type.Object({ reason: TextLines(1000) }, { additionalProperties: false });
const Query = Type.Object(
  {
    state: Type.Optional(Type.Union(['pending', 'approved', 'rejected', 'cancelled'].map((s) => Type.Literal(s)))),
    type: Type.Optional(Type.String({ maxLength: 32 })),
    opd: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,12}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, description: 'skip this many (newest first), to page' })),
  },
  { additionalProperties: false },
);
const Request = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  opd: Type.String(),
  state: Type.String(),
  body: Type.Record(Type.String(), Type.Unknown()),
  result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  createdBy: Type.String(),
  createdByName: Type.Union([Type.String(), Type.Null()], { description: 'the account\'s display name or the token\'s name when filed' }),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedByName: Type.Union([Type.String(), Type.Null()]),
  steps: Type.Array(Type.Object({ at: Type.String(), actor: Type.String(), actorName: Type.Union([Type.String(), Type.Null()]), step: Type.String(), detail: Type.String() })),
});

export const requestRoutes: RoutePlugin = (app, s) => {
  const r = s.requests;
  app.post<{ Body: Static<typeof File> }>('/requests', {
    schema: { tags: ['requests'], summary: 'File a request (an opd-admin, for its own OPD)', body: File, response: { 201: Request, ...problemReplies } },
    handler: async (req, reply) => reply.status(201).send(r.file(req.actor, req.body)),
  });
  app.get<{ Querystring: Static<typeof Query> }>('/requests', {
    schema: { tags: ['requests'], summary: 'Requests, newest first (an opd-admin sees its own OPD\'s)', querystring: Query, response: { 200: Type.Array(Request), ...problemReplies } },
    handler: (req) => r.list(req.actor, req.query),
  });
  app.get<{ Params: Static<typeof Id> }>('/requests/:id', {
    schema: { tags: ['requests'], summary: 'One request with every step taken', params: Id, response: { 200: Request, ...problemReplies } },
    handler: (req) => r.get(req.actor, req.params.id),
  });
  app.post<{ Params: Static<typeof Id>; Body: Static<typeof Approve> }>('/requests/:id/approve', {
    schema: { tags: ['requests'], summary: 'Approve: does the work in the same transaction (409 if not pending)', params: Id, body: Approve, response: { 200: Request, ...problemReplies } },
    handler: (req) => r.approve(req.actor, req.params.id, req.body),
  });
  app.post<{ Params: Static<typeof Id>; Body: Static<typeof Reject> }>('/requests/:id/reject', {
    schema: { tags: ['requests'], summary: 'Reject with a reason the OPD reads', params: Id, body: Reject, response: { 200: Request, ...problemReplies } },
    handler: (req) => r.reject(req.actor, req.params.id, req.body.reason),
  });
  app.post<{ Params: Static<typeof Id> }>('/requests/:id/cancel', {
    schema: { tags: ['requests'], summary: 'Withdraw a pending request', params: Id, response: { 200: Request, ...problemReplies } },
    handler: (req) => r.cancel(req.actor, req.params.id),
  });
};
