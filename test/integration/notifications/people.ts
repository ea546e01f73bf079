/**
 * Accounts for notification tests: a small real UserDirectory over a table of the test's own
 * (the notifications domain reads accounts only through this interface), plus a route hook that
 * acts as a logged-in person for the API, as a session would.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../../src/store/db.js';
import type { Actor, Role } from '../../../src/auth/actor.js';
import type { UserDirectory, UserInfo } from '../../../src/auth/user-directory.js';
import type { Lang } from '../../../src/i18n/i18n.js';

export interface Person {
  username: string;
  role: Role;
  opd?: string;
  language: Lang;
  email?: string | null;
  disabled?: boolean;
}

interface Row {
  username: string;
  display_name: string;
  email: string | null;
  role: Role;
  opd: string | null;
  language: Lang;
  disabled_at: string | null;
}

export class TableDirectory implements UserDirectory {
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS test_people (username TEXT PRIMARY KEY, display_name TEXT NOT NULL, email TEXT, role TEXT NOT NULL, opd TEXT, language TEXT NOT NULL, disabled_at TEXT)`);
  }

  add(...people: Person[]): this {
    const ins = this.db.prepare('INSERT OR REPLACE INTO test_people VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const p of people)
      ins.run(p.username, `Pak ${p.username}`, p.email === undefined ? `${p.username}@example.go.id` : p.email, p.role, p.opd ?? null, p.language, p.disabled ? '2026-01-01T00:00:00.000Z' : null);
    return this;
  }

  byActorId(actorId: string): UserInfo | null {
    const r = actorId.startsWith('user:') ? (this.db.prepare('SELECT * FROM test_people WHERE username = ?').get(actorId.slice(5)) as Row | undefined) : undefined;
    return r ? this.info(r) : null;
  }

  recipients(q: { roles: readonly Role[]; opd?: string }): UserInfo[] {
    const rows = this.db.prepare('SELECT * FROM test_people WHERE disabled_at IS NULL ORDER BY username').all() as Row[];
    return rows.filter((r) => q.roles.includes(r.role) && (q.opd === undefined || r.opd === q.opd)).map((r) => this.info(r));
  }

  actor(username: string): Actor {
    const u = this.byActorId(`user:${username}`)!;
    return { id: `user:${u.username}`, role: u.role, opd: u.opd };
  }

  private info(r: Row): UserInfo {
    return { id: r.username, username: r.username, displayName: r.display_name, email: r.email, role: r.role, opd: r.opd, language: r.language, disabledAt: r.disabled_at };
  }
}

/** `x-test-user: <username>` makes the request that person's (after the bearer token passed). */
export const actAsPerson =
  (dir: () => TableDirectory | null) =>
  (app: FastifyInstance): void => {
    app.addHook('onRequest', async (req) => {
      const who = req.headers['x-test-user'];
      const d = dir();
      if (typeof who === 'string' && d) req.actor = d.actor(who);
    });
  };
