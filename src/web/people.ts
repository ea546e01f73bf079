import type { Services } from '../http/context.js';

/**
 * Who did something, as people read it: an account's display name, a token's name, or null when
 * neither is known (the id is all the record keeps). One lookup for a page's worth of ids.
 */
export function namesOf(s: Services, ids: Iterable<string>): Map<string, string> {
  const unique = [...new Set(ids)];
  const out = s.tokens.namesOf(unique);
  for (const id of unique) {
    const u = s.users.byActorId(id);
    if (u) out.set(id, u.displayName);
  }
  return out;
}
