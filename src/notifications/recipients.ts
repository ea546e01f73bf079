import { userActorId, type UserDirectory, type UserInfo } from '../auth/user-directory.js';
import type { Audience } from './kinds.js';

/**
 * Who an audience is, through the accounts' read interface only. The NOC is every enabled
 * noc-admin and noc-operator; a requester is the account that filed (a request filed with a token,
 * or by an account since disabled, goes to the office's opd-admins instead, so an answer always
 * reaches someone); an office is its enabled opd-admins. The person who caused the event is left out.
 */
export function recipientsOf(audience: Audience, dir: UserDirectory, causedBy?: string): UserInfo[] {
  let people: UserInfo[];
  switch (audience.to) {
    case 'noc':
      people = dir.recipients({ roles: ['noc-admin', 'noc-operator'] });
      break;
    case 'office':
      people = dir.recipients({ roles: ['opd-admin'], opd: audience.opd });
      break;
    case 'requester': {
      const filer = dir.byActorId(audience.actorId);
      people = filer && !filer.disabledAt ? [filer] : dir.recipients({ roles: ['opd-admin'], opd: audience.opd });
      break;
    }
  }
  const seen = new Set<string>();
  return people.filter((u) => {
    const id = userActorId(u.username);
    if (u.disabledAt || id === causedBy || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
