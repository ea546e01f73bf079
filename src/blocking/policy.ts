// The per-office policy question: is this name or address blocked for an office, by which entries
// of which categories, and which exception opens it. Reads only; the service answers with it.
import type { Db } from '../store/db.js';
import { covers, exceptionOut } from './exceptions.js';
import type { EntryDbRow, ExceptionDbRow, PolicyAnswer, PolicyMatch } from './model.js';
import { coveringValues, ipPrefix, isAtOrUnder, protectedDomainHit, protectedDomainReason, selfAndParents, type BlockValue } from './normalize.js';

export interface PolicyDeps {
  db: Db;
  categoryNames(): string[];
  /** Categories that apply to the office (all but its exclusions). */
  categoriesFor(opd: string): string[];
  protectedDomains(): string[];
  activeExceptions(opd: string, at: Date): ExceptionDbRow[];
}

/** Every entry, in any category, that blocks `v`: the same value, a wildcard above the name, a prefix around the address. */
export function matchesFor(d: Pick<PolicyDeps, 'db' | 'categoryNames'>, v: BlockValue): EntryDbRow[] {
  const cands: BlockValue[] =
    v.kind === 'domain' || v.kind === 'wildcard'
      ? [
          ...(v.kind === 'domain' ? [{ kind: 'domain' as const, value: v.value }] : []),
          ...selfAndParents(v.value).map((value) => ({ kind: 'wildcard' as const, value })),
        ]
      : coveringValues(ipPrefix(v));
  const q = d.db.prepare('SELECT * FROM block_entries_live WHERE category = ? AND kind = ? AND value = ?');
  const out: EntryDbRow[] = [];
  for (const cat of d.categoryNames()) for (const c of cands) out.push(...(q.all(cat, c.kind, c.value) as EntryDbRow[]));
  return out;
}

export function answerFor(d: PolicyDeps, opd: string, v: BlockValue, at: Date): PolicyAnswer {
  const applying = new Set(d.categoriesFor(opd));
  const live = d.activeExceptions(opd, at);
  const opens = (m: EntryDbRow): number | null => {
    for (const e of live) {
      if (m.kind === 'domain' || m.kind === 'wildcard') {
        if (e.kind === 'domain' && isAtOrUnder(m.value, e.value)) return e.id;
      } else if (e.kind === 'address' && covers(e.value, m)) return e.id;
    }
    return null;
  };
  const guarded = d.protectedDomains();
  const matches: PolicyMatch[] = matchesFor(d, v).map((m) => ({
    category: m.category,
    kind: m.kind,
    value: m.value,
    source: m.source,
    addedAt: m.added_at,
    // An entry that would block a protected domain is withheld from every router and export.
    applies: applying.has(m.category) && protectedDomainHit(m, guarded) === undefined,
    openedBy: opens(m),
  }));
  const hit = protectedDomainHit(v, guarded);
  const blocking = matches.filter((m) => m.applies && m.openedBy === null);
  const show = (m: PolicyMatch) => `${m.kind === 'wildcard' ? `*.${m.value}` : m.value} in ${m.category} (source ${m.source})`;
  let why: string;
  if (hit !== undefined) why = `not blocked: ${protectedDomainReason(hit)}`;
  else if (blocking.length) why = `blocked by ${blocking.map(show).join('; ')}`;
  else if (matches.some((m) => m.applies))
    why = `open by exception ${matches
      .filter((m) => m.applies)
      .map((m) => `#${m.openedBy}`)
      .filter((x, i, a) => a.indexOf(x) === i)
      .join(', ')}`;
  else if (matches.length) why = `listed in ${[...new Set(matches.map((m) => m.category))].join(', ')}, which ${opd} is excluded from`;
  else why = 'not on any block list';
  const usedIds = new Set(matches.map((m) => m.openedBy));
  return { opd, query: v, blocked: blocking.length > 0, why, matches, exceptions: live.filter((e) => usedIds.has(e.id)).map(exceptionOut(at)) };
}
