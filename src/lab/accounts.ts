import { systemActor } from '../auth/actor.js';
import type { UserService } from '../auth/users.js';

export interface LabLogin {
  username: string;
  password: string;
  role: string;
  opd: string | null;
}

const LAB_PEOPLE = [
  { username: 'noc', displayName: 'Operator NOC (lab)', role: 'noc-operator', opd: null },
  { username: 'dinkes', displayName: 'Admin DINKES (lab)', role: 'opd-admin', opd: 'DINKES' },
] as const;

/**
 * Lab mode's logins: one NOC operator and one OPD admin of DINKES, with fresh passwords every
 * start (printed in the banner), so a lab database never keeps a password someone wrote down.
 */
export async function ensureLabAccounts(users: UserService): Promise<LabLogin[]> {
  const actor = systemActor('lab');
  const out: LabLogin[] = [];
  for (const p of LAB_PEOPLE) {
    const exists = users.byActorId(`user:${p.username}`);
    const r = exists
      ? await users.resetPassword(actor, p.username)
      : await users.create(actor, { username: p.username, displayName: p.displayName, role: p.role, opd: p.opd, language: 'id' });
    if (exists?.disabledAt) users.enable(actor, p.username);
    else if (exists) users.unlock(actor, p.username);
    out.push({ username: p.username, password: r.password!, role: p.role, opd: p.opd });
  }
  return out;
}
