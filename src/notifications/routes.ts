import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import { chooseLang, type Lang } from '../i18n/i18n.js';
import type { UserDirectory } from '../auth/user-directory.js';
import { NOTIFICATION_KINDS } from './kinds.js';
import type { NotificationService } from './service.js';

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const Query = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000, default: 0 })),
    unread: Type.Optional(Type.Boolean({ description: 'true: only unread ones' })),
  },
  { additionalProperties: false },
);
const Notification = Type.Object({
  id: Type.Integer(),
  kind: Type.Unsafe<string>({ type: 'string', enum: [...NOTIFICATION_KINDS] }),
  params: Type.Record(Type.String(), Type.Unknown()),
  title: Type.String({ description: "in the caller's language" }),
  text: Type.String(),
  link: Type.String({ description: 'path of the page that shows it' }),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const Page = Type.Object({ unread: Type.Integer(), total: Type.Integer(), items: Type.Array(Notification) });

/**
 * A person's own notifications. They belong to accounts: an API token is nobody's inbox, so it
 * gets an empty list and 404 for any id (the same answers as for someone else's notification).
 */
export function notificationRoutes(svc: NotificationService, directory: () => UserDirectory | null): RoutePlugin {
  const langOf = (req: FastifyRequest): Lang =>
    chooseLang(
      directory()?.byActorId(req.actor.id)?.language,
      (req as { cookies?: Record<string, string | undefined> }).cookies?.lang,
      req.headers['accept-language'],
    );
  return (app) => {
    const tags = ['notifications'];
    app.get<{ Querystring: Static<typeof Query> }>('/notifications', {
      schema: {
        tags,
        summary: 'My notifications, unread first then newest, with the unread count',
        querystring: Query,
        response: { 200: Page, ...problemReplies },
      },
      handler: (req) => svc.list(req.actor, langOf(req), { limit: req.query.limit, offset: req.query.offset, unreadOnly: req.query.unread }),
    });
    app.post<{ Params: Static<typeof Id> }>('/notifications/:id/read', {
      schema: { tags, summary: 'Mark one of my notifications read', params: Id, response: { 200: Notification, ...problemReplies } },
      handler: (req) => svc.markRead(req.actor, req.params.id, langOf(req)),
    });
    app.post('/notifications/read-all', {
      schema: {
        tags,
        summary: 'Mark all my notifications read',
        response: { 200: Type.Object({ marked: Type.Integer(), unread: Type.Integer() }), ...problemReplies },
      },
      handler: (req) => ({ marked: svc.markAllRead(req.actor), unread: 0 }),
    });
  };
}
