import { join } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import { AppError } from '../common/errors.js';
import { projectRoot } from '../common/paths.js';
import type { Services } from '../http/context.js';
import { catalogDetail, sendProblem } from '../http/problem.js';
import { BilingualError } from '../labels/messages.js';
import { clearSessionCookie, webContext } from './context.js';
import { eta, renderPage, VIEWS_DIR, WEB_DIR } from './render.js';
import { securityHeaders } from './security.js';
import { authPages } from './pages/auth.js';
import { accountPages } from './pages/account.js';
import { homePages } from './pages/home.js';
import { requestPages } from './pages/requests.js';
import { blocklistPages } from './pages/noc-blocking.js';
import { routerPages } from './pages/noc-routers.js';
import { backbonePages } from './pages/noc-backbone.js';
import { inboxPages } from './pages/inbox.js';
import { diagramPages } from './pages/diagrams.js';
import { labelPages } from './pages/labels.js';
import { compliancePages } from './pages/compliance.js';
import { nocIpamPages } from './pages/noc-ipam.js';
import { nocAuditPages } from './pages/noc-audit.js';
import { nocUserPages } from './pages/noc-users.js';

/** A page area: registers its routes on the pages' Fastify scope (see src/web/README.md). */
export type PagePlugin = (app: FastifyInstance, s: Services) => void | Promise<void>;

/** Every page area, in order. Page authors add their one line here. */
export const PAGES: PagePlugin[] = [
  authPages,
  accountPages,
  homePages,
  requestPages,
  blocklistPages,
  routerPages,
  backbonePages,
  inboxPages,
  diagramPages,
  labelPages,
  compliancePages,
  nocIpamPages,
  nocAuditPages,
  nocUserPages,
];

/** The page an error becomes: the status and a message saying what to do, never a stack trace. */
export function errorPage(s: Services, req: FastifyRequest, reply: FastifyReply, status: number, key: string, detail?: string) {
  return renderPage(s, req, reply, 'error', { status, message: key, detail: detail ?? null, requestId: req.id }, status).catch((e: unknown) => {
    // The error page itself failed (a broken template): plain words, still no stack trace.
    req.log.error({ err: e }, 'error page failed to render');
    securityHeaders(reply);
    return reply
      .status(status)
      .type('text/plain; charset=utf-8')
      .send(`Error ${status}. Reload the page; if it happens again, tell the NOC (request ${req.id}).`);
  });
}

const STATUS_KEYS: Record<number, string> = {
  400: 'errors.badRequest',
  401: 'errors.loginRequired',
  403: 'errors.forbidden',
  404: 'errors.notFound',
  405: 'errors.badRequest',
  409: 'errors.conflict',
  413: 'errors.tooLarge',
  415: 'errors.badRequest',
  422: 'errors.badRequest',
  429: 'errors.tooMany',
  // a module that does not run on this daemon (e.g. SNMP switched off): its pages cannot serve
  503: 'errors.internal',
};

/** A service's refusal in the person's language: the label/diagram text, or the problems catalog (English as thrown). */
function detailFor(s: Services, req: FastifyRequest, err: AppError): string {
  const { lang, t } = webContext(req, s);
  if (err instanceof BilingualError) return err.text[lang];
  return lang === 'en' ? err.detail : catalogDetail(t, { status: err.status, code: err.code, detail: err.detail, field: err.field, ...err.extra });
}

async function handleError(s: Services, err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply) {
  const code = (err as FastifyError).code ?? '';
  if (code.startsWith('FST_CSRF_')) return errorPage(s, req, reply, 403, 'errors.csrf');
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errorPage(s, req, reply, 413, 'errors.tooLarge');
  if (err instanceof AppError) {
    if (err.status === 401) return reply.redirect('/login', 303);
    return errorPage(s, req, reply, err.status, STATUS_KEYS[err.status] ?? 'errors.badRequest', err.status === 404 ? undefined : detailFor(s, req, err));
  }
  const status = (err as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) return errorPage(s, req, reply, status, STATUS_KEYS[status] ?? 'errors.badRequest');
  req.log.error({ err }, 'unhandled error on a page');
  return errorPage(s, req, reply, 500, 'errors.internal');
}

