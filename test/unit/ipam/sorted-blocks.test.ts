import { describe, expect, it } from 'vitest';
import { SortedBlocks } from '../../../src/ipam/core/sorted-blocks.js';
import { rng } from './random.js';

interface Item {
  network: bigint;
}

describe('SortedBlocks against a sorted array', () => {
  for (const seed of [1, 2, 3]) {
    it(`random inserts, deletes and batch replaces stay ordered (seed ${seed})`, () => {
      const r = rng(seed);
      const set = new SortedBlocks<Item>();
      const ref = new Map<bigint, Item>();
      const sorted = () => [...ref.values()].sort((a, b) => (a.network < b.network ? -1 : 1));
      for (let step = 0; step < 4000; step++) {
        const op = r.int(10);
        if (op < 6) {
          const k = BigInt(r.int(20_000));
          if (!ref.has(k)) {
            const item = { network: k };
            ref.set(k, item);
            set.insert(item);
          }
        } else if (op < 9 && ref.size > 0) {
          const item = r.pick([...ref.values()]);
          ref.delete(item.network);
          expect(set.delete(item)).toBe(true);
        } else {
          // batch: drop a run, add new keys; sometimes large enough for the rebuild path
          const all = sorted();
          const start = r.int(Math.max(1, all.length));
          const gone = all.slice(start, start + (r.int(2) === 0 ? 5 : 400));
          for (const g of gone) ref.delete(g.network);
          const added: Item[] = [];
          for (let i = 0; i < (r.int(2) === 0 ? 3 : 300); i++) {
            const k = BigInt(20_000 + r.int(20_000));
            if (!ref.has(k)) {
              const item = { network: k };
              ref.set(k, item);
              added.push(item);
            }
          }
          set.replace(
            gone,
            added.sort((a, b) => (a.network < b.network ? -1 : 1)),
          );
        }
        expect(set.size).toBe(ref.size);
        const q = BigInt(r.int(41_000));
        const arr = sorted();
        const floor = [...arr].reverse().find((x) => x.network <= q);
        const ceil = arr.find((x) => x.network >= q);
        expect(set.floor(q)).toBe(floor);
        expect(set.ceil(q)).toBe(ceil);
        if (step % 200 === 0) {
          expect([...set]).toEqual(arr);
          expect([...set.from(q)]).toEqual(arr.filter((x) => x.network >= q));
        }
      }
    });
  }

  it('handles empty and single-entry sets', () => {
    const set = new SortedBlocks<Item>();
    expect(set.floor(5n)).toBeUndefined();
    expect(set.ceil(5n)).toBeUndefined();
    expect([...set.from(0n)]).toEqual([]);
    expect(set.delete({ network: 5n })).toBe(false);
    const five = { network: 5n };
    set.insert(five);
    expect(set.floor(4n)).toBeUndefined();
    expect(set.floor(5n)).toBe(five);
    expect(set.ceil(6n)).toBeUndefined();
    expect(set.ceil(0n)).toBe(five);
    expect(set.delete({ network: 4n })).toBe(false);
    expect(set.delete(five)).toBe(true);
    expect(set.size).toBe(0);
  });
});
