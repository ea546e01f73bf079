/**
 * In-memory free-space index of one parent prefix (a pool, or an allocated prefix
 * that is split further). The daemon keeps one per parent and updates it on every
 * write, so allocation never scans the table (NetBox's available-ips on a /8 took
 * over 30 s because it did).
 *
 * Structure:
 *  - `tops`: the used blocks that no other used block contains, in a SortedBlocks.
 *    CIDR blocks either nest or are disjoint, so these are disjoint and their union
 *    is the used space. Nested blocks hang off their top-level block and only come
 *    back into play when that block is removed.
 *  - the gaps between tops, each decomposed into its maximal aligned CIDR blocks
 *    (the unique greedy range-to-CIDR split) and filed per prefix length, like a
 *    buddy allocator's free lists, each list a min-heap by address.
 *
 * Any free aligned /L lies inside a maximal free block of length <= L, whose first
 * /L is no higher, so first-fit is the lowest head among the lists for lengths
 * parent..L, and best-fit is the head of the longest non-empty list <= L. Queries
 * cost O(L - parent length); add/remove cost O(log n) searches, a splice of one
 * small chunk, and re-splitting only the gaps next to the changed block.
 */
import {
  type Block,
  type Family,
  type Prefix,
  IpamInputError,
  blockLast,
  blockSize,
  familyBits,
  formatPrefix,
  isAligned,
  truncate,
} from '../../common/net/cidr.js';
import { FreeList } from './free-list.js';
import { SortedBlocks } from './sorted-blocks.js';

export type UsedState = 'allocated' | 'quarantined' | 'reserved';
export type FitStrategy = 'first-fit' | 'best-fit';

export interface UsedBlock extends Block {
  family?: Family;
  /** Default `allocated`. */
  state?: UsedState;
}

export interface SpaceUsage {
  /** Addresses in the parent. */
  total: bigint;
  free: bigint;
  /** Addresses under top-level used blocks, by the state of that block. */
  allocated: bigint;
  quarantined: bigint;
  reserved: bigint;
}

interface Entry {
  network: bigint;
  length: number;
  last: bigint;
  counts: Record<UsedState, number>;
  top: boolean;
  /** Only on top-level entries: every used block inside this one (any depth). */
  nested: Entry[];
}

/** A block's state is its strongest current reason to be used. */
function stateOf(e: Entry): UsedState {
  if (e.counts.allocated > 0) return 'allocated';
  if (e.counts.reserved > 0) return 'reserved';
  return 'quarantined';
}

const totalCount = (e: Entry) => e.counts.allocated + e.counts.quarantined + e.counts.reserved;

const byAddressThenOuter = (a: Entry, b: Entry) => (a.network < b.network ? -1 : a.network > b.network ? 1 : a.length - b.length);

export class FreeSpaceIndex {
  readonly parent: Prefix;
  readonly family: Family;
  private readonly bits: number;
  private readonly parentLast: bigint;
  private readonly tops: SortedBlocks<Entry>;
  private readonly entries = new Map<bigint, Entry>();
  /** free[l]: maximal free blocks of prefix length l (only l >= parent.length used). */
  private readonly free: FreeList[];
  private freeTotal = 0n;
  private readonly used: Record<UsedState, bigint> = { allocated: 0n, quarantined: 0n, reserved: 0n };

  /** Builds the index in O(n log n) from the blocks already used in `parent`. */
  constructor(parent: Prefix, used: Iterable<UsedBlock> = []) {
    this.parent = parent;
    this.family = parent.family;
    this.bits = familyBits(parent.family);
    this.parentLast = blockLast(parent.family, parent);
    this.free = Array.from({ length: this.bits + 1 }, () => new FreeList());
    const fresh: Entry[] = [];
    for (const u of used) {
      this.check(u);
      const key = this.key(u);
      let e = this.entries.get(key);
      if (e === undefined) {
        e = this.entry(u);
        this.entries.set(key, e);
        fresh.push(e);
      }
      e.counts[u.state ?? 'allocated']++;
    }
    this.tops = new SortedBlocks(maximal(fresh.sort(byAddressThenOuter)));
    let lo = parent.network;
    for (const t of this.tops) {
      this.addGap(lo, t.network - 1n);
      this.used[stateOf(t)] += t.last - t.network + 1n;
      lo = t.last + 1n;
    }
    this.addGap(lo, this.parentLast);
  }

  /** Marks a block used. Nested and repeated blocks are allowed (counted). */
  add(block: UsedBlock): void {
    this.check(block);
    const state = block.state ?? 'allocated';
    const key = this.key(block);
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      this.recount(existing, state, 1);
      return;
    }
    const e = this.entry(block);
    e.counts[state] = 1;
    this.entries.set(key, e);

