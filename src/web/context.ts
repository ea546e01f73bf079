import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.js';
import type { ResolvedSession } from '../auth/sessions.js';
import type { AccountInfo } from '../auth/users.js';
import type { Services } from '../http/context.js';
import { chooseLang, translator, type Lang, type Translate } from '../i18n/i18n.js';
import { formatFor, type Format } from './format.js';

export const SESSION_COOKIE = 'simpul_session';
export const LANG_COOKIE = 'lang';

/** What every page handler and template knows about the request. */
export interface WebContext {
  session: ResolvedSession | null;
  user: AccountInfo | null;
  /** The same Actor a token gives; null when nobody is logged in. */
  actor: Actor | null;
  lang: Lang;
  t: Translate;
  fmt: Format;
  /** A session cookie came but names no live session (expired, revoked, logged out elsewhere). */
  sessionEnded: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    web: WebContext;
  }
  interface FastifyReply {
    /** Renders `views/<template>.eta` inside the layout with the page context (see src/web/README.md). */
    page(template: string, data?: Record<string, unknown>, status?: number): Promise<FastifyReply>;
  }
  interface FastifyContextConfig {
    /** A page anyone may open without logging in (login, language switch, static files). */
    public?: boolean;
  }
}

/** Resolves the session cookie and the language once per request. */
export function webContext(req: FastifyRequest, s: Services): WebContext {
  if (req.web) return req.web;
  const cookies = (req.cookies ?? {}) as Record<string, string | undefined>;
  const raw = cookies[SESSION_COOKIE];
  const session = raw ? s.sessions.resolve(raw) : null;
  const user = session?.user ?? null;
  const lang = chooseLang(user?.language, cookies[LANG_COOKIE], req.headers['accept-language']);
  req.web = {
    session,
    user,
    actor: session?.actor ?? null,
    lang,
    t: translator(lang),
    fmt: formatFor(lang, s.config.timezone),
    sessionEnded: !!raw && !session,
  };
  if (session) req.actor = session.actor;
  return req.web;
}

/** Secure cookies when the client reached us over TLS (directly or, with http.trustProxy, via the proxy). */
export const cookieSecure = (req: FastifyRequest): boolean => req.protocol === 'https';

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieSecure(req) });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieSecure(req) });
}

/** Only our own paths are followed after login or a language switch: never `//host` or a scheme. */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length > 500) return fallback;
  if (!/^\/(?![/\\])[^\s\\]*$/.test(next) || next.startsWith('/login') || next.startsWith('/logout')) return fallback;
  return next;
}
