import { describe, expect, it } from 'vitest';
import { addressesWithTwoOwners, approvedWithoutAllocation, overlappingPrefixes } from '../../../src/ipam/restore-checks.js';

const p = (id: number, parent: number | null, cidr: string, network: string, last: string) => ({ id, pool_id: 1, parent_id: parent, cidr, network, last });

describe('invariants of a restored copy', () => {
  it('finds live siblings that overlap, not a child inside its parent', () => {
    const ok = [
      p(1, null, '10.0.0.0/24', '0a000000', '0a0000ff'),
      p(2, 1, '10.0.0.0/26', '0a000000', '0a00003f'),
      p(3, null, '10.0.1.0/24', '0a000100', '0a0001ff'),
    ];
    expect(overlappingPrefixes(ok)).toEqual([]);
    const bad = [...ok, p(4, null, '10.0.1.128/25', '0a000180', '0a0001ff')];
    expect(overlappingPrefixes(bad).map((f) => f.reason)).toEqual(['prefix-overlap']);
    expect(overlappingPrefixes(bad)[0]!.detail).toMatch(/10\.0\.1\.0\/24.*10\.0\.1\.128\/25/);
    // a short one after a long one still overlaps the long one
    const after = [
      p(5, null, '10.0.0.0/16', '0a000000', '0a00ffff'),
      p(6, null, '10.0.1.0/24', '0a000100', '0a0001ff'),
      p(7, null, '10.0.9.0/24', '0a000900', '0a0009ff'),
    ];
    expect(overlappingPrefixes(after)).toHaveLength(2);
  });
  it('finds an address with two live owners', () => {
    const a = (id: number, value: string) => ({ id, family: 4, value, address: '10.0.0.5' });
    expect(addressesWithTwoOwners([a(1, '0a000005'), a(2, '0a000006')])).toEqual([]);
    expect(addressesWithTwoOwners([a(1, '0a000005'), a(2, '0a000005')])[0]!.reason).toBe('address-two-owners');
  });
  it('finds an approved request whose allocation is not there', () => {
    const f = approvedWithoutAllocation(
      [
        { requestId: 4, prefixId: 9 },
        { requestId: 5, prefixId: 1 },
        { requestId: 6, prefixId: null },
      ],
      new Set([1]),
    );
    expect(f.map((x) => x.detail)).toEqual([expect.stringMatching(/#4 names prefix 9/), expect.stringMatching(/#6 names prefix \(none\)/)]);
  });
});
