import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Eta } from 'eta';
import { projectRoot } from '../common/paths.js';
import type { Services } from '../http/context.js';
import { i18nInstance } from '../i18n/i18n.js';
import { webContext } from './context.js';
import { navFor } from './nav.js';
import { securityHeaders } from './security.js';

export const WEB_DIR = join(projectRoot(), 'src', 'web');
export const VIEWS_DIR = join(WEB_DIR, 'views');

/** One Eta for the process: auto-escaping on (`<%= %>` escapes, `<%~ %>` prints raw: only for our own partials). */
export const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true, autoTrim: [false, 'nl'] });

/** `?ok=<key>` after a redirect shows `web:flash.<key>` once, if such a message exists. */
function flashOf(req: FastifyRequest): string | null {
  const ok = (req.query as Record<string, unknown> | undefined)?.ok;
  if (typeof ok !== 'string' || !/^[a-zA-Z]{1,40}$/.test(ok)) return null;
  return i18nInstance().exists(`web:flash.${ok}`) ? ok : null;
}

/**
 * Renders a page template with what every template gets (see README): t, lang, fmt, user, actor,
 * csrf, nav, path, flash. Security headers are set here too, so pages rendered outside the web
 * plugin's hooks (the 404 page for unknown paths) carry them as well.
 */
export async function renderPage(
  s: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown> = {},
  status = 200,
): Promise<FastifyReply> {
  const w = webContext(req, s);
  const ctx = {
    errors: {},
    values: {},
    ...data,
    t: w.t,
    lang: w.lang,
    fmt: w.fmt,
    user: w.user,
    actor: w.actor,
    csrf: reply.generateCsrf(),
    nav: w.actor ? navFor(w.actor) : [],
    unread: w.actor ? (s.use('notifications')?.unreadCount(w.actor) ?? 0) : 0,
    path: req.url.split('?')[0],
    url: req.url,
    flash: flashOf(req),
  };
  const html = await reply.viewAsync(template, ctx);
  securityHeaders(reply);
  // Pages show one person's data: never kept by a shared proxy or the back button after logout.
  reply.header('cache-control', 'no-store');
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}
