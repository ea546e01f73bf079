import { describe, expect, it } from 'vitest';
import { type Prefix, IpamInputError, blockSize, familyBits, formatPrefix, parsePrefix } from '../../../src/common/net/cidr.js';
import { FreeSpaceIndex, type UsedState } from '../../../src/ipam/core/free-space.js';
import { rng } from './random.js';

const P = (text: string) => parsePrefix(text);
const texts = (it: Iterable<Prefix>) => [...it].map((p) => p.text);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof IpamInputError) return e.code;
    throw e;
  }
  throw new Error('expected an IpamInputError');
}

describe('FreeSpaceIndex basics', () => {
  it('first-fit hands out the lowest aligned block, best-fit keeps large blocks whole', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/24'));
    expect(ix.find(26)?.text).toBe('10.0.0.0/26');
    ix.add(P('10.0.0.0/26'));
    ix.add(P('10.0.0.128/27'));
    // free: .64/26, .160/27, .192/26
    expect(texts(ix.freeBlocks())).toEqual(['10.0.0.64/26', '10.0.0.160/27', '10.0.0.192/26']);
    expect(ix.find(28)?.text).toBe('10.0.0.64/28');
    expect(ix.find(28, 'best-fit')?.text).toBe('10.0.0.160/28');
    expect(ix.find(26, 'best-fit')?.text).toBe('10.0.0.64/26');
    expect(ix.find(25)).toBeNull();
    expect(ix.largestFree()?.text).toBe('10.0.0.64/26');
    expect(ix.freeAddresses()).toBe(160n);
  });

  it('answers whether a specific prefix is free and what it conflicts with', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/16'), [P('10.0.1.0/24'), { ...P('10.0.4.0/22'), state: 'quarantined' }]);
    expect(ix.isFree(P('10.0.0.0/24'))).toBe(true);
    expect(ix.isFree(P('10.0.1.0/24'))).toBe(false);
    expect(ix.isFree(P('10.0.1.128/25'))).toBe(false);
    expect(ix.isFree(P('10.0.0.0/23'))).toBe(false);
    expect(ix.isFree(P('10.0.8.0/21'))).toBe(true);
    expect(ix.conflicts(P('10.0.0.0/21')).map((c) => `${c.prefix.text} ${c.state}`)).toEqual(['10.0.1.0/24 allocated', '10.0.4.0/22 quarantined']);
    expect(ix.conflicts(P('10.0.5.0/24')).map((c) => c.prefix.text)).toEqual(['10.0.4.0/22']);
    expect(ix.conflicts(P('10.0.8.0/24'))).toEqual([]);
    expect(ix.coveringState(P('10.0.5.7/32'))).toBe('quarantined');
    expect(ix.coveringState(P('10.0.0.0/21'))).toBeNull();
  });

  it('keeps usage per state and moves it when a block changes state', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/24'));
    ix.add(P('10.0.0.0/25'));
    expect(ix.usage()).toEqual({ total: 256n, free: 128n, allocated: 128n, quarantined: 0n, reserved: 0n });
    // release into quarantine: add the quarantine hold, then drop the allocation
    ix.add({ ...P('10.0.0.0/25'), state: 'quarantined' });
    ix.remove(P('10.0.0.0/25'));
    expect(ix.usage()).toEqual({ total: 256n, free: 128n, allocated: 0n, quarantined: 128n, reserved: 0n });
    expect(ix.find(25)?.text).toBe('10.0.0.128/25');
    ix.remove({ ...P('10.0.0.0/25'), state: 'quarantined' });
    expect(ix.usage().free).toBe(256n);
    expect(ix.find(24)?.text).toBe('10.0.0.0/24');
    expect(ix.blockCount).toBe(0);
  });

  it('handles nested blocks: the outer one hides the inner until it goes', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/16'));
    ix.add(P('10.0.1.0/26'));
    ix.add(P('10.0.1.128/25'));
    ix.add(P('10.0.0.0/22')); // swallows both
    expect(texts(ix.freeBlocks())).toEqual(['10.0.4.0/22', '10.0.8.0/21', '10.0.16.0/20', '10.0.32.0/19', '10.0.64.0/18', '10.0.128.0/17']);
    ix.add(P('10.0.2.0/24')); // inside the /22: nothing changes
    expect(ix.freeAddresses()).toBe(65536n - 1024n);
    ix.remove(P('10.0.0.0/22'));
    expect([...ix.usedBlocks()].map((u) => u.prefix.text)).toEqual(['10.0.1.0/26', '10.0.1.128/25', '10.0.2.0/24']);
    expect(ix.find(24)?.text).toBe('10.0.0.0/24');
    expect(ix.freeAddresses()).toBe(65536n - 64n - 128n - 256n);
    ix.remove(P('10.0.2.0/24'));
    ix.remove(P('10.0.1.0/26'));
    ix.remove(P('10.0.1.128/25'));
    expect(texts(ix.freeBlocks())).toEqual(['10.0.0.0/16']);
  });

  it('a block covering hundreds of others swallows and releases them in bulk', () => {
    const parent = P('10.0.0.0/16');
    const ix = new FreeSpaceIndex(parent);
    for (let i = 0n; i < 600n; i += 2n) ix.add({ network: parent.network + i, length: 32 });
    const before = texts(ix.freeBlocks());
    ix.add(P('10.0.0.0/22'));
    expect(ix.freeAddresses()).toBe(65536n - 1024n);
    expect([...ix.usedBlocks()].map((u) => u.prefix.text)).toEqual(['10.0.0.0/22']);
    expect(ix.find(32)?.text).toBe('10.0.4.0/32');
    ix.remove(P('10.0.0.0/22'));
    expect(texts(ix.freeBlocks())).toEqual(before);
    expect(ix.find(32)?.text).toBe('10.0.0.1/32');
    expect(ix.freeAddresses()).toBe(65536n - 300n);
  });

  it('counts repeated adds of the same block', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/24'), [P('10.0.0.0/25'), P('10.0.0.0/25')]);
    ix.remove(P('10.0.0.0/25'));
    expect(ix.isFree(P('10.0.0.0/25'))).toBe(false);
    ix.remove(P('10.0.0.0/25'));
    expect(ix.isFree(P('10.0.0.0/25'))).toBe(true);
    expect(codeOf(() => ix.remove(P('10.0.0.0/25')))).toBe('BLOCK_NOT_PRESENT');
  });

  it('refuses blocks outside the parent, misaligned, wrong family or impossible lengths', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/16'));
    expect(codeOf(() => ix.add(P('10.1.0.0/24')))).toBe('NOT_IN_PARENT');
    expect(codeOf(() => ix.add(P('10.0.0.0/8')))).toBe('PREFIX_LENGTH_NOT_IN_PARENT');
    expect(codeOf(() => ix.add({ network: 0x0a000001n, length: 24 }))).toBe('CIDR_HOST_BITS_SET');
    expect(codeOf(() => ix.add(P('2001:db8::/64')))).toBe('FAMILY_MISMATCH');
    expect(codeOf(() => ix.find(15))).toBe('PREFIX_LENGTH_NOT_IN_PARENT');
    expect(codeOf(() => ix.find(33))).toBe('PREFIX_LENGTH_NOT_IN_PARENT');
    expect(codeOf(() => ix.find(24.5))).toBe('PREFIX_LENGTH_NOT_IN_PARENT');
    expect(codeOf(() => ix.isFree(P('192.168.0.0/24')))).toBe('NOT_IN_PARENT');
  });
});

