/**
 * The regency's addressing plan: each OPD gets a /56 out of the regency's IPv6 /48
 * and its LANs get /64s out of that /56; backbone point-to-point links get an
 * IPv4 /31 (RFC 3021; /30 where a router needs it) and an IPv6 /127 (RFC 6164).
 */
import { type Address, type Family, type Prefix, IpamInputError, familyBits, formatAddress, makePrefix } from '../../common/net/cidr.js';

export const REGENCY_V6_LENGTH = 48;
export const OPD_V6_LENGTH = 56;
export const LAN_V6_LENGTH = 64;

/** How many /`length` subnets `parent` holds. */
export function subnetCount(parent: Prefix, length: number): bigint {
  checkChildLength(parent, length);
  return 1n << BigInt(length - parent.length);
}

/** The `n`th (from 0) /`length` subnet of `parent`. */
export function subnetAt(parent: Prefix, length: number, n: number | bigint): Prefix {
  const count = subnetCount(parent, length);
  const i = typeof n === 'number' && !Number.isSafeInteger(n) ? -1n : BigInt(n);
  if (i < 0n || i >= count) {
    throw new IpamInputError('NOT_IN_PARENT', `${parent.text} has ${count} /${length} subnets (0 to ${count - 1n}); ${n} is not one of them`, {
      field: 'index',
    });
  }
  const step = 1n << BigInt(familyBits(parent.family) - length);
  return makePrefix(parent.family, parent.network + i * step, length);
}

/** Position of `child` among the subnets of its length in `parent`. */
export function subnetIndexOf(parent: Prefix, child: Prefix): bigint {
  checkChildLength(parent, child.length);
  const offset = child.network - parent.network;
  const size = 1n << BigInt(familyBits(parent.family) - parent.length);
  if (child.family !== parent.family || offset < 0n || offset >= size) {
    throw new IpamInputError('NOT_IN_PARENT', `${child.text} is not inside ${parent.text}`);
  }
  return offset >> BigInt(familyBits(parent.family) - child.length);
}

/** The `n`th OPD /56 of the regency's IPv6 block. */
export const opdPrefixV6 = (regency: Prefix, n: number | bigint): Prefix => subnetAt(requireV6(regency), OPD_V6_LENGTH, n);

/** The `n`th LAN /64 of an OPD's /56. */
export const lanPrefixV6 = (opd: Prefix, n: number | bigint): Prefix => subnetAt(requireV6(opd), LAN_V6_LENGTH, n);

/** Prefix length of a point-to-point link: /31 or the configured /30 for IPv4, /127 for IPv6. */
export function p2pLength(family: Family, ipv4Length: 30 | 31 = 31): number {
  return family === 6 ? 127 : ipv4Length;
}

/**
 * The two router addresses of a point-to-point prefix: both addresses of a /31,
 * /127 (and /32, /128 are refused); the two hosts of a /30 or /126.
 */
export function p2pEndpoints(link: Prefix): [Address, Address] {
  const bits = familyBits(link.family);
  const first = link.length === bits - 1 ? link.network : link.length === bits - 2 ? link.network + 1n : undefined;
  if (first === undefined) {
    throw new IpamInputError('PREFIX_LENGTH_NOT_IN_PARENT', `${link.text} is not a point-to-point prefix; use /${bits - 1} or /${bits - 2}`, {
      field: 'prefix',
    });
  }
  const at = (value: bigint): Address => ({ family: link.family, value, text: formatAddress(link.family, value) });
  return [at(first), at(first + 1n)];
}

function requireV6(p: Prefix): Prefix {
  if (p.family !== 6) throw new IpamInputError('FAMILY_MISMATCH', `${p.text} is IPv4; the OPD and LAN plan is for IPv6`);
  return p;
}

function checkChildLength(parent: Prefix, length: number): void {
  const bits = familyBits(parent.family);
  if (!Number.isInteger(length) || length < parent.length || length > bits) {
    throw new IpamInputError('PREFIX_LENGTH_NOT_IN_PARENT', `a /${length} cannot be cut from ${parent.text}; use /${parent.length} to /${bits}`, {
      field: 'prefixLength',
    });
  }
}
