/**
 * Utilization figures read from a live FreeSpaceIndex (kept current on every
 * write, so a read never scans). Exact counts are bigint (an IPv6 /48 has 2^80
 * addresses); `approx` carries JS numbers for Prometheus gauges and pages.
 */
import { type Family, type Prefix, IpamInputError } from '../../common/net/cidr.js';
import type { FreeSpaceIndex } from './free-space.js';
import type { HostIndex } from './hosts.js';

export interface AddressCounts<T> {
  total: T;
  allocated: T;
  quarantined: T;
  reserved: T;
  free: T;
}

export interface Utilization extends AddressCounts<bigint> {
  family: Family;
  /** Largest free aligned block (lowest of equals), or null when nothing is free. */
  largestFree: Prefix | null;
  /** Same counts as numbers (exact up to 2^53), plus the used share 0..1 (allocated + quarantined + reserved). */
  approx: AddressCounts<number> & { usedRatio: number };
}

export function utilizationOf(index: FreeSpaceIndex): Utilization {
  const u = index.usage();
  return withApprox(
    index.family,
    { total: u.total, allocated: u.allocated, quarantined: u.quarantined, reserved: u.reserved, free: u.free },
    index.largestFree(),
  );
}

/** Address-level utilization of one prefix (largest free block is not meaningful there). */
export function hostUtilizationOf(index: HostIndex): Utilization {
  return withApprox(index.prefix.family, index.usage(), null);
}

/**
 * Sum over several parents (e.g. every prefix an OPD holds). All must be the same
 * family: adding IPv4 and IPv6 counts means nothing. The largest free block is the
 * largest among the parts.
 */
export function combineUtilization(family: Family, parts: readonly Utilization[]): Utilization {
  const sum: AddressCounts<bigint> = { total: 0n, allocated: 0n, quarantined: 0n, reserved: 0n, free: 0n };
  let largest: Prefix | null = null;
  for (const p of parts) {
    if (p.family !== family) {
      throw new IpamInputError('FAMILY_MISMATCH', `cannot add IPv${p.family} utilization into an IPv${family} total`);
    }
    sum.total += p.total;
    sum.allocated += p.allocated;
    sum.quarantined += p.quarantined;
    sum.reserved += p.reserved;
    sum.free += p.free;
    if (p.largestFree !== null && (largest === null || p.largestFree.length < largest.length)) largest = p.largestFree;
  }
  return withApprox(family, sum, largest);
}

function withApprox(family: Family, c: AddressCounts<bigint>, largestFree: Prefix | null): Utilization {
  const used = c.allocated + c.quarantined + c.reserved;
  // Six decimals of ratio in integer math, then one conversion: exact enough, never NaN.
  const usedRatio = c.total === 0n ? 0 : Number((used * 1_000_000n) / c.total) / 1_000_000;
  return {
    family,
    ...c,
    largestFree,
    approx: {
      total: Number(c.total),
      allocated: Number(c.allocated),
      quarantined: Number(c.quarantined),
      reserved: Number(c.reserved),
      free: Number(c.free),
      usedRatio,
    },
  };
}