describe('FreeSpaceIndex edges', () => {
  it('IPv4 /0: whole space, then one half', () => {
    const ix = new FreeSpaceIndex(P('0.0.0.0/0'));
    expect(ix.find(0)?.text).toBe('0.0.0.0/0');
    expect(ix.find(32)?.text).toBe('0.0.0.0/32');
    expect(ix.usage().total).toBe(1n << 32n);
    ix.add(P('0.0.0.0/1'));
    expect(ix.find(1)?.text).toBe('128.0.0.0/1');
    expect(ix.find(0)).toBeNull();
    ix.add(P('128.0.0.0/1'));
    expect(ix.find(32)).toBeNull();
    expect(ix.largestFree()).toBeNull();
    expect(ix.freeAddresses()).toBe(0n);
  });

  it('IPv4 /32 pool: one address', () => {
    const ix = new FreeSpaceIndex(P('10.9.9.9/32'));
    expect(ix.find(32)?.text).toBe('10.9.9.9/32');
    ix.add(P('10.9.9.9/32'));
    expect(ix.find(32)).toBeNull();
    expect(ix.usage()).toMatchObject({ total: 1n, free: 0n, allocated: 1n });
  });

  it('IPv6 /0 and /128', () => {
    const all = new FreeSpaceIndex(P('::/0'));
    expect(all.find(128)?.text).toBe('::/128');
    expect(all.largestFree()?.text).toBe('::/0');
    expect(all.freeAddresses()).toBe(1n << 128n);
    all.add(P('::/128'));
    expect(all.find(128)?.text).toBe('::1/128');
    expect(all.find(1)?.text).toBe('8000::/1');
    expect(all.find(1, 'best-fit')?.text).toBe('8000::/1');
    expect(all.find(127, 'best-fit')?.text).toBe('::2/127');
    expect(all.freeAddresses()).toBe((1n << 128n) - 1n);
    all.add(P('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'));
    expect(all.find(1)).toBeNull();
    expect(all.find(2)?.text).toBe('4000::/2');

    const one = new FreeSpaceIndex(P('2001:db8::1/128'));
    expect(one.find(128)?.text).toBe('2001:db8::1/128');
    one.add(P('2001:db8::1/128'));
    expect(one.find(128)).toBeNull();
  });

  it('hands out the last block of a pool, then reports it full', () => {
    const parent = P('10.0.0.0/24');
    const ix = new FreeSpaceIndex(parent);
    for (let i = 0; i < 31; i++) ix.add(ix.find(29)!);
    expect(ix.find(29)?.text).toBe('10.0.0.248/29');
    expect(ix.find(29, 'best-fit')?.text).toBe('10.0.0.248/29');
    expect(ix.largestFree()?.text).toBe('10.0.0.248/29');
    ix.add(ix.find(29)!);
    expect(ix.find(29)).toBeNull();
    expect(ix.find(32)).toBeNull();
    expect(ix.largestFree()).toBeNull();
    expect([...ix.freeBlocks()]).toEqual([]);
    expect(ix.usage()).toMatchObject({ free: 0n, allocated: 256n });
  });

  it('a /48 gives OPD /56s and a /56 gives /64 LANs in order', () => {
    const region = new FreeSpaceIndex(P('2001:db8:100::/48'));
    const a = region.find(56)!;
    region.add(a);
    const b = region.find(56)!;
    expect([a.text, b.text]).toEqual(['2001:db8:100::/56', '2001:db8:100:100::/56']);
    const opd = new FreeSpaceIndex(a);
    opd.add(opd.find(64)!);
    expect(opd.find(64)?.text).toBe('2001:db8:100:1::/64');
  });
});

