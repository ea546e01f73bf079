import { createHash, randomBytes } from 'node:crypto';
import type { Store, Tx } from '../store/store.js';
import type { Actor } from './actor.js';
import { userActorId } from './user-directory.js';
import { accountInfo, type AccountInfo, type UserRow } from './users.js';

export interface SessionMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export interface SessionLimits {
  idleMinutes: number;
  absoluteHours: number;
}

interface SessionRow {
  id_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** A live session: its account and the Actor the services see (the same shape a token gives). */
export interface ResolvedSession {
  user: AccountInfo;
  actor: Actor;
  createdAt: string;
  expiresAt: string;
}

/** Session ids are 256 random bits, base64url: 43 characters. Anything else is not looked up. */
export const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;
const hashId = (id: string) => createHash('sha256').update(id).digest('hex');
/** last_seen_at is written at most this often, so reading pages does not mean writing the database. */
const TOUCH_EVERY_MS = 60_000;

export const actorForUser = (u: { username: string; role: AccountInfo['role']; opd: string | null; displayName: string }): Actor => ({
  id: userActorId(u.username),
  role: u.role,
  opd: u.opd,
  name: u.displayName,
});

/**
 * Browser sessions, server-side: the cookie holds the id, the store holds its hash, its account,
 * and when it ends (idle: no request for idleMinutes; absolute: absoluteHours after login).
 */
export class SessionService {
  // Every page asks for its session: its lookup is prepared once, not per request.
  private readonly byHash;
  private readonly userById;

  constructor(
    private readonly store: Store,
    private readonly limits: SessionLimits,
  ) {
    this.byHash = store.db.prepare('SELECT * FROM sessions WHERE id_hash = ?');
    this.userById = store.db.prepare('SELECT * FROM users WHERE id = ?');
  }

  /** Opens a session inside the login's transaction; revokes `previous` (the id changes at login). */
  open(tx: Tx, userId: string, meta: SessionMeta, previous?: string): { id: string; expiresAt: string } {
    if (previous && SESSION_ID_RE.test(previous))
      tx.db.prepare('UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL').run(tx.now, hashId(previous));
    // Ended sessions of this account are kept a day for the record, then dropped.
    tx.db.prepare('DELETE FROM sessions WHERE user_id = ? AND expires_at < ?').run(userId, new Date(Date.parse(tx.now) - 86_400_000).toISOString());
    const id = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.parse(tx.now) + this.limits.absoluteHours * 3_600_000).toISOString();
    tx.db
      .prepare('INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(hashId(id), userId, tx.now, tx.now, expiresAt, meta.ip?.slice(0, 100) ?? null, meta.userAgent?.slice(0, 300) ?? null);
    return { id, expiresAt };
  }

  /** The live session behind a cookie value, or null (unknown, revoked, idle too long, past its end, account disabled). */
  resolve(id: string | undefined): ResolvedSession | null {
    if (!id || !SESSION_ID_RE.test(id)) return null;
    const h = hashId(id);
    const s = this.byHash.get(h) as SessionRow | undefined;
    if (!s || s.revoked_at) return null;
    const now = this.store.clock.now();
    if (s.expires_at <= now.toISOString()) return null;
    if (Date.parse(s.last_seen_at) + this.limits.idleMinutes * 60_000 <= now.getTime()) return null;
    const row = this.userById.get(s.user_id) as UserRow | undefined;
    if (!row || row.disabled_at) return null;
    const user = accountInfo(row);
    if (now.getTime() - Date.parse(s.last_seen_at) >= TOUCH_EVERY_MS) {
      // A heartbeat, not a change of state anyone acts on: no audit entry for it.
      this.store.write(actorForUser(user), (tx) => tx.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(tx.now, h));
    }
    return { user, actor: actorForUser(user), createdAt: s.created_at, expiresAt: s.expires_at };
  }

  /** Logout: the session ends now, whoever holds a copy of the cookie. */
  revoke(actor: Actor, id: string | undefined): boolean {
    if (!id || !SESSION_ID_RE.test(id)) return false;
    return this.store.write(actor, (tx) => {
      const s = tx.db.prepare('SELECT * FROM sessions WHERE id_hash = ? AND revoked_at IS NULL').get(hashId(id)) as SessionRow | undefined;
      if (!s) return false;
      tx.db.prepare('UPDATE sessions SET revoked_at = ? WHERE id_hash = ?').run(tx.now, s.id_hash);
      const u = tx.db.prepare('SELECT username, opd FROM users WHERE id = ?').get(s.user_id) as { username: string; opd: string | null };
      tx.audit({ action: 'user.logout', objectType: 'user', objectId: u.username, opd: u.opd });
      return true;
    });
  }

  /** Ends every session of an account (disabled, password reset, role changed), except `keep`. */
  revokeAll(tx: Tx, userId: string, keep?: string): number {
    const keepHash = keep && SESSION_ID_RE.test(keep) ? hashId(keep) : '';
    return tx.db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id_hash <> ?').run(tx.now, userId, keepHash).changes;
  }
}
