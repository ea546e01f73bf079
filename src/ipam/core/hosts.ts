/**
 * Host addresses inside one prefix: which are never handed out, the next free
 * one, and why a given one cannot be assigned.
 *
 * Rules:
 *  - IPv4 shorter than /31: the network and broadcast addresses are never used.
 *    /31 (RFC 3021) and /32 have every address usable.
 *  - IPv6 shorter than /127: the subnet-router anycast address (host part all
 *    zero, RFC 4291 2.6.1) is never used. /127 (RFC 6164) and /128 are all usable.
 *  - The gateway (by default the first usable address) is held back from
 *    automatic assignment on blocks with room for it (IPv4 < /31, IPv6 < /127);
 *    it can still be assigned explicitly with `asGateway`.
 *
 * The used addresses live in a FreeSpaceIndex of single-address blocks, so the
 * next free address costs O(prefix bits) whatever the fill.
 */
import { type Address, type Prefix, IpamInputError, blockLast, blockSize, familyBits, formatAddress, truncate } from '../../common/net/cidr.js';
import { FreeSpaceIndex } from './free-space.js';

export interface HostPolicy {
  /** Which address is the gateway: default `first` usable; `none` reserves nothing; or a given address. */
  gateway?: 'first' | 'last' | 'none' | bigint;
}

export type HostState = 'allocated' | 'quarantined';

export interface UsedHost {
  value: bigint;
  /** Default `allocated`. */
  state?: HostState;
}

export type ReservedRole = 'network' | 'broadcast' | 'subnet-router-anycast' | 'gateway';

export type HostRefusal = ReservedRole | 'outside-prefix' | 'family-mismatch' | 'allocated' | 'quarantined';

export type HostCheck = { ok: true } | { ok: false; reason: HostRefusal; detail: string };

export interface HostUsage {
  /** All addresses of the prefix. */
  total: bigint;
  /** Network, broadcast, anycast and gateway addresses held back. */
  reserved: bigint;
  allocated: bigint;
  quarantined: bigint;
  /** Addresses that `next()` may still return. */
  free: bigint;
}

/** The addresses of `prefix` never handed out automatically, with their role. */
export function reservedAddresses(prefix: Prefix, policy: HostPolicy = {}): Map<bigint, ReservedRole> {
  const out = new Map<bigint, ReservedRole>();
  const last = blockLast(prefix.family, prefix);
  const roomy = prefix.length < familyBits(prefix.family) - 1; // not /31 /32 /127 /128
  if (roomy) {
    if (prefix.family === 4) {
      out.set(prefix.network, 'network');
      out.set(last, 'broadcast');
    } else {
      out.set(prefix.network, 'subnet-router-anycast');
    }
  }
  const gw = policy.gateway ?? 'first';
  if (typeof gw === 'bigint') {
    if (truncate(prefix.family, gw, prefix.length) !== prefix.network) {
      throw new IpamInputError('NOT_IN_PARENT', `gateway ${formatAddress(prefix.family, gw)} is not inside ${prefix.text}`, { field: 'gateway' });
    }
    const role = out.get(gw);
    if (role !== undefined) {
      throw new IpamInputError('ADDRESS_MALFORMED', `gateway ${formatAddress(prefix.family, gw)} is the ${role} address of ${prefix.text}`, {
        field: 'gateway',
      });
    }
    out.set(gw, 'gateway');
  } else if (roomy && gw !== 'none') {
    out.set(gw === 'first' ? prefix.network + 1n : prefix.family === 4 ? last - 1n : last, 'gateway');
  }
  return out;
}

export class HostIndex {
  readonly prefix: Prefix;
  readonly reserved: ReadonlyMap<bigint, ReservedRole>;
  private readonly space: FreeSpaceIndex;
  private readonly bits: number;

  constructor(prefix: Prefix, used: Iterable<UsedHost> = [], policy: HostPolicy = {}) {
    this.prefix = prefix;
    this.bits = familyBits(prefix.family);
    this.reserved = reservedAddresses(prefix, policy);
    const blocks = [];
    for (const network of this.reserved.keys()) blocks.push({ network, length: this.bits, state: 'reserved' as const });
    for (const u of used) blocks.push({ network: u.value, length: this.bits, state: u.state ?? 'allocated' });
    this.space = new FreeSpaceIndex(prefix, blocks);
  }

  /** Lowest address that is neither reserved nor used, or null when the prefix is full. */
  next(): Address | null {
    const p = this.space.find(this.bits);
    return p === null ? null : { family: p.family, value: p.network, text: formatAddress(p.family, p.network) };
  }

  /** Whether `address` can be assigned now, and if not, why. `asGateway` allows the gateway address. */
  check(address: Address | bigint, opts: { asGateway?: boolean } = {}): HostCheck {
    const family = this.prefix.family;
    if (typeof address !== 'bigint' && address.family !== family) {
      return { ok: false, reason: 'family-mismatch', detail: `${address.text} is not an IPv${family} address; ${this.prefix.text} is IPv${family}` };
    }
    const value = typeof address === 'bigint' ? address : address.value;
    const text = formatAddress(family, value);
    if (value < 0n || truncate(family, value, this.prefix.length) !== this.prefix.network || value >= 1n << BigInt(this.bits)) {
      return { ok: false, reason: 'outside-prefix', detail: `${text} is not inside ${this.prefix.text}` };
    }
    const role = this.reserved.get(value);
    if (role !== undefined && !(role === 'gateway' && opts.asGateway === true)) {
      return { ok: false, reason: role, detail: refusalDetail(role, text, this.prefix) };
    }
    const state = this.space.coveringState({ network: value, length: this.bits });
    if (state === 'allocated' || state === 'quarantined') {
      return {
        ok: false,
        reason: state,
        detail: state === 'allocated' ? `${text} is already assigned` : `${text} was released recently and is in quarantine`,
      };
    }
    return { ok: true };
  }

  add(value: bigint, state: HostState = 'allocated'): void {
    this.space.add({ network: value, length: this.bits, state });
  }

  remove(value: bigint, state: HostState = 'allocated'): void {
    this.space.remove({ network: value, length: this.bits, state });
  }

  usage(): HostUsage {
    const u = this.space.usage();
    return { total: blockSize(this.prefix.family, this.prefix.length), reserved: u.reserved, allocated: u.allocated, quarantined: u.quarantined, free: u.free };
  }
}

function refusalDetail(role: ReservedRole, text: string, prefix: Prefix): string {
  switch (role) {
    case 'network':
      return `${text} is the network address of ${prefix.text}`;
    case 'broadcast':
      return `${text} is the broadcast address of ${prefix.text}`;
    case 'subnet-router-anycast':
      return `${text} is the subnet-router anycast address of ${prefix.text}`;
    case 'gateway':
      return `${text} is reserved as the gateway of ${prefix.text}; assign it as the gateway explicitly`;
  }
}

/** One-shot: the next free host of `prefix` given the used addresses. */
export function nextFreeHost(prefix: Prefix, used: Iterable<UsedHost>, policy: HostPolicy = {}): Address | null {
  return new HostIndex(prefix, used, policy).next();
}