/** Brute-force reference over a bitmap of used addresses, for small parents. */
class Reference {
  readonly used: boolean[];
  readonly bits: number;
  constructor(
    readonly parent: Prefix,
    readonly blocks: Array<{ network: bigint; length: number; state: UsedState }>,
  ) {
    this.bits = familyBits(parent.family);
    const size = Number(blockSize(parent.family, parent.length));
    this.used = new Array<boolean>(size).fill(false);
    for (const b of blocks) {
      const off = Number(b.network - parent.network);
      const n = Number(blockSize(parent.family, b.length));
      for (let i = off; i < off + n; i++) this.used[i] = true;
    }
  }
  private freeRange(off: number, n: number): boolean {
    for (let i = off; i < off + n; i++) if (this.used[i]) return false;
    return true;
  }
  private size(length: number): number {
    return 2 ** (this.bits - length);
  }
  firstFit(length: number): string | null {
    const n = this.size(length);
    for (let off = 0; off < this.used.length; off += n) if (this.freeRange(off, n)) return this.text(off, length);
    return null;
  }
  maximalFree(): Array<{ off: number; length: number }> {
    const out: Array<{ off: number; length: number }> = [];
    for (let length = this.parent.length; length <= this.bits; length++) {
      const n = this.size(length);
      for (let off = 0; off < this.used.length; off += n) {
        if (!this.freeRange(off, n)) continue;
        const up = length === this.parent.length ? false : this.freeRange(off - (off % (2 * n)), 2 * n);
        if (!up) out.push({ off, length });
      }
    }
    return out.sort((a, b) => a.off - b.off);
  }
  bestFit(length: number): string | null {
    const fits = this.maximalFree().filter((m) => m.length <= length);
    if (fits.length === 0) return null;
    const longest = Math.max(...fits.map((m) => m.length));
    return this.text(fits.find((m) => m.length === longest)!.off, length);
  }
  largest(): string | null {
    const all = this.maximalFree();
    if (all.length === 0) return null;
    const shortest = Math.min(...all.map((m) => m.length));
    return this.text(all.find((m) => m.length === shortest)!.off, shortest);
  }
  isFree(network: bigint, length: number): boolean {
    return this.freeRange(Number(network - this.parent.network), this.size(length));
  }
  freeCount(): bigint {
    return BigInt(this.used.filter((u) => !u).length);
  }
  usageByState(): Record<UsedState, bigint> {
    // top-level blocks: not inside another distinct block; state by priority over the same block's holds
    const out: Record<UsedState, bigint> = { allocated: 0n, quarantined: 0n, reserved: 0n };
    const keys = new Map<string, { network: bigint; length: number; states: Set<UsedState> }>();
    for (const b of this.blocks) {
      const k = `${b.network}/${b.length}`;
      const e = keys.get(k) ?? { network: b.network, length: b.length, states: new Set<UsedState>() };
      e.states.add(b.state);
      keys.set(k, e);
    }
    const list = [...keys.values()];
    for (const e of list) {
      const inside = list.some(
        (o) => o !== e && o.length < e.length && e.network >> BigInt(this.bits - o.length) === o.network >> BigInt(this.bits - o.length),
      );
      if (inside) continue;
      const s: UsedState = e.states.has('allocated') ? 'allocated' : e.states.has('reserved') ? 'reserved' : 'quarantined';
      out[s] += blockSize(this.parent.family, e.length);
    }
    return out;
  }
  private text(off: number, length: number): string {
    return formatPrefix(this.parent.family, { network: this.parent.network + BigInt(off), length });
  }
}

