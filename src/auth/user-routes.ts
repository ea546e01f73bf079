import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies, Nullable } from '../http/schemas.js';
import { requirePermission, ROLES } from './actor.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';
import { USERNAME_PATTERN } from './users.js';
import { OpdCode } from '../inventory/model.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Lang = Type.Union([Type.Literal('id'), Type.Literal('en')]);
const DisplayName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });
const Email = Type.String({ maxLength: 254, format: 'email' });
const Opd = OpdCode({ description: 'required for opd-admin' });
const Password = Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX });

const UserOut = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  email: Nullable(Type.String()),
  role: Type.String(),
  opd: Nullable(Type.String()),
  language: Type.String(),
  disabledAt: Nullable(Type.String({ format: 'date-time' })),
  failedCount: Type.Integer(),
  lockedUntil: Nullable(Type.String({ format: 'date-time' })),
  lastLoginAt: Nullable(Type.String({ format: 'date-time' })),
  passwordChangedAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
});
const WithPassword = Type.Object({
  user: UserOut,
  password: Type.Optional(Type.String({ description: 'the generated password: shown in this answer only' })),
});

const CreateBody = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN, description: '2-32 of a-z 0-9 . _ -' }),
    displayName: DisplayName,
    email: Type.Optional(Nullable(Email)),
    role: RoleSchema,
    opd: Type.Optional(Opd),
    language: Type.Optional(Lang),
    password: Type.Optional({ ...Password, description: 'absent: one is generated and returned once' }),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    email: Type.Optional(Nullable(Email)),
    role: Type.Optional(RoleSchema),
    opd: Type.Optional(Nullable(Opd)),
    language: Type.Optional(Lang),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ResetBody = Type.Object({ password: Type.Optional(Password) }, { additionalProperties: false });
const Params = Type.Object({ username: Type.String({ pattern: USERNAME_PATTERN }) }, { additionalProperties: false });
const ListQuery = Type.Object({ role: Type.Optional(RoleSchema), opd: Type.Optional(Opd) }, { additionalProperties: false });

type P = { Params: Static<typeof Params> };

/** /api/v1/users: people's accounts, noc-admin only. Password hashes never leave the service. */
export const userRoutes: RoutePlugin = (app, s) => {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/users', {
    schema: { tags: ['auth'], summary: 'List accounts (noc-admin)', querystring: ListQuery, response: { 200: Type.Array(UserOut), ...problemReplies } },
    handler: (req) => s.users.list(req.actor, req.query),
  });
  app.post<{ Body: Static<typeof CreateBody> }>('/users', {
    schema: {
      tags: ['auth'],
      summary: 'Create an account (noc-admin); without a password one is generated and shown in this answer only',
      body: CreateBody,
      response: { 201: WithPassword, ...problemReplies },
    },
    handler: async (req, reply) => {
      requirePermission(req.actor, 'admin');
      return reply.status(201).send(await s.users.create(req.actor, req.body));
    },
  });
  app.get<P>('/users/:username', {
    schema: { tags: ['auth'], summary: 'One account (noc-admin)', params: Params, response: { 200: UserOut, ...problemReplies } },
    handler: (req) => s.users.get(req.actor, req.params.username),
  });
  app.patch<P & { Body: Static<typeof PatchBody> }>('/users/:username', {
    schema: {
      tags: ['auth'],
      summary: 'Change display name, e-mail, role, OPD or language (noc-admin)',
      params: Params,
      body: PatchBody,
      response: { 200: UserOut, ...problemReplies },
    },
    handler: (req) => s.users.update(req.actor, req.params.username, req.body),
  });
  app.post<P>('/users/:username/disable', {
    schema: { tags: ['auth'], summary: 'Disable an account and end its sessions (noc-admin)', params: Params, response: { 200: UserOut, ...problemReplies } },
    handler: (req) => s.users.disable(req.actor, req.params.username),
  });
  app.post<P>('/users/:username/enable', {
    schema: { tags: ['auth'], summary: 'Enable a disabled account (noc-admin)', params: Params, response: { 200: UserOut, ...problemReplies } },
    handler: (req) => s.users.enable(req.actor, req.params.username),
  });
  app.post<P & { Body: Static<typeof ResetBody> | undefined }>('/users/:username/reset-password', {
    schema: {
      tags: ['auth'],
      summary: "Set a new password (given, or generated and shown once); ends the account's sessions (noc-admin)",
      params: Params,
      body: Type.Optional(ResetBody),
      response: { 200: WithPassword, ...problemReplies },
    },
    handler: async (req) => {
      requirePermission(req.actor, 'admin');
      return s.users.resetPassword(req.actor, req.params.username, req.body?.password);
    },
  });
  app.post<P>('/users/:username/unlock', {
    schema: { tags: ['auth'], summary: 'Lift a lockout after failed logins (noc-admin)', params: Params, response: { 200: UserOut, ...problemReplies } },
    handler: (req) => s.users.unlock(req.actor, req.params.username),
  });
};
