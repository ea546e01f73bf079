import { describe, expect, it } from 'vitest';
import { IpamInputError, parseAddress, parsePrefix } from '../../../src/common/net/cidr.js';
import { FreeSpaceIndex } from '../../../src/ipam/core/free-space.js';
import { HostIndex } from '../../../src/ipam/core/hosts.js';
import { combineUtilization, hostUtilizationOf, utilizationOf } from '../../../src/ipam/core/utilization.js';

const P = (t: string) => parsePrefix(t);

describe('utilization', () => {
  it('reads used, quarantined, reserved, free and the largest free block from the index', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/16'), [
      P('10.0.0.0/24'),
      { ...P('10.0.1.0/24'), state: 'quarantined' },
      { ...P('10.0.2.0/25'), state: 'reserved' },
    ]);
    const u = utilizationOf(ix);
    expect(u).toMatchObject({ family: 4, total: 65536n, allocated: 256n, quarantined: 256n, reserved: 128n, free: 65536n - 640n });
    expect(u.largestFree?.text).toBe('10.0.128.0/17');
    expect(u.approx).toEqual({ total: 65536, allocated: 256, quarantined: 256, reserved: 128, free: 64896, usedRatio: 0.009765 });
  });

  it('follows writes without a rebuild', () => {
    const ix = new FreeSpaceIndex(P('10.0.0.0/24'));
    ix.add(P('10.0.0.0/25'));
    expect(utilizationOf(ix).approx.usedRatio).toBe(0.5);
    ix.add(P('10.0.0.128/25'));
    const full = utilizationOf(ix);
    expect(full.free).toBe(0n);
    expect(full.largestFree).toBeNull();
    expect(full.approx.usedRatio).toBe(1);
  });

  it('keeps IPv6 counts exact as bigint', () => {
    const ix = new FreeSpaceIndex(P('2001:db8::/32'), [P('2001:db8::/48')]);
    const u = utilizationOf(ix);
    expect(u.total).toBe(2n ** 96n);
    expect(u.allocated).toBe(2n ** 80n);
    expect(u.free).toBe(2n ** 96n - 2n ** 80n);
    expect(u.approx.usedRatio).toBe(0.000015);
  });

  it('combines per-OPD totals of one family and refuses mixing families', () => {
    const a = utilizationOf(new FreeSpaceIndex(P('10.1.0.0/24'), [P('10.1.0.0/26')]));
    const b = utilizationOf(new FreeSpaceIndex(P('10.2.0.0/23'), [P('10.2.0.0/24')]));
    const sum = combineUtilization(4, [a, b]);
    expect(sum).toMatchObject({ total: 768n, allocated: 320n, free: 448n });
    expect(sum.largestFree?.text).toBe('10.2.1.0/24');
    expect(combineUtilization(4, [])).toMatchObject({ total: 0n, largestFree: null, approx: { usedRatio: 0 } });
    const v6 = utilizationOf(new FreeSpaceIndex(P('2001:db8::/64')));
    expect(() => combineUtilization(4, [a, v6])).toThrow(IpamInputError);
  });

  it('reports address utilization of a prefix', () => {
    const h = new HostIndex(P('10.9.0.0/28'), [{ value: parseAddress('10.9.0.2').value }, { value: parseAddress('10.9.0.3').value, state: 'quarantined' }]);
    expect(hostUtilizationOf(h)).toMatchObject({ total: 16n, reserved: 3n, allocated: 1n, quarantined: 1n, free: 11n, largestFree: null });
  });
});