function randomBlock(r: ReturnType<typeof rng>, parent: Prefix, minLen: number): { network: bigint; length: number } {
  const bits = familyBits(parent.family);
  const length = minLen + r.int(bits - minLen + 1);
  const slots = 2 ** (length - parent.length);
  const slot = BigInt(r.int(slots));
  return { network: parent.network + slot * blockSize(parent.family, length), length };
}

describe('FreeSpaceIndex against a brute-force reference', () => {
  for (const text of ['10.20.30.0/24', '192.168.0.0/22', '2001:db8::ff00/120']) {
    for (const seed of [1, 2, 3, 4, 5]) {
      it(`random adds and removes in ${text} (seed ${seed})`, () => {
        const r = rng(seed * 7919 + text.length);
        const parent = P(text);
        const bits = familyBits(parent.family);
        const ix = new FreeSpaceIndex(parent);
        const held: Array<{ network: bigint; length: number; state: UsedState }> = [];
        for (let step = 0; step < 250; step++) {
          if (held.length > 0 && r.int(3) === 0) {
            const i = r.int(held.length);
            const [b] = held.splice(i, 1);
            ix.remove(b!);
          } else {
            // longer prefixes more often so the parent is not filled at once
            const b = {
              ...randomBlock(r, parent, Math.min(bits, parent.length + 1 + r.int(4))),
              state: r.pick(['allocated', 'allocated', 'quarantined', 'reserved'] as const),
            };
            ix.add(b);
            held.push(b);
          }
          const ref = new Reference(parent, held);
          expect(ix.freeAddresses()).toBe(ref.freeCount());
          expect(ix.largestFree()?.text ?? null).toBe(ref.largest());
          const probe = parent.length + r.int(bits - parent.length + 1);
          expect(ix.find(probe)?.text ?? null).toBe(ref.firstFit(probe));
          expect(ix.find(probe, 'best-fit')?.text ?? null).toBe(ref.bestFit(probe));
          const q = randomBlock(r, parent, parent.length);
          expect(ix.isFree(q)).toBe(ref.isFree(q.network, q.length));
          if (step % 25 === 0) {
            expect(texts(ix.freeBlocks())).toEqual(
              ref.maximalFree().map((m) => formatPrefix(parent.family, { network: parent.network + BigInt(m.off), length: m.length })),
            );
            const u = ix.usage();
            expect({ allocated: u.allocated, quarantined: u.quarantined, reserved: u.reserved }).toEqual(ref.usageByState());
            // a bulk build of the same holdings is the same index
            const bulk = new FreeSpaceIndex(parent, held);
            expect(texts(bulk.freeBlocks())).toEqual(texts(ix.freeBlocks()));
            expect(bulk.usage()).toEqual(ix.usage());
          }
        }
      });
    }
  }
});

