import { randomBytes } from 'node:crypto';
import type { Store, Tx } from '../store/store.js';
import { AppError, badRequest, notFound } from '../common/errors.js';
import { isLang, type Lang } from '../i18n/i18n.js';
import { requirePermission, ROLES, systemActor, type Actor, type Role } from './actor.js';
import { userActorId, type UserDirectory, type UserInfo } from './user-directory.js';
import { dummyHash, generatePassword, hashPassword, needsRehash, passwordProblem, verifyPassword, PASSWORD_MAX } from './passwords.js';
import type { SessionMeta, SessionService } from './sessions.js';
import { hasOpd } from '../inventory/read.js';

/** An account as a noc-admin sees it: UserInfo plus its login state. Never the password hash. */
export interface AccountInfo extends UserInfo {
  failedCount: number;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  passwordChangedAt: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  role: Role;
  opd: string | null;
  language: Lang;
  password_hash: string;
  password_changed_at: string;
  failed_count: number;
  last_failed_at: string | null;
  locked_until: string | null;
  last_login_at: string | null;
  disabled_at: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export const accountInfo = (r: UserRow): AccountInfo => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  email: r.email,
  role: r.role,
  opd: r.opd,
  language: r.language,
  disabledAt: r.disabled_at,
  failedCount: r.failed_count,
  lockedUntil: r.locked_until,
  lastLoginAt: r.last_login_at,
  passwordChangedAt: r.password_changed_at,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
});

export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{1,31}$';
const USERNAME_RE = new RegExp(USERNAME_PATTERN);
const EMAIL_RE = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,189}$/;
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export interface CreateUser {
  username: string;
  displayName: string;
  email?: string | null;
  role: string;
  opd?: string | null;
  language?: string;
  /** Absent: one is generated and returned once. */
  password?: string;
}

export interface UpdateUser {
  displayName?: string;
  email?: string | null;
  role?: string;
  opd?: string | null;
  language?: string;
}

export interface LoginLimits {
  maxFailures: number;
  lockMinutes: number;
  addressMaxFailures: number;
  addressWindowMinutes: number;
}

export type LoginResult =
  | { ok: true; user: AccountInfo; sessionId: string; expiresAt: string }
  /** Wrong password and unknown user are one answer, so the page cannot tell them apart. */
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked' | 'throttled'; until: string }
  | { ok: false; reason: 'disabled' };

/** Audit objects carry what was typed only when it could be a username (never a 1 MB junk string). */
const typedName = (u: string) => (USERNAME_RE.test(u) ? u : '(not a valid username)');
const publicView = (u: AccountInfo) => ({ ...u });

/**
 * People's accounts: the one write path for them (every change audited), the login check with its
 * per-account lockout and per-address throttle, and the UserDirectory other domains read.
 */
