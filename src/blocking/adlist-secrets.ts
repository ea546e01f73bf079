// Each router's capability secret for its list URL (`/adlist/{router}/{secret}.txt`). Created the
// first time a router's desired state needs it; revoked by replacing it, so the old URL stops
// answering at once and the router's desired state carries the new one. Never shown by the API.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.js';
import { requirePermission, type Actor } from '../auth/actor.js';

const SYSTEM: Actor = { id: 'system:blocking-adlist', role: 'system', opd: null };

export class AdlistSecrets {
  constructor(private readonly store: Store) {}

  private read(router: string): string | undefined {
    return this.store.db.prepare('SELECT secret FROM adlist_secrets WHERE router = ?').pluck().get(router) as string | undefined;
  }

  /** The router's secret, created (and audited) on first use. */
  secretFor(router: string): string {
    return this.read(router) ?? this.replace(SYSTEM, router, 'blocking.adlist.secret.create').secret;
  }

  /** True when `secret` is the router's current one. */
  verify(router: string, secret: string): boolean {
    const want = this.read(router);
    if (want === undefined || want.length !== secret.length) return false;
    return timingSafeEqual(Buffer.from(want), Buffer.from(secret));
  }

  /** Revokes the router's URL: a new secret replaces it (the router gets it at its next sync). */
  revoke(actor: Actor, router: string): { router: string; revokedAt: string } {
    requirePermission(actor, 'operate');
    return { router, revokedAt: this.replace(actor, router, 'blocking.adlist.secret.revoke').at };
  }

  private replace(actor: Actor, router: string, action: string): { secret: string; at: string } {
    const secret = randomBytes(24).toString('base64url');
    return this.store.write(actor, (tx) => {
      const had = tx.db.prepare('SELECT created_at FROM adlist_secrets WHERE router = ?').pluck().get(router) as string | undefined;
      tx.db
        .prepare(
          'INSERT INTO adlist_secrets (router, secret, created_at, created_by) VALUES (?, ?, ?, ?) ON CONFLICT (router) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, created_by = excluded.created_by',
        )
        .run(router, secret, tx.now, actor.id);
      // the secret itself never reaches the audit log
      tx.audit({ action, objectType: 'router', objectId: router, before: had ? { createdAt: had } : null, after: { createdAt: tx.now } });
      return { secret, at: tx.now };
    });
  }
}
