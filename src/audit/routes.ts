import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import { requirePermission } from '../auth/actor.js';

const Query = Type.Object(
  {
    objectType: Type.Optional(Type.String({ maxLength: 64 })),
    objectId: Type.Optional(Type.String({ maxLength: 200 })),
    actor: Type.Optional(Type.String({ maxLength: 100 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'page backwards: entries with seq below this' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.Object({ id: Type.String(), role: Type.String() }),
  action: Type.String(),
  object: Type.Object({ type: Type.String(), id: Type.String() }),
  opd: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  hash: Type.String(),
});

export const auditRoutes: RoutePlugin = (app, s) => {
  app.get<{ Querystring: Static<typeof Query> }>('/audit', {
    schema: {
      tags: ['audit'],
      summary: 'Audit log, newest first (an opd-admin sees its own OPD)',
      querystring: Query,
      response: { 200: Type.Array(Entry), ...problemReplies },
    },
    handler: (req) => s.audit.list(req.actor, req.query),
  });
  app.get('/audit/verify', {
    schema: {
      tags: ['audit'],
      summary: 'Verify the hash chain; names the first entry that breaks it',
      response: {
        200: Type.Object({
          ok: Type.Boolean(),
          entries: Type.Integer(),
          head: Type.String(),
          firstBroken: Type.Union([Type.Object({ seq: Type.Integer(), reason: Type.String() }), Type.Null()]),
        }),
        ...problemReplies,
      },
    },
    handler: (req) => {
      requirePermission(req.actor, 'operate');
      return s.audit.verify();
    },
  });
};
