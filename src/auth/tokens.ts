import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.js';
import { CONTROL_CHARACTERS_DETAIL, controlCharacterAt } from '../common/text.js';
import { AppError, badRequest, notFound } from '../common/errors.js';
import { requirePermission, ROLES, type Actor, type Role } from './actor.js';
import { hasOpd } from '../inventory/read.js';

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  opd: string | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  opd: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface CreateToken {
  name: string;
  role: string;
  opd?: string | null;
  /** Days until expiry; 0 means it never expires. Defaults to the configured TTL. */
  expiresInDays?: number;
}

const PREFIX = 'spl_';
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const info = (r: TokenRow): TokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  opd: r.opd,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

/**
 * API tokens: 256 random bits, shown once, stored only as SHA-256 (a fast hash is right for
 * high-entropy secrets; there is nothing to brute-force).
 */
export class TokenService {
  private readonly adminHash: Buffer | null;
  private readonly ttlDays: number;

  constructor(
    private readonly store: Store,
    opts: { adminToken?: string; defaultTtlDays: number },
  ) {
    this.adminHash = opts.adminToken ? Buffer.from(hash(opts.adminToken), 'hex') : null;
    this.ttlDays = opts.defaultTtlDays;
  }

  create(actor: Actor, req: CreateToken): TokenInfo & { token: string } {
    requirePermission(actor, 'admin');
    if (!(ROLES as readonly string[]).includes(req.role)) throw badRequest('INVALID_ROLE', `role must be one of ${ROLES.join(', ')}`, 'role');
    // The CLI reaches here without the API's schema: the same free-text rule.
    if (!req.name.trim() || req.name.length > 100 || controlCharacterAt(req.name) >= 0)
      throw badRequest('VALIDATION_FAILED', `name: 1 to 100 characters that ${CONTROL_CHARACTERS_DETAIL}`, 'name');
    const role = req.role as Role;
    const opd = req.opd ?? null;
    if (role === 'opd-admin' && !opd) throw badRequest('OPD_REQUIRED', 'an opd-admin token must name its OPD (opd: CODE)', 'opd');
    if (role !== 'opd-admin' && opd) throw badRequest('OPD_NOT_ALLOWED', `only opd-admin tokens are bound to an OPD; drop opd for role ${role}`, 'opd');
    const days = req.expiresInDays ?? this.ttlDays;
    const secret = PREFIX + randomBytes(32).toString('base64url');
    const id = 'tok_' + randomBytes(6).toString('hex');
    return this.store.write(actor, (tx) => {
      if (opd && !hasOpd(tx.db, opd)) throw badRequest('UNKNOWN_OPD', `OPD '${opd}' is not in the inventory`, 'opd');
      const expires = days > 0 ? new Date(Date.parse(tx.now) + days * 86_400_000).toISOString() : null;
      tx.db
        .prepare('INSERT INTO tokens (id, name, role, opd, secret_hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, req.name, role, opd, hash(secret), tx.now, actor.id, expires);
      const created = info(tx.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow);
      tx.audit({ action: 'token.create', objectType: 'token', objectId: id, opd, after: created });
      return { ...created, token: secret };
    });
  }

  list(actor: Actor): TokenInfo[] {
    requirePermission(actor, 'admin');
    return (this.store.db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as TokenRow[]).map(info);
  }

  revoke(actor: Actor, id: string): TokenInfo {
    requirePermission(actor, 'admin');
    return this.store.write(actor, (tx) => {
      const before = tx.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
      if (!before) throw notFound('token', id);
      if (before.revoked_at) return info(before);
      tx.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ?').run(tx.now, id);
      const after = info({ ...before, revoked_at: tx.now });
      tx.audit({ action: 'token.revoke', objectType: 'token', objectId: id, opd: before.opd, before: info(before), after });
      return after;
    });
  }

  /** Token names by id, for people reading who acted (the audit page); a name is no secret. */
  namesOf(ids: readonly string[]): Map<string, string> {
    const wanted = [...new Set(ids.filter((i) => /^tok_[0-9a-f]{12}$/.test(i)))];
    if (!wanted.length) return new Map();
    const rows = this.store.db.prepare(`SELECT id, name FROM tokens WHERE id IN (${wanted.map(() => '?').join(', ')})`).all(...wanted) as {
      id: string;
      name: string;
    }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Resolves a bearer secret to its actor, or throws 401 with the reason. */
  authenticate(secret: string): Actor {
    const h = hash(secret);
    if (this.adminHash && timingSafeEqual(this.adminHash, Buffer.from(h, 'hex'))) return { id: 'admin-token', role: 'noc-admin', opd: null };
    const r = this.store.db.prepare('SELECT * FROM tokens WHERE secret_hash = ?').get(h) as TokenRow | undefined;
    if (!r) throw new AppError(401, 'TOKEN_INVALID', 'the bearer token is not known; ask a NOC admin for a token');
    if (r.revoked_at) throw new AppError(401, 'TOKEN_REVOKED', `token ${r.id} was revoked at ${r.revoked_at}`);
    if (r.expires_at && r.expires_at <= this.store.clock.now().toISOString())
      throw new AppError(401, 'TOKEN_EXPIRED', `token ${r.id} expired at ${r.expires_at}; ask a NOC admin for a new one`);
    return { id: r.id, role: r.role, opd: r.opd, name: r.name };
  }
}
