/**
 * Accounts for notification tests, made through the real UserService (the notifications domain
 * reads them only through its UserDirectory interface), and a route hook that acts as a logged-in
 * person on the API, as a page would with a session (the API itself takes only tokens).
 */
import type { FastifyInstance } from 'fastify';
import { systemActor, type Actor, type Role } from '../../../src/auth/actor.js';
import type { UserService } from '../../../src/auth/users.js';
import type { Lang } from '../../../src/i18n/i18n.js';

export interface Person {
  username: string;
  role: Role;
  opd?: string;
  language: Lang;
  email?: string | null;
}

export async function createPeople(users: UserService, people: Person[]): Promise<void> {
  for (const p of people)
    await users.create(systemActor('test'), {
      username: p.username,
      displayName: `Pak ${p.username}`,
      email: p.email === undefined ? `${p.username}@example.go.id` : p.email,
      role: p.role,
      opd: p.opd ?? null,
      language: p.language,
      password: 'a-long-test-password',
    });
}

export function actorOf(users: UserService, username: string): Actor {
  const u = users.byActorId(`user:${username}`);
  if (!u) throw new Error(`no account ${username}`);
  return { id: `user:${u.username}`, role: u.role, opd: u.opd };
}

/** `x-test-user: <username>` makes the request that person's (after the bearer token passed). */
export const actAsPerson =
  (users: () => UserService) =>
  (app: FastifyInstance): void => {
    app.addHook('onRequest', async (req) => {
      const who = req.headers['x-test-user'];
      if (typeof who === 'string') req.actor = actorOf(users(), who);
    });
  };
