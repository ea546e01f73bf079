import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../http/context.js';
import { isLang } from '../../i18n/i18n.js';
import { clearSessionCookie, cookieSecure, LANG_COOKIE, safeNext, SESSION_COOKIE, setSessionCookie } from '../context.js';
import { formValidator } from '../forms.js';

/** Lengths that stop junk before it reaches the KDF; the real rules are the service's. */
const LoginForm = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    next: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const checkLogin = formValidator(LoginForm);

const LangForm = Type.Object(
  { lang: Type.Union([Type.Literal('id'), Type.Literal('en')]), next: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
const checkLang = formValidator(LangForm);

const pub = { config: { public: true } };

/** Login, logout and the language switch. */
export async function authPages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/login', pub, async (req, reply) => {
    if (req.web.actor) return reply.redirect('/', 303);
    const q = req.query as Record<string, unknown>;
    const notice = q.why === 'ended' ? 'login.ended' : null;
    return reply.page('login', { next: safeNext(q.next, ''), notice });
  });

  app.post('/login', pub, async (req, reply) => {
    const { t, fmt } = req.web;
    const form = checkLogin(req.body, t);
    const next = safeNext(form.values.next, '/');
    if (!form.ok) return reply.page('login', { errors: form.errors, values: form.values, next }, 400);
    const r = await s.users.login(form.value.username, form.value.password, {
      ip: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
      previousSessionId: req.cookies[SESSION_COOKIE],
    });
    if (!r.ok) {
      const message =
        r.reason === 'locked'
          ? t('web:login.locked', { until: fmt.dateTime(r.until) })
          : r.reason === 'throttled'
            ? t('web:login.throttled', { until: fmt.dateTime(r.until) })
            : r.reason === 'disabled'
              ? t('web:login.disabled')
              : t('web:login.invalid');
      const status = r.reason === 'invalid' || r.reason === 'disabled' ? 401 : r.reason === 'throttled' ? 429 : 423;
      return reply.page('login', { errors: { _form: message }, values: { username: form.value.username }, next }, status);
    }
    setSessionCookie(req, reply, r.sessionId);
    reply.setCookie(LANG_COOKIE, r.user.language, { path: '/', sameSite: 'lax', httpOnly: true, secure: cookieSecure(req), maxAge: 365 * 86400 });
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    s.sessions.revoke(req.web.actor!, req.cookies[SESSION_COOKIE]);
    clearSessionCookie(req, reply);
    return reply.redirect('/login?ok=loggedOut', 303);
  });

  // Public: the login page has the switch too. Logged in, the account remembers the choice.
  app.post('/lang', pub, async (req, reply) => {
    const form = checkLang(req.body, req.web.t);
    const next = safeNext(form.values.next, '/');
    if (!form.ok || !isLang(form.value.lang)) return reply.redirect(next, 303);
    reply.setCookie(LANG_COOKIE, form.value.lang, { path: '/', sameSite: 'lax', httpOnly: true, secure: cookieSecure(req), maxAge: 365 * 86400 });
    if (req.web.actor) s.users.setLanguage(req.web.actor, form.value.lang);
    return reply.redirect(next, 303);
  });
}
