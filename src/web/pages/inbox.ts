import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import { formValidator } from '../forms.js';

const PAGE_SIZE = 25;
const Query = Type.Object(
  { page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })), unread: Type.Optional(Type.Literal('1')) },
  { additionalProperties: false },
);
const checkQuery = formValidator(Query);
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 31 }) }, { additionalProperties: false });
const checkId = formValidator(IdParam);
const ReadForm = Type.Object({ open: Type.Optional(Type.Literal('1')) }, { additionalProperties: false });
const checkRead = formValidator(ReadForm);

/**
 * A person's in-app notifications (requests filed and decided, exceptions ending, diagrams due):
 * unread first, each opened (and marked read) or marked read, or all at once. The unread count
 * is in the header of every page (render.ts).
 */
export async function inboxPages(app: FastifyInstance, s: Services): Promise<void> {
  const inbox = () => {
    const n = s.use('notifications');
    if (!n) throw notFound('page', '/notifications');
    return n;
  };

  app.get('/notifications', async (req, reply) => {
    const q = checkQuery(req.query, req.web.t);
    const page = q.ok ? (q.value.page ?? 1) : 1;
    const unreadOnly = q.ok && q.value.unread === '1';
    const list = inbox().list(req.web.actor!, req.web.lang, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, unreadOnly });
    const shown = unreadOnly ? list.unread : list.total;
    return reply.page('inbox/list', { list, page, pages: Math.max(1, Math.ceil(shown / PAGE_SIZE)), unreadOnly });
  });

  app.post('/notifications/:id/read', async (req, reply) => {
    const id = checkId(req.params, req.web.t);
    if (!id.ok) throw notFound('notification', String((req.params as { id?: unknown }).id));
    const n = inbox().markRead(req.web.actor!, id.value.id, req.web.lang);
    const form = checkRead(req.body, req.web.t);
    // Only our own links (a path on this site) are followed: a notification never sends a person elsewhere.
    const open = form.ok && form.value.open === '1' && n.link.startsWith('/') && !n.link.startsWith('//');
    return reply.redirect(open ? n.link : '/notifications', 303);
  });

  app.post('/notifications/read-all', async (req, reply) => {
    inbox().markAllRead(req.web.actor!);
    return reply.redirect('/notifications?ok=allRead', 303);
  });
}
