import { describe, expect, it } from 'vitest';
import { IpamInputError } from '../../../src/common/net/cidr.js';
import { prefixLengthForAddresses, prefixLengthForHosts } from '../../../src/ipam/core/size.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof IpamInputError) return e.code;
    throw e;
  }
  throw new Error('expected an IpamInputError');
}

describe('prefixLengthForAddresses (addresses counts the whole block)', () => {
  it.each([
    [1, 32],
    [2, 31],
    [3, 30],
    [4, 30],
    [50, 26],
    [64, 26],
    [65, 25],
    [256, 24],
    [257, 23],
    [2 ** 32, 0],
  ])('IPv4 %d addresses -> /%d', (n, len) => {
    expect(prefixLengthForAddresses(n, 4)).toBe(len);
  });

  it('IPv6 and big counts as bigint or decimal string', () => {
    expect(prefixLengthForAddresses(1, 6)).toBe(128);
    expect(prefixLengthForAddresses(2n ** 64n, 6)).toBe(64);
    expect(prefixLengthForAddresses((2n ** 64n + 1n).toString(), 6)).toBe(63);
    expect(prefixLengthForAddresses(2n ** 128n, 6)).toBe(0);
  });

  it('refuses zero, negative, fractional, non-numeric and huge counts', () => {
    expect(codeOf(() => prefixLengthForAddresses(0, 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses(-5, 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses('-5', 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses(2.5, 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses(Number.NaN, 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses(Number.POSITIVE_INFINITY, 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses('fifty', 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses(null as unknown as number, 4))).toBe('SIZE_INVALID');
    expect(codeOf(() => prefixLengthForAddresses(2 ** 32 + 1, 4))).toBe('SIZE_TOO_LARGE');
    expect(codeOf(() => prefixLengthForAddresses(1e300, 6))).toBe('SIZE_TOO_LARGE');
    expect(codeOf(() => prefixLengthForAddresses(2n ** 128n + 1n, 6))).toBe('SIZE_TOO_LARGE');
  });

  it('names the field in the error', () => {
    try {
      prefixLengthForAddresses(0, 4);
    } catch (e) {
      expect((e as IpamInputError).field).toBe('addresses');
      expect((e as IpamInputError).detail).toContain('at least 1');
    }
    expect.assertions(2);
  });
});

describe('prefixLengthForHosts (usable hosts)', () => {
  it.each([
    [1, true, 30],
    [2, true, 29],
    [5, true, 29],
    [6, true, 28],
    [50, true, 26],
    [61, true, 26],
    [62, true, 25],
    [1, false, 32],
    [2, false, 31],
    [3, false, 29],
    [6, false, 29],
    [62, false, 26],
  ])('IPv4 %d hosts (gateway %s) -> /%d', (n, gateway, len) => {
    expect(prefixLengthForHosts(n, 4, { gateway })).toBe(len);
  });

  it('IPv6 loses only the anycast address and the gateway', () => {
    expect(prefixLengthForHosts(2, 6)).toBe(126);
    expect(prefixLengthForHosts(2, 6, { gateway: false })).toBe(127);
    expect(prefixLengthForHosts(3, 6, { gateway: false })).toBe(126);
  });

  it('refuses more hosts than fit', () => {
    expect(codeOf(() => prefixLengthForHosts(2 ** 32 - 2, 4))).toBe('SIZE_TOO_LARGE');
    expect(codeOf(() => prefixLengthForHosts(0, 4))).toBe('SIZE_INVALID');
  });
});