/** Default getToken plus the query string (multipart forms put `?_csrf=` in their action URL). */
function csrfToken(req: FastifyRequest): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const b = body && typeof body === 'object' ? body._csrf : undefined;
  const fromBody =
    typeof b === 'string' ? b : b && typeof b === 'object' && typeof (b as { value?: unknown }).value === 'string' ? (b as { value: string }).value : undefined;
  const q = (req.query as Record<string, unknown> | undefined)?._csrf;
  const h = req.headers['x-csrf-token'];
  return fromBody ?? (typeof q === 'string' ? q : undefined) ?? (typeof h === 'string' ? h : undefined);
}

/** The pages' own scope: forms, static files, session, login guard, CSRF, error pages, routes. */
function pagesScope(s: Services) {
  return async (app: FastifyInstance) => {
    await app.register(formbody);
    await app.register(fastifyStatic, { root: join(WEB_DIR, 'static'), prefix: '/static/', decorateReply: false, maxAge: 3_600_000 });
    await app.register(fastifyStatic, {
      root: join(projectRoot(), 'node_modules', '@picocss', 'pico', 'css'),
      prefix: '/static/pico/',
      decorateReply: false,
      maxAge: 86_400_000,
    });
    app.addHook('onRequest', async (req, reply) => {
      securityHeaders(reply);
      const w = webContext(req, s);
      if (w.sessionEnded) clearSessionCookie(req, reply);
    });
    // Logged out: GET goes to the login page and comes back after; a POST is not replayed.
    app.addHook('preHandler', async (req, reply) => {
      if (req.routeOptions.config?.public || req.url.startsWith('/static/') || req.web.actor) return;
      const why = req.web.sessionEnded ? 'why=ended&' : '';
      const next = req.method === 'GET' && req.url !== '/' ? `next=${encodeURIComponent(req.url)}` : '';
      return reply.redirect(`/login${why || next ? '?' : ''}${why}${next}`.replace(/&$/, ''), 303);
    });
    app.addHook('preHandler', (req, reply, done) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return done();
      app.csrfProtection(req, reply, done);
    });
    app.setErrorHandler((err: FastifyError | AppError, req, reply) => handleError(s, err, req, reply));
    app.decorateReply('page', function (this: FastifyReply, template: string, data?: Record<string, unknown>, status?: number) {
      return renderPage(s, this.request, this, template, data, status);
    });
    for (const p of PAGES) await p(app, s);
  };
}

/**
 * The web pages for OPD admins and the NOC, outside /api. The outer layer puts cookies, CSRF
 * tokens and the view engine on the root instance (decorators only), so the 404 page for unknown
 * paths, answered at the root, can render too; everything else stays in the pages' scope.
 */
function plugin(s: Services) {
  const outer = async (app: FastifyInstance) => {
    await app.register(cookie);
    await app.register(csrf, {
      cookieKey: '_csrf',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: 'auto' },
      getToken: csrfToken,
    });
    await app.register(view, { engine: { eta }, templates: VIEWS_DIR, production: true });
    await app.register(pagesScope(s));
  };
  // Fastify's skip-override: the outer layer's decorators land on the root instance.
  (outer as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return outer;
}

export const webPages = {
  plugin,
  /** Unknown paths outside /api/: a page saying so, for browsers; problem+json for the rest. */
  notFound: (s: Services) => (req: FastifyRequest, reply: FastifyReply) => {
    if (!(req.headers.accept ?? '').includes('text/html'))
      return sendProblem(reply, req, {
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        detail: `no route ${req.method} ${req.url.split('?')[0]}; see /docs for the API`,
      });
    return errorPage(s, req, reply, 404, 'errors.notFound');
  },
};