    const covering = this.tops.floor(e.network);
    if (covering !== undefined && covering.last >= e.last) {
      e.top = false;
      covering.nested.push(e); // already covered: free space unchanged
      return;
    }
    // e becomes top-level and swallows the top-level blocks inside it.
    const swallowed: Entry[] = [];
    for (const t of this.tops.from(e.network)) {
      if (t.network > e.last) break;
      swallowed.push(t);
    }
    const before = this.tops.floor(e.network - 1n);
    const after = this.tops.ceil(e.last + 1n);
    const lo = before !== undefined ? before.last + 1n : this.parent.network;
    const hi = after !== undefined ? after.network - 1n : this.parentLast;
    this.changeGaps(lo, hi, swallowed, -1);
    for (const s of swallowed) {
      this.used[stateOf(s)] -= s.last - s.network + 1n;
      s.top = false;
      e.nested.push(s);
      for (const n of s.nested) e.nested.push(n);
      s.nested = [];
    }
    this.tops.replace(swallowed, [e]);
    this.changeGaps(lo, hi, [e], 1);
    this.used[state] += e.last - e.network + 1n;
  }

  /** Undoes one `add` of the same block and state; throws BLOCK_NOT_PRESENT otherwise. */
  remove(block: UsedBlock): void {
    this.check(block);
    const state = block.state ?? 'allocated';
    const key = this.key(block);
    const e = this.entries.get(key);
    if (e === undefined || e.counts[state] === 0) {
      throw new IpamInputError('BLOCK_NOT_PRESENT', `${formatPrefix(this.family, block)} is not ${state} in ${this.parent.text}`);
    }
    if (totalCount(e) > 1) {
      this.recount(e, state, -1);
      return;
    }
    this.entries.delete(key);
    const top = this.tops.floor(e.network)!;
    if (top !== e) {
      const nested = top.nested;
      const i = nested.indexOf(e);
      nested[i] = nested[nested.length - 1]!;
      nested.pop();
      return;
    }
    const before = this.tops.floor(e.network - 1n);
    const after = this.tops.ceil(e.last + 1n);
    const lo = before !== undefined ? before.last + 1n : this.parent.network;
    const hi = after !== undefined ? after.network - 1n : this.parentLast;
    this.changeGaps(lo, hi, [e], -1);
    this.used[state] -= e.last - e.network + 1n;
    const promoted = maximal(e.nested.sort(byAddressThenOuter));
    for (const t of promoted) this.used[stateOf(t)] += t.last - t.network + 1n;
    this.tops.replace([e], promoted);
    this.changeGaps(lo, hi, promoted, 1);
  }

  /**
   * The free aligned block of `length` to hand out, or null when none fits.
   * first-fit: lowest address. best-fit: inside the smallest free region that
   * holds it (lowest such), so large free blocks stay whole.
   */
  find(length: number, strategy: FitStrategy = 'first-fit'): Prefix | null {
    this.checkLength(length);
    if (strategy === 'best-fit') {
      for (let l = length; l >= this.parent.length; l--) {
        const head = this.free[l]!.min();
        if (head !== undefined) return this.prefix(head, length);
      }
      return null;
    }
    let best: bigint | undefined;
    for (let l = this.parent.length; l <= length; l++) {
      const head = this.free[l]!.min();
      if (head !== undefined && (best === undefined || head < best)) best = head;
    }
    return best === undefined ? null : this.prefix(best, length);
  }

  /** True when no used block overlaps `block`. Throws when it is not inside the parent. */
  isFree(block: Block & { family?: Family }): boolean {
    this.check(block);
    for (let l = this.parent.length; l <= block.length; l++) {
      if (this.free[l]!.has(truncate(this.family, block.network, l))) return true;
    }
    return false;
  }

  /** State of the top-level used block that contains `block`, or null when none contains it. */
  coveringState(block: Block & { family?: Family }): UsedState | null {
    this.check(block);
    const t = this.tops.floor(block.network);
    return t !== undefined && t.last >= blockLast(this.family, block) ? stateOf(t) : null;
  }

  /** Top-level used blocks overlapping `block` (for "overlaps X" messages), at most `limit`. */
  conflicts(block: Block & { family?: Family }, limit = 10): Array<{ prefix: Prefix; state: UsedState }> {
    this.check(block);
    const last = blockLast(this.family, block);
    const out: Array<{ prefix: Prefix; state: UsedState }> = [];
    const start = this.tops.floor(block.network)?.network ?? block.network;
    for (const t of this.tops.from(start)) {
      if (t.network > last || out.length >= limit) break;
      if (t.last >= block.network) out.push({ prefix: this.prefix(t.network, t.length), state: stateOf(t) });
    }
    return out;
  }

  /** The largest free aligned block (lowest of equals), or null when full. */
  largestFree(): Prefix | null {
    for (let l = this.parent.length; l <= this.bits; l++) {
      const head = this.free[l]!.min();
      if (head !== undefined) return this.prefix(head, l);
    }
    return null;
  }

  freeAddresses(): bigint {
    return this.freeTotal;
  }

  usage(): SpaceUsage {
    return { total: blockSize(this.family, this.parent.length), free: this.freeTotal, ...this.used };
  }

  /** Maximal free aligned blocks in address order. */
  *freeBlocks(): Generator<Prefix> {
    let lo = this.parent.network;
    for (const t of this.tops) {
      yield* this.split(lo, t.network - 1n);
      lo = t.last + 1n;
    }
    yield* this.split(lo, this.parentLast);
  }

  /** Top-level used blocks in address order with their state. */
  *usedBlocks(): Generator<{ prefix: Prefix; state: UsedState }> {
    for (const t of this.tops) yield { prefix: this.prefix(t.network, t.length), state: stateOf(t) };
  }

  /** Distinct used blocks held (nested ones included). */
  get blockCount(): number {
    return this.entries.size;
  }

  private recount(e: Entry, state: UsedState, delta: 1 | -1): void {
    const before = stateOf(e);
    e.counts[state] += delta;
    const after = stateOf(e);
    if (e.top && before !== after) {
      const size = e.last - e.network + 1n;
      this.used[before] -= size;
      this.used[after] += size;
    }
  }

  /** Adds (+1) or removes (-1) the free blocks of the gaps around `blocks` within [lo, hi]. */
  private changeGaps(lo: bigint, hi: bigint, blocks: readonly Entry[], sign: 1 | -1): void {
    let from = lo;
    for (const b of blocks) {
      this.gap(from, b.network - 1n, sign);
      from = b.last + 1n;
    }
    this.gap(from, hi, sign);
  }

  private addGap(lo: bigint, hi: bigint): void {
    this.gap(lo, hi, 1);
  }

  private gap(lo: bigint, hi: bigint, sign: 1 | -1): void {
    if (lo > hi) return;
    this.freeTotal += sign === 1 ? hi - lo + 1n : lo - hi - 1n;
    this.eachBlock(lo, hi, (network, length) => {
      if (sign === 1) this.free[length]!.add(network);
      else this.free[length]!.delete(network);
    });
  }

  private *split(lo: bigint, hi: bigint): Generator<Prefix> {
    const out: Prefix[] = [];
    this.eachBlock(lo, hi, (network, length) => out.push(this.prefix(network, length)));
    yield* out;
  }

  /** Greedy split of [lo, hi] into maximal aligned blocks. */
  private eachBlock(lo: bigint, hi: bigint, fn: (network: bigint, length: number) => void): void {
    while (lo <= hi) {
      // Longest block allowed by the alignment of lo, then by the room left.
      const alignBits = lo === 0n ? this.bits : bitLength(lo & -lo) - 1;
      const roomBits = bitLength(hi - lo + 1n) - 1;
      const length = Math.max(this.parent.length, this.bits - Math.min(alignBits, roomBits));
      fn(lo, length);
      lo += 1n << BigInt(this.bits - length);
    }
  }

  private checkLength(length: number): void {
    if (!Number.isInteger(length) || length < this.parent.length || length > this.bits) {
      throw new IpamInputError(
        'PREFIX_LENGTH_NOT_IN_PARENT',
        `a /${length} cannot be allocated from ${this.parent.text}; the prefix length must be from ${this.parent.length} to ${this.bits}`,
        { field: 'prefixLength' },
      );
    }
  }

  private check(block: Block & { family?: Family }): void {
    if (block.family !== undefined && block.family !== this.family) {
      throw new IpamInputError('FAMILY_MISMATCH', `an IPv${block.family} block cannot be placed in the IPv${this.family} ${this.parent.text}`);
    }
    this.checkLength(block.length);
    if (!isAligned(this.family, block.network, block.length)) {
      throw new IpamInputError('CIDR_HOST_BITS_SET', `${formatPrefix(this.family, block)} has host bits set`);
    }
    if (truncate(this.family, block.network, this.parent.length) !== this.parent.network) {
      throw new IpamInputError('NOT_IN_PARENT', `${formatPrefix(this.family, block)} is not inside ${this.parent.text}`);
    }
  }

  private key(b: Block): bigint {
    return (b.network << 8n) | BigInt(b.length);
  }

  private entry(b: Block): Entry {
    return {
      network: b.network,
      length: b.length,
      last: blockLast(this.family, b),
      counts: { allocated: 0, quarantined: 0, reserved: 0 },
      top: true,
      nested: [],
    };
  }

  private prefix(network: bigint, length: number): Prefix {
    return { family: this.family, network, length, text: formatPrefix(this.family, { network, length }) };
  }
}

/**
 * From entries sorted by address then outer-first, keeps those no other contains,
 * hanging the rest on them.
 */
function maximal(sorted: Entry[]): Entry[] {
  const out: Entry[] = [];
  let cur: Entry | undefined;
  for (const e of sorted) {
    if (cur !== undefined && e.network <= cur.last) {
      e.top = false;
      cur.nested.push(e); // e.nested is empty: only top-level entries carry nested ones
    } else {
      e.top = true;
      out.push(e);
      cur = e;
    }
  }
  return out;
}

/** Bits needed for v >= 0 (0 for 0); the Number path covers every IPv4 value. */
function bitLength(v: bigint): number {
  if (v < 0x100000000n) return 32 - Math.clz32(Number(v));
  const hex = v.toString(16);
  return (hex.length - 1) * 4 + 32 - Math.clz32(parseInt(hex[0]!, 16));
}
