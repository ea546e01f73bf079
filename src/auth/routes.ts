import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies, TextLine, TokenOut } from '../http/schemas.js';
import { ROLES } from './actor.js';
import { OpdCode } from '../inventory/model.js';

const CreateBody = Type.Object(
  {
    name: TextLine(100, 1, { description: 'who or what holds the token, e.g. "Budi (NOC)"' }),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    opd: Type.Optional(OpdCode({ description: 'required for opd-admin' })),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650, description: '0 = never; default from config' })),
  },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.String({ pattern: '^tok_[0-9a-f]{12}$' }) }, { additionalProperties: false });

export const tokenRoutes: RoutePlugin = (app, s) => {
  app.post<{ Body: Static<typeof CreateBody> }>('/tokens', {
    schema: {
      tags: ['auth'],
      summary: 'Create an API token (noc-admin). The secret is in this answer only.',
      body: CreateBody,
      response: { 201: Type.Composite([TokenOut, Type.Object({ token: Type.String() })]), ...problemReplies },
    },
    handler: async (req, reply) => reply.status(201).send(s.tokens.create(req.actor, req.body)),
  });
  app.get('/tokens', {
    schema: { tags: ['auth'], summary: 'List tokens (never their secrets)', response: { 200: Type.Array(TokenOut), ...problemReplies } },
    handler: (req) => s.tokens.list(req.actor),
  });
  app.delete<{ Params: Static<typeof IdParam> }>('/tokens/:id', {
    schema: { tags: ['auth'], summary: 'Revoke a token', params: IdParam, response: { 200: TokenOut, ...problemReplies } },
    handler: (req) => s.tokens.revoke(req.actor, req.params.id),
  });
  app.get('/whoami', {
    schema: {
      tags: ['auth'],
      summary: 'The caller: token id, role and OPD',
      response: {
        200: Type.Object({ id: Type.String(), role: Type.String(), opd: Type.Union([Type.String(), Type.Null()]), name: Type.Optional(Type.String()) }),
      },
    },
    handler: (req) => req.actor,
  });
};