describe('allocating random sizes until the pool is full', () => {
  const parents = ['10.64.0.0/16', '2001:db8:abcd::/112', '2001:db8::/48'];
  for (const text of parents) {
    for (const strategy of ['first-fit', 'best-fit'] as const) {
      it(`${text} ${strategy}: no overlaps, aligned, inside, ends full`, () => {
        const r = rng(text.length * 31 + strategy.length);
        const parent = P(text);
        const bits = familyBits(parent.family);
        // for the /48 a realistic spread, else anything from /parent+4 to the full length
        const lengths = parent.length === 48 ? [56, 60, 62, 63, 64] : Array.from({ length: bits - parent.length - 3 }, (_, i) => parent.length + 4 + i);
        const ix = new FreeSpaceIndex(parent);
        const got: Prefix[] = [];
        let free = blockSize(parent.family, parent.length);
        const finalLength = Math.max(...lengths);
        for (let guard = 0; guard < 100_000; guard++) {
          const length = r.pick(lengths);
          const b = ix.find(length, strategy);
          if (b === null) {
            // nothing of that size left: the largest free block must be smaller
            const largest = ix.largestFree();
            if (largest === null) break;
            expect(largest.length).toBeGreaterThan(length);
            const filler = ix.find(finalLength, strategy)!;
            ix.add(filler);
            got.push(filler);
            free -= blockSize(parent.family, finalLength);
            continue;
          }
          expect(b.length).toBe(length);
          expect(b.network % blockSize(parent.family, length)).toBe(0n);
          expect(b.network >= parent.network).toBe(true);
          expect(b.network + blockSize(parent.family, length) <= parent.network + blockSize(parent.family, parent.length)).toBe(true);
          ix.add(b);
          got.push(b);
          free -= blockSize(parent.family, length);
          expect(ix.freeAddresses()).toBe(free);
        }
        expect(ix.find(finalLength)).toBeNull();
        expect(ix.freeAddresses()).toBe(0n);
        const sorted = [...got].sort((a, b) => (a.network < b.network ? -1 : 1));
        let sum = 0n;
        for (let i = 0; i < sorted.length; i++) {
          const size = blockSize(parent.family, sorted[i]!.length);
          sum += size;
          if (i + 1 < sorted.length) expect(sorted[i]!.network + size <= sorted[i + 1]!.network).toBe(true);
        }
        expect(sum).toBe(blockSize(parent.family, parent.length));
      });
    }
  }
});