export class UserService implements UserDirectory {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
    private readonly limits: LoginLimits,
  ) {}

  private row(username: string): UserRow | undefined {
    return this.store.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  }

  private mustRow(username: string): UserRow {
    const r = typeof username === 'string' && USERNAME_RE.test(username) ? this.row(username) : undefined;
    if (!r) throw notFound('user', String(username).slice(0, 64));
    return r;
  }

  private checkFields(
    tx: Tx,
    f: { displayName?: string; email?: string | null; role?: string; opd?: string | null; language?: string },
    role: Role,
    opd: string | null,
  ): void {
    if (
      f.displayName !== undefined &&
      (typeof f.displayName !== 'string' || !f.displayName.trim() || f.displayName.length > 100 || CONTROL_RE.test(f.displayName))
    )
      throw badRequest('INVALID_DISPLAY_NAME', 'displayName must be 1 to 100 characters without control characters', 'displayName');
    if (f.email != null && (typeof f.email !== 'string' || !EMAIL_RE.test(f.email)))
      throw badRequest('INVALID_EMAIL', 'email must look like name@example.go.id', 'email');
    if (f.language !== undefined && !isLang(f.language)) throw badRequest('INVALID_LANGUAGE', "language must be 'id' or 'en'", 'language');
    if (role === 'opd-admin' && !opd) throw badRequest('OPD_REQUIRED', 'an opd-admin account must name its OPD (opd: CODE)', 'opd');
    if (role !== 'opd-admin' && opd) throw badRequest('OPD_NOT_ALLOWED', `only opd-admin accounts are bound to an OPD; drop opd for role ${role}`, 'opd');
    if (opd && !hasOpd(tx.db, opd)) throw badRequest('UNKNOWN_OPD', `OPD '${String(opd).slice(0, 20)}' is not in the inventory`, 'opd');
  }

  private static checkRole(role: unknown): Role {
    if (!(ROLES as readonly unknown[]).includes(role)) throw badRequest('INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`, 'role');
    return role as Role;
  }

  private static checkPassword(password: string): void {
    const p = passwordProblem(password);
    if (p === 'PASSWORD_TOO_SHORT') throw badRequest(p, 'the password must have at least 10 characters', 'password');
    if (p === 'PASSWORD_TOO_LONG') throw badRequest(p, `the password must be at most ${PASSWORD_MAX} bytes`, 'password');
    if (p) throw badRequest(p, 'the password must not contain NUL characters', 'password');
  }

  async create(actor: Actor, input: CreateUser): Promise<{ user: AccountInfo; password?: string }> {
    requirePermission(actor, 'admin');
    if (typeof input.username !== 'string' || !USERNAME_RE.test(input.username))
      throw badRequest('INVALID_USERNAME', 'username must be 2 to 32 of a-z, 0-9, ".", "_", "-", starting with a letter or digit', 'username');
    const role = UserService.checkRole(input.role);
    const generated = input.password === undefined ? generatePassword() : undefined;
    const password = input.password ?? generated!;
    UserService.checkPassword(password);
    const hash = await hashPassword(password);
    const user = this.store.write(actor, (tx) => {
      const opd = input.opd ?? null;
      this.checkFields(tx, input, role, opd);
      if (tx.db.prepare('SELECT 1 FROM users WHERE username = ?').get(input.username))
        throw new AppError(409, 'USERNAME_TAKEN', `username '${input.username}' is taken; choose another`, 'username');
      const id = 'usr_' + randomBytes(6).toString('hex');
      tx.db
        .prepare(
          `INSERT INTO users (id, username, display_name, email, role, opd, language, password_hash, password_changed_at, created_at, created_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, input.username, input.displayName.trim(), input.email ?? null, role, opd, input.language ?? 'id', hash, tx.now, tx.now, actor.id, tx.now);
      const created = accountInfo(tx.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow);
      tx.audit({ action: 'user.create', objectType: 'user', objectId: created.username, opd, after: publicView(created) });
      return created;
    });
    return generated ? { user, password: generated } : { user };
  }

  list(actor: Actor, q: { role?: Role; opd?: string } = {}): AccountInfo[] {
    requirePermission(actor, 'admin');
    const where: string[] = [];
    const args: string[] = [];
    if (q.role) where.push('role = ?'), args.push(q.role);
    if (q.opd) where.push('opd = ?'), args.push(q.opd);
    const sql = `SELECT * FROM users ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY username`;
    return (this.store.db.prepare(sql).all(...args) as UserRow[]).map(accountInfo);
  }

  /** A noc-admin reads any account; anyone reads their own. */
  get(actor: Actor, username: string): AccountInfo {
    if (actor.id !== userActorId(username)) requirePermission(actor, 'admin');
    return accountInfo(this.mustRow(username));
  }

  update(actor: Actor, username: string, patch: UpdateUser): AccountInfo {
    requirePermission(actor, 'admin');
    return this.store.write(actor, (tx) => {
      const before = this.mustRow(username);
      const role = patch.role === undefined ? before.role : UserService.checkRole(patch.role);
      // Changing away from opd-admin drops the OPD unless the patch names one (which is then refused).
      const opd = patch.opd !== undefined ? patch.opd : role === 'opd-admin' ? before.opd : null;
      this.checkFields(tx, patch, role, opd);
      tx.db
        .prepare('UPDATE users SET display_name = ?, email = ?, role = ?, opd = ?, language = ?, updated_at = ? WHERE id = ?')
        .run(
          patch.displayName?.trim() ?? before.display_name,
          patch.email === undefined ? before.email : patch.email,
          role,
          opd,
          patch.language ?? before.language,
          tx.now,
          before.id,
        );
      // A role or office change takes effect now, not at the next login.
      if (role !== before.role || opd !== before.opd) this.sessions.revokeAll(tx, before.id);
      const after = accountInfo(tx.db.prepare('SELECT * FROM users WHERE id = ?').get(before.id) as UserRow);
      tx.audit({ action: 'user.update', objectType: 'user', objectId: username, opd: after.opd ?? before.opd, before: accountInfo(before), after });
      return after;
    });
  }

  /** A person sets their own page language. */
  setLanguage(actor: Actor, language: Lang): AccountInfo {
    const username = actor.id.startsWith('user:') ? actor.id.slice(5) : '';
    return this.store.write(actor, (tx) => {
      const before = this.mustRow(username);
      if (!isLang(language)) throw badRequest('INVALID_LANGUAGE', "language must be 'id' or 'en'", 'language');
      tx.db.prepare('UPDATE users SET language = ?, updated_at = ? WHERE id = ?').run(language, tx.now, before.id);
      tx.audit({
        action: 'user.language',
        objectType: 'user',
        objectId: username,
        opd: before.opd,
        before: { language: before.language },
        after: { language },
      });
      return accountInfo(tx.db.prepare('SELECT * FROM users WHERE id = ?').get(before.id) as UserRow);
    });
  }

  disable(actor: Actor, username: string): AccountInfo {
    requirePermission(actor, 'admin');
    if (actor.id === userActorId(username)) throw badRequest('CANNOT_DISABLE_SELF', 'you cannot disable your own account; ask another noc-admin');
    return this.store.write(actor, (tx) => {
      const before = this.mustRow(username);
      if (before.disabled_at) return accountInfo(before);
      tx.db.prepare('UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?').run(tx.now, tx.now, before.id);
      this.sessions.revokeAll(tx, before.id);
      const after = accountInfo({ ...before, disabled_at: tx.now, updated_at: tx.now });
      tx.audit({ action: 'user.disable', objectType: 'user', objectId: username, opd: before.opd, before: accountInfo(before), after });
      return after;
    });
  }

  enable(actor: Actor, username: string): AccountInfo {
    requirePermission(actor, 'admin');
    return this.store.write(actor, (tx) => {
      const before = this.mustRow(username);
      if (!before.disabled_at) return accountInfo(before);
      tx.db.prepare('UPDATE users SET disabled_at = NULL, failed_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(tx.now, before.id);
      const after = accountInfo(tx.db.prepare('SELECT * FROM users WHERE id = ?').get(before.id) as UserRow);
      tx.audit({ action: 'user.enable', objectType: 'user', objectId: username, opd: before.opd, before: accountInfo(before), after });
      return after;
    });
  }

  /** Lifts a lockout (and the throttle of the addresses that failed on this account). */
  unlock(actor: Actor, username: string): AccountInfo {
    requirePermission(actor, 'admin');
    return this.store.write(actor, (tx) => {
      const before = this.mustRow(username);
      tx.db.prepare('UPDATE users SET failed_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(tx.now, before.id);
      tx.db.prepare('DELETE FROM login_failures WHERE username = ?').run(username);
      const after = accountInfo(tx.db.prepare('SELECT * FROM users WHERE id = ?').get(before.id) as UserRow);
      tx.audit({
        action: 'user.unlock',
        objectType: 'user',
        objectId: username,
        opd: before.opd,
        before: { failedCount: before.failed_count, lockedUntil: before.locked_until },
        after: { failedCount: 0, lockedUntil: null },
      });
      return after;
    });
  }

  /** Sets a new password (given, or generated and returned once); ends the account's sessions. */
  async resetPassword(actor: Actor, username: string, password?: string): Promise<{ user: AccountInfo; password?: string }> {
    requirePermission(actor, 'admin');
    this.mustRow(username);
    const generated = password === undefined ? generatePassword() : undefined;
    UserService.checkPassword(password ?? generated!);
    const hash = await hashPassword(password ?? generated!);
    const user = this.store.write(actor, (tx) => this.setPassword(tx, username, hash, 'user.password-reset'));
    return generated ? { user, password: generated } : { user };
  }

  /** A person changes their own password, proving the current one; their other sessions end. */
  async changeOwnPassword(actor: Actor, current: string, next: string, keepSessionId?: string): Promise<AccountInfo> {
    const username = actor.id.startsWith('user:') ? actor.id.slice(5) : '';
    const row = this.mustRow(username);
    if (typeof current !== 'string' || Buffer.byteLength(current) > PASSWORD_MAX || !(await verifyPassword(current, row.password_hash)))
      throw badRequest('CURRENT_PASSWORD_WRONG', 'the current password is not right', 'current');
    UserService.checkPassword(next);
    const hash = await hashPassword(next);
    return this.store.write(actor, (tx) => this.setPassword(tx, username, hash, 'user.password-change', keepSessionId));
  }

  private setPassword(tx: Tx, username: string, hash: string, action: string, keepSessionId?: string): AccountInfo {
    const before = this.mustRow(username);
    tx.db
      .prepare('UPDATE users SET password_hash = ?, password_changed_at = ?, failed_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?')
      .run(hash, tx.now, tx.now, before.id);
    this.sessions.revokeAll(tx, before.id, keepSessionId);
    tx.audit({ action, objectType: 'user', objectId: username, opd: before.opd, after: { passwordChangedAt: tx.now } });
    return accountInfo(tx.db.prepare('SELECT * FROM users WHERE id = ?').get(before.id) as UserRow);
  }

  /**
   * Checks a login and, when it succeeds, opens a session (revoking `meta.previousSessionId`, so
   * the id changes at login). Unknown users cost one scrypt like known ones. An address past its
   * throttle is refused before any password is checked.
   */
  async login(username: string, password: string, meta: SessionMeta & { previousSessionId?: string }): Promise<LoginResult> {
    const now = this.store.clock.now();
    const address = meta.ip ?? 'unknown';
    const windowStart = new Date(now.getTime() - this.limits.addressWindowMinutes * 60_000).toISOString();
    const recent = this.store.db
      .prepare('SELECT count(*) AS n, min(at) AS first FROM login_failures WHERE address = ? AND at > ?')
      .get(address, windowStart) as { n: number; first: string | null };
    if (recent.n >= this.limits.addressMaxFailures)
      return { ok: false, reason: 'throttled', until: new Date(Date.parse(recent.first!) + this.limits.addressWindowMinutes * 60_000).toISOString() };

    const plausible = typeof username === 'string' && USERNAME_RE.test(username) && typeof password === 'string' && Buffer.byteLength(password) <= PASSWORD_MAX;
    const row = plausible ? this.row(username) : undefined;
    const locked = row?.locked_until && row.locked_until > now.toISOString() ? row.locked_until : null;
    // One scrypt whatever happens, so the time taken does not say whether the account exists.
    const good = await verifyPassword(plausible ? password : '', row && !locked ? row.password_hash : await dummyHash());
    const actor = systemActor('login');
    if (locked) {
      this.recordFailure(address, username, windowStart, actor, row!);
      return { ok: false, reason: 'locked', until: locked };
    }
    if (!row || !good) {
      const lockedUntil = this.recordFailure(address, username, windowStart, actor, row ?? null);
      return lockedUntil ? { ok: false, reason: 'locked', until: lockedUntil } : { ok: false, reason: 'invalid' };
    }
    if (row.disabled_at) {
      this.store.write(actor, (tx) =>
        tx.audit({ action: 'user.login-refused', objectType: 'user', objectId: row.username, opd: row.opd, after: { reason: 'disabled', address } }),
      );
      return { ok: false, reason: 'disabled' };
    }
    const rehash = needsRehash(row.password_hash) ? await hashPassword(password) : null;
    const userActor: Actor = { id: userActorId(row.username), role: row.role, opd: row.opd, name: row.display_name };
    return this.store.write(userActor, (tx) => {
      tx.db
        .prepare('UPDATE users SET failed_count = 0, last_login_at = ?, password_hash = coalesce(?, password_hash) WHERE id = ?')
        .run(tx.now, rehash, row.id);
      const s = this.sessions.open(tx, row.id, meta, meta.previousSessionId);
      tx.audit({
        action: 'user.login',
        objectType: 'user',
        objectId: row.username,
        opd: row.opd,
        after: { address, userAgent: meta.userAgent?.slice(0, 200) ?? null },
      });
      const user = accountInfo(tx.db.prepare('SELECT * FROM users WHERE id = ?').get(row.id) as UserRow);
      return { ok: true as const, user, sessionId: s.id, expiresAt: s.expiresAt };
    });
  }

  /** Counts a failure against the address and the account; returns the lock's end when this one locked it. */
  private recordFailure(address: string, username: string, windowStart: string, actor: Actor, row: UserRow | null): string | null {
    return this.store.write(actor, (tx) => {
      tx.db.prepare('DELETE FROM login_failures WHERE at <= ?').run(windowStart);
      tx.db.prepare('INSERT INTO login_failures (address, username, at) VALUES (?, ?, ?)').run(address, typedName(username), tx.now);
      const n = tx.db.prepare('SELECT count(*) FROM login_failures WHERE address = ?').pluck().get(address) as number;
      if (!row) {
        tx.audit({ action: 'user.login-failed', objectType: 'user', objectId: typedName(username), after: { reason: 'unknown-user', address } });
      } else if (row.locked_until && row.locked_until > tx.now) {
        // Attempts on a locked account are counted for the address only; auditing each would let anyone flood the log.
      } else {
        const failed = row.failed_count + 1;
        const lock = failed >= this.limits.maxFailures ? new Date(Date.parse(tx.now) + this.limits.lockMinutes * 60_000).toISOString() : null;
        tx.db
          .prepare('UPDATE users SET failed_count = ?, last_failed_at = ?, locked_until = coalesce(?, locked_until) WHERE id = ?')
          .run(lock ? 0 : failed, tx.now, lock, row.id);
        tx.audit({
          action: 'user.login-failed',
          objectType: 'user',
          objectId: row.username,
          opd: row.opd,
          after: { reason: 'wrong-password', address, failedCount: failed },
        });
        if (lock) tx.audit({ action: 'user.lockout', objectType: 'user', objectId: row.username, opd: row.opd, after: { lockedUntil: lock, address } });
        if (n === this.limits.addressMaxFailures)
          tx.audit({ action: 'login.address-throttled', objectType: 'address', objectId: address, after: { failures: n } });
        return lock;
      }
      if (n === this.limits.addressMaxFailures)
        tx.audit({ action: 'login.address-throttled', objectType: 'address', objectId: address, after: { failures: n } });
      return null;
    });
  }

  byActorId(actorId: string): UserInfo | null {
    if (!actorId.startsWith('user:')) return null;
    const r = this.row(actorId.slice(5));
    return r ? accountInfo(r) : null;
  }

  recipients(q: { roles: readonly Role[]; opd?: string }): UserInfo[] {
    if (!q.roles.length) return [];
    const args: string[] = [...q.roles];
    let sql = `SELECT * FROM users WHERE disabled_at IS NULL AND role IN (${q.roles.map(() => '?').join(', ')})`;
    if (q.opd) (sql += " AND (role <> 'opd-admin' OR opd = ?)"), args.push(q.opd);
    return (this.store.db.prepare(sql + ' ORDER BY username').all(...args) as UserRow[]).map(accountInfo);
  }
}
