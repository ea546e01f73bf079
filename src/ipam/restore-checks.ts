/**
 * What must hold in IPAM on a restored copy of the database (the DRC backup's restore test asks):
 * a backup that passes integrity_check but holds two owners for one address is no authority to
 * restore. The checks are pure over rows; the reader runs small read-only SQL against the restored
 * file (an offline copy, not the live store, so no write path is bypassed).
 */
import type { Db } from '../store/db.js';
import { approvedResults } from '../requests/read.js';

/** One broken invariant, as the restore test reports it. */
export interface Failure {
  reason: string;
  detail: string;
}

export interface LivePrefix {
  id: number;
  pool_id: number;
  parent_id: number | null;
  cidr: string;
  /** Fixed-width hex, so text order is address order. */
  network: string;
  last: string;
}

export interface LiveAddress {
  id: number;
  family: number;
  value: string;
  address: string;
}

export interface ApprovedBlock {
  requestId: number;
  /** The prefix the approval's result names; null when the result names none. */
  prefixId: number | null;
}

/** Live siblings (same pool and parent) never overlap; nesting under a parent is the hierarchy. */
export function overlappingPrefixes(prefixes: readonly LivePrefix[]): Failure[] {
  const sorted = [...prefixes].sort(
    (a, b) => a.pool_id - b.pool_id || (a.parent_id ?? 0) - (b.parent_id ?? 0) || (a.network < b.network ? -1 : a.network > b.network ? 1 : 0),
  );
  const out: Failure[] = [];
  let prev: LivePrefix | undefined;
  for (const p of sorted) {
    if (prev && prev.pool_id === p.pool_id && prev.parent_id === p.parent_id && p.network <= prev.last)
      out.push({ reason: 'prefix-overlap', detail: `live prefixes ${prev.cidr} (#${prev.id}) and ${p.cidr} (#${p.id}) overlap` });
    if (!prev || prev.pool_id !== p.pool_id || prev.parent_id !== p.parent_id || p.last > prev.last) prev = p;
  }
  return out;
}

export function addressesWithTwoOwners(addresses: readonly LiveAddress[]): Failure[] {
  const seen = new Map<string, LiveAddress>();
  const out: Failure[] = [];
  for (const a of addresses) {
    const k = `${a.family}:${a.value}`;
    const first = seen.get(k);
    if (first) out.push({ reason: 'address-two-owners', detail: `address ${a.address} is live twice (#${first.id} and #${a.id})` });
    else seen.set(k, a);
  }
  return out;
}

export function approvedWithoutAllocation(approved: readonly ApprovedBlock[], prefixIds: ReadonlySet<number>): Failure[] {
  return approved
    .filter((r) => r.prefixId === null || !prefixIds.has(r.prefixId))
    .map((r) => ({
      reason: 'approved-request-without-allocation',
      detail: `approved ip-block request #${r.requestId} names prefix ${r.prefixId ?? '(none)'}, which is not in the copy`,
    }));
}

/** Every IPAM invariant failure of a restored database (opened read-only). */
export function ipamRestoreChecks(db: Db): Failure[] {
  const live = db.prepare("SELECT id, pool_id, parent_id, cidr, network, last FROM ipam_prefixes WHERE state <> 'released'").all() as LivePrefix[];
  const addrs = db.prepare("SELECT id, family, value, address FROM ipam_addresses WHERE state <> 'released'").all() as LiveAddress[];
  const approved = approvedResults(db, 'ip-block').map(({ requestId, result }) => {
    const id = (result as { prefix?: { id?: unknown } } | null)?.prefix?.id;
    return { requestId, prefixId: typeof id === 'number' ? id : null };
  });
  const ids = new Set(db.prepare('SELECT id FROM ipam_prefixes').pluck().all() as number[]);
  return [...overlappingPrefixes(live), ...addressesWithTwoOwners(addrs), ...approvedWithoutAllocation(approved, ids)];
}
