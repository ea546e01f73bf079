import { describe, expect, it } from 'vitest';
import { FreeList } from '../../../src/ipam/core/free-list.js';
import { rng } from './random.js';

describe('FreeList', () => {
  it('is empty at first and ignores deleting what it does not hold', () => {
    const l = new FreeList();
    expect(l.min()).toBeUndefined();
    l.delete(5n);
    expect(l.size).toBe(0);
  });

  for (const seed of [11, 12, 13, 14]) {
    it(`keeps the minimum right under random adds and deletes anywhere (seed ${seed})`, () => {
      const r = rng(seed);
      const l = new FreeList();
      const ref = new Set<bigint>();
      for (let step = 0; step < 5000; step++) {
        if (ref.size === 0 || r.int(5) < 3) {
          const v = BigInt(r.int(100_000)) << 64n; // IPv6-sized values
          if (!ref.has(v)) {
            ref.add(v);
            l.add(v);
          }
        } else {
          const v = r.pick([...ref]);
          ref.delete(v);
          l.delete(v);
        }
        // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers)
        const expected = ref.size === 0 ? undefined : [...ref].reduce((a, b) => (b < a ? b : a));
        expect(l.min()).toBe(expected);
        expect(l.size).toBe(ref.size);
        const probe = BigInt(r.int(100_000)) << 64n;
        expect(l.has(probe)).toBe(ref.has(probe));
      }
      // drain in order
      const out: bigint[] = [];
      for (let m = l.min(); m !== undefined; m = l.min()) {
        out.push(m);
        l.delete(m);
      }
      expect(out).toEqual([...ref].sort((a, b) => (a < b ? -1 : 1)));
    });
  }
});
