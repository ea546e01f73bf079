/**
 * Turning a requested `addresses` count into a prefix length.
 *
 * Decision: `addresses` counts every address of the block, network and broadcast
 * included (as NetBox's prefix "size" does), so the answer is the smallest block
 * with at least that many addresses: 50 -> /26 (64), 64 -> /26, 65 -> /25.
 * Someone who thinks in usable hosts uses `prefixLengthForHosts`, which adds the
 * addresses the block will hold back (network, broadcast, gateway).
 */
import { type Family, IpamInputError, familyBits } from '../../common/net/cidr.js';

/** Accepts a JSON number, a bigint, or a decimal string (for IPv6 counts beyond 2^53). */
export type Count = number | bigint | string;

export function prefixLengthForAddresses(addresses: Count, family: Family, field = 'addresses'): number {
  const n = toCount(addresses, field);
  const bits = familyBits(family);
  if (n > 1n << BigInt(bits)) {
    throw new IpamInputError('SIZE_TOO_LARGE', `${field} ${n} is more than the whole IPv${family} address space (2^${bits})`, { field });
  }
  // Smallest k with 2^k >= n.
  const k = n === 1n ? 0 : (n - 1n).toString(2).length;
  return bits - k;
}

/**
 * Smallest prefix length whose usable hosts (after network, broadcast and, unless
 * `gateway` is false, the gateway) number at least `hosts`. /31 and /127 are
 * returned for two hosts with no gateway, /32 and /128 for one.
 */
export function prefixLengthForHosts(hosts: Count, family: Family, opts: { gateway?: boolean; field?: string } = {}): number {
  const field = opts.field ?? 'hosts';
  const n = toCount(hosts, field);
  const gateway = opts.gateway ?? true;
  const bits = familyBits(family);
  if (!gateway && n <= 2n) return n === 1n ? bits : bits - 1;
  // Blocks shorter than /31 (/127) hold back network+broadcast (IPv4) or anycast (IPv6), and the gateway.
  const overhead = (family === 4 ? 2n : 1n) + (gateway ? 1n : 0n);
  return prefixLengthForAddresses(n + overhead, family, field);
}

function toCount(value: Count, field: string): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value)) {
      throw new IpamInputError('SIZE_INVALID', `${field} must be a whole number of addresses, got ${value}`, { field });
    }
    if (!Number.isSafeInteger(value)) {
      throw new IpamInputError('SIZE_TOO_LARGE', `${field} ${value} is too large to be exact as a number; give prefixLength instead`, { field });
    }
    n = BigInt(value);
  } else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) n = BigInt(value.trim());
  else throw new IpamInputError('SIZE_INVALID', `${field} must be a whole number of addresses, got ${JSON.stringify(value)}`, { field });
  if (n <= 0n) {
    throw new IpamInputError('SIZE_INVALID', `${field} must be at least 1, got ${n}`, { field });
  }
  return n;
}
