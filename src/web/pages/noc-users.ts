import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requirePermission, ROLES, type Actor } from '../../auth/actor.js';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../auth/passwords.js';
import { USERNAME_PATTERN } from '../../auth/users.js';
import { AppError } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import { TextLine } from '../../http/schemas.js';
import { LANGS } from '../../i18n/i18n.js';
import { formValidator, type FieldErrors } from '../forms.js';
import { nocActor } from './noc-access.js';
import { nocDone } from './noc-paging.js';
import { OpdCode } from '../../inventory/model.js';

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Opd = Type.Optional(OpdCode());
const UserForm = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN, 'x-error': 'noc:users.errors.username' }),
    displayName: TextLine(100),
    email: Type.Optional(Type.String({ maxLength: 254, format: 'email', 'x-error': 'noc:users.errors.email' })),
    role: Role,
    opd: Opd,
    language: Type.Union(LANGS.map((l) => Type.Literal(l))),
    password: Type.Optional(Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, 'x-error': 'noc:users.errors.password' })),
  },
  { additionalProperties: false },
);
const TokenForm = Type.Object(
  { name: TextLine(100), role: Role, opd: Opd, expiresInDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })) },
  { additionalProperties: false },
);
const checkUser = formValidator(UserForm);
const checkToken = formValidator(TokenForm);

/** The services' refusals about one field, in the person's words; anything else is rethrown. */
const REFUSALS: Record<string, [field: string, key: string]> = {
  INVALID_USERNAME: ['username', 'noc:users.errors.username'],
  USERNAME_TAKEN: ['username', 'noc:users.errors.taken'],
  INVALID_DISPLAY_NAME: ['displayName', 'web:form.errors.invalid'],
  INVALID_EMAIL: ['email', 'noc:users.errors.email'],
  OPD_REQUIRED: ['opd', 'noc:users.errors.opdRequired'],
  UNKNOWN_OPD: ['opd', 'noc:users.errors.opdRequired'],
  PASSWORD_TOO_SHORT: ['password', 'noc:users.errors.password'],
  PASSWORD_TOO_LONG: ['password', 'noc:users.errors.password'],
  PASSWORD_INVALID: ['password', 'noc:users.errors.passwordInvalid'],
  VALIDATION_FAILED: ['name', 'web:form.errors.invalid'],
};
function refusal(e: unknown, t: (k: string) => string): FieldErrors {
  const known = e instanceof AppError ? REFUSALS[e.code] : undefined;
  if (!known) throw e;
  return { [known[0]]: t(known[1]) };
}

/** Only an opd-admin is bound to an office: the OPD chosen for another role is dropped, not refused. */
function officeOf(role: string, opd: string | undefined, t: (k: string) => string, errors: FieldErrors): string | null {
  if (role !== 'opd-admin') return null;
  if (!opd) errors.opd = t('noc:users.errors.opdRequired');
  return opd ?? null;
}

const adminActor = (req: FastifyRequest): Actor => {
  const actor = nocActor(req);
  requirePermission(actor, 'admin');
  return actor;
};

/**
 * People's accounts and the API's tokens, for a noc-admin: the same UserService and TokenService
 * calls as /api/v1/users and /api/v1/tokens. A generated password or a token's secret is shown on
 * the answer to the POST that made it, once, and never again.
 */
export async function nocUserPages(app: FastifyInstance, s: Services): Promise<void> {
  const offices = (actor: Actor) => s.inventory.listOpds(actor).map((o) => ({ value: o.code, label: `${o.code} · ${o.name}` }));
  const formPage = (req: FastifyRequest, reply: FastifyReply, template: string, extra: Record<string, unknown> = {}, status = 200) =>
    reply.page(template, { roles: ROLES, offices: offices(req.web.actor!), ...extra }, status);

  app.get('/noc/users', async (req, reply) => {
    const actor = adminActor(req);
    return reply.page('noc/users', {
      accounts: s.users.list(actor),
      tokens: s.tokens.list(actor),
      now: s.store.clock.now().toISOString(),
      self: actor.id,
      done: nocDone(req),
    });
  });

  app.get('/noc/users/new', async (req, reply) => {
    adminActor(req);
    return formPage(req, reply, 'noc/user-new', { values: { language: 'id' } });
  });
  app.post('/noc/users/new', async (req, reply) => {
    const actor = adminActor(req);
    const { t } = req.web;
    const form = checkUser(req.body, t);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    const raw = form.values;
    const opd = officeOf(raw.role ?? '', raw.opd || undefined, t, errors);
    if (!form.ok || Object.keys(errors).length) return formPage(req, reply, 'noc/user-new', { errors, values: raw }, 400);
    const v = form.value;
    try {
      const r = await s.users.create(actor, {
        username: v.username,
        displayName: v.displayName,
        email: v.email ?? null,
        role: v.role,
        opd,
        language: v.language,
        password: v.password,
      });
      return reply.page('noc/secret', { kind: 'user', who: r.user.username, name: r.user.displayName, secret: r.password ?? null });
    } catch (e) {
      return formPage(req, reply, 'noc/user-new', { errors: refusal(e, t), values: raw }, 400);
    }
  });

  const USERNAME = new RegExp(USERNAME_PATTERN);
  const username = (req: FastifyRequest): string => {
    const u = (req.params as { username?: unknown }).username;
    if (typeof u !== 'string' || !USERNAME.test(u)) throw new AppError(404, 'NOT_FOUND', 'no such account');
    return u;
  };
  for (const [path, act, done] of [
    ['disable', (a: Actor, u: string) => s.users.disable(a, u), 'disabled'],
    ['enable', (a: Actor, u: string) => s.users.enable(a, u), 'enabled'],
    ['unlock', (a: Actor, u: string) => s.users.unlock(a, u), 'unlocked'],
  ] as const) {
    app.post(`/noc/users/:username/${path}`, async (req, reply) => {
      act(adminActor(req), username(req));
      return reply.redirect(`/noc/users?done=${done}`, 303);
    });
  }
  app.post('/noc/users/:username/reset-password', async (req, reply) => {
    const r = await s.users.resetPassword(adminActor(req), username(req));
    return reply.page('noc/secret', { kind: 'reset', who: r.user.username, name: r.user.displayName, secret: r.password ?? null });
  });

  app.get('/noc/tokens/new', async (req, reply) => {
    adminActor(req);
    return formPage(req, reply, 'noc/token-new');
  });
  app.post('/noc/tokens/new', async (req, reply) => {
    const actor = adminActor(req);
    const { t } = req.web;
    const form = checkToken(req.body, t);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    const opd = officeOf(form.values.role ?? '', form.values.opd || undefined, t, errors);
    if (!form.ok || Object.keys(errors).length) return formPage(req, reply, 'noc/token-new', { errors, values: form.values }, 400);
    try {
      const r = s.tokens.create(actor, { name: form.value.name, role: form.value.role, opd, expiresInDays: form.value.expiresInDays });
      return reply.page('noc/secret', { kind: 'token', who: r.id, name: r.name, secret: r.token, expiresAt: r.expiresAt });
    } catch (e) {
      return formPage(req, reply, 'noc/token-new', { errors: refusal(e, t), values: form.values }, 400);
    }
  });
  app.post<{ Params: { id: string } }>('/noc/tokens/:id/revoke', async (req, reply) => {
    const actor = adminActor(req);
    if (!/^tok_[0-9a-f]{12}$/.test(req.params.id)) throw new AppError(404, 'NOT_FOUND', 'no such token');
    s.tokens.revoke(actor, req.params.id);
    return reply.redirect('/noc/users?done=revoked#tokens', 303);
  });
}
