import { forbidden } from '../common/errors.js';

export const ROLES = ['noc-admin', 'noc-operator', 'opd-admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: a token holder, the CLI on the host, or the daemon itself. */
export interface Actor {
  id: string;
  role: Role | 'system';
  /** Set for opd-admin only: the one OPD it may see and change. */
  opd: string | null;
  /** For people to read: an account's display name or a token's name (ids stay the key). */
  name?: string;
}

export const systemActor = (what: string): Actor => ({ id: `system:${what}`, role: 'system', opd: null });

/** What each role may do. `write:opd` is the OPD admin's own-office writes (requests, diagrams). */
const PERMISSIONS: Record<Actor['role'], ReadonlySet<string>> = {
  'noc-admin': new Set(['read', 'operate', 'admin', 'write:opd']),
  'noc-operator': new Set(['read', 'operate', 'write:opd']),
  'opd-admin': new Set(['read', 'write:opd']),
  viewer: new Set(['read']),
  system: new Set(['read', 'operate', 'admin', 'write:opd']),
};

export type Permission = 'read' | 'operate' | 'admin' | 'write:opd';

export function can(actor: Actor, p: Permission): boolean {
  return PERMISSIONS[actor.role].has(p);
}

export function requirePermission(actor: Actor, p: Permission): void {
  if (!can(actor, p)) throw forbidden(`role '${actor.role}' may not do this (needs '${p}' permission)`);
}

/** True when the actor sees every OPD; false for an opd-admin, who sees only its own. */
export const seesAllOpds = (actor: Actor): boolean => actor.role !== 'opd-admin';

/** Whether an object owned by `opd` is visible to the actor. Services answer 404 when not. */
export const canSeeOpd = (actor: Actor, opd: string | null | undefined): boolean => seesAllOpds(actor) || (opd != null && opd === actor.opd);
