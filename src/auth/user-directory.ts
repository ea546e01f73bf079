import type { Lang } from '../i18n/i18n.js';
import type { Role } from './actor.js';

/** A person's account as other domains see it (never the password hash). */
export interface UserInfo {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  /** Set for opd-admin only. */
  opd: string | null;
  language: Lang;
  disabledAt: string | null;
}

/** Actor ids of people logged in through a session: `user:<username>`. */
export const userActorId = (username: string) => `user:${username}`;

/**
 * The accounts' small read interface for other domains (notifications, requests naming people).
 * Implemented by the auth domain's UserService.
 */
export interface UserDirectory {
  /** The account behind an actor id (`user:<username>`); null for tokens, the CLI and the system. */
  byActorId(actorId: string): UserInfo | null;
  /** Enabled accounts holding one of these roles; with `opd`, opd-admins only of that OPD. */
  recipients(q: { roles: readonly Role[]; opd?: string }): UserInfo[];
}
