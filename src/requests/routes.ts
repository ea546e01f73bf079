import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { badRequest } from '../common/errors.js';
import { problemReplies, TextLines } from '../http/schemas.js';
import { DECISION_NOTE, type RequestType } from './service.js';
import { OpdCode } from '../inventory/model.js';

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

const Opd = Type.Optional(OpdCode({ description: 'NOC only: the OPD filed for; an opd-admin files for its own' }));

/** One body per registered type, told apart by `type` (OpenAPI shows each; Ajv checks only the one named). */
function fileSchema(types: RequestType[]) {
  return Type.Unsafe<{ type: string } & Record<string, unknown>>({
    oneOf: types.map((t) => Type.Object({ type: Type.Literal(t.name), opd: Opd, ...t.fields }, { additionalProperties: false, title: t.name })),
    discriminator: { propertyName: 'type' },
  });
}

/** An approval's body: the fields of every type (each described by its type); the request's own type then refuses the others'. */
function approveSchema(types: RequestType[]) {
  const props: TProperties = { ...DECISION_NOTE };
  for (const t of types)
    for (const [k, v] of Object.entries(t.decision))
      props[k] = props[k] ? props[k]! : { ...v, description: `${t.name}: ${v.description ?? ''}`.replace(/: $/, '') };
  return Type.Object(props, { additionalProperties: false });
}

const Reject = Type.Object({ reason: TextLines(1000) }, { additionalProperties: false });
const Query = Type.Object(
  {
    state: Type.Optional(Type.Union(['pending', 'approved', 'rejected', 'cancelled'].map((s) => Type.Literal(s)))),
    type: Type.Optional(Type.String({ maxLength: 32 })),
    opd: Type.Optional(OpdCode()),
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
  createdByName: Type.Union([Type.String(), Type.Null()], { description: "the account's display name or the token's name when filed" }),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedByName: Type.Union([Type.String(), Type.Null()]),
  steps: Type.Array(
    Type.Object({ at: Type.String(), actor: Type.String(), actorName: Type.Union([Type.String(), Type.Null()]), step: Type.String(), detail: Type.String() }),
  ),
});

export const requestRoutes: RoutePlugin = (app, s) => {
  const r = s.requests;
  const types = r.registered();
  const File = fileSchema(types);
  const Approve = approveSchema(types);
  app.post<{ Body: Static<typeof File> }>('/requests', {
    schema: { tags: ['requests'], summary: 'File a request (an opd-admin, for its own OPD)', body: File, response: { 201: Request, ...problemReplies } },
    // The type picks the schema: an unknown or missing one is answered before it, naming the types.
    preValidation: async (req) => {
      const type = (req.body as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !r.typeNames.includes(type))
        throw badRequest(type === undefined ? 'VALIDATION_FAILED' : 'UNKNOWN_REQUEST_TYPE', `type must be one of ${r.typeNames.join(', ')}`, 'type');
    },
    handler: async (req, reply) => reply.status(201).send(r.file(req.actor, req.body)),
  });
  app.get<{ Querystring: Static<typeof Query> }>('/requests', {
    schema: {
      tags: ['requests'],
      summary: "Requests, newest first (an opd-admin sees its own OPD's)",
      querystring: Query,
      response: { 200: Type.Array(Request), ...problemReplies },
    },
    handler: (req) => r.list(req.actor, req.query),
  });
  app.get<{ Params: Static<typeof Id> }>('/requests/:id', {
    schema: { tags: ['requests'], summary: 'One request with every step taken', params: Id, response: { 200: Request, ...problemReplies } },
    handler: (req) => r.get(req.actor, req.params.id),
  });
  app.post<{ Params: Static<typeof Id>; Body: Record<string, unknown> }>('/requests/:id/approve', {
    schema: {
      tags: ['requests'],
      summary: 'Approve: does the work in the same transaction (409 if not pending)',
      params: Id,
      body: Approve,
      response: { 200: Request, ...problemReplies },
    },
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
