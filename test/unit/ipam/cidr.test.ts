import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/common/errors.js';
import {
  IpamInputError,
  blockLast,
  blockSize,
  comparePrefixes,
  containsAddress,
  containsPrefix,
  formatAddress,
  makePrefix,
  overlaps,
  parseAddress,
  parsePrefix,
} from '../../../src/common/net/cidr.js';

function errorOf(fn: () => unknown): IpamInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IpamInputError) return e;
    throw e;
  }
  throw new Error('expected an IpamInputError');
}

describe('parsePrefix', () => {
  it('parses IPv4 and IPv6 into canonical form', () => {
    expect(parsePrefix('10.20.0.0/16')).toEqual({ family: 4, network: 0x0a140000n, length: 16, text: '10.20.0.0/16' });
    const v6 = parsePrefix('2001:0DB8:0000:0000:0001:0000:0000:0000/80');
    expect(v6.family).toBe(6);
    expect(v6.text).toBe('2001:db8:0:0:1::/80');
    expect(v6.network).toBe(0x20010db8000000000001000000000000n);
    expect(parsePrefix('  192.168.1.0/24 ').text).toBe('192.168.1.0/24');
  });

  it('uses RFC 5952 compression: longest zero run, first of equals, never a single zero field', () => {
    expect(parsePrefix('2001:db8:0:0:1:0:0:1/128').text).toBe('2001:db8::1:0:0:1/128');
    expect(parsePrefix('2001:db8:0:1:0:0:0:0/64').text).toBe('2001:db8:0:1::/64');
    expect(parsePrefix('1:0:1:1:1:1:1:1/128').text).toBe('1:0:1:1:1:1:1:1/128');
    expect(parsePrefix('0:0:0:0:0:0:0:0/0').text).toBe('::/0');
    expect(parsePrefix('0:0:0:0:0:0:0:1/128').text).toBe('::1/128');
  });

  it('accepts the edges /0 and the full length', () => {
    expect(parsePrefix('0.0.0.0/0')).toMatchObject({ network: 0n, length: 0 });
    expect(parsePrefix('255.255.255.255/32')).toMatchObject({ network: 0xffffffffn, length: 32 });
    expect(parsePrefix('::/0')).toMatchObject({ network: 0n, length: 0, family: 6 });
    expect(parsePrefix('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128').network).toBe((1n << 128n) - 1n);
  });

  it('accepts a contiguous dotted netmask for IPv4 and refuses a broken one', () => {
    expect(parsePrefix('10.1.0.0/255.255.0.0').text).toBe('10.1.0.0/16');
    expect(errorOf(() => parsePrefix('10.1.0.0/255.0.255.0')).code).toBe('CIDR_MALFORMED');
  });

  it('refuses a length out of range for the family', () => {
    const e = errorOf(() => parsePrefix('10.0.0.0/33'));
    expect(e.code).toBe('CIDR_LENGTH_OUT_OF_RANGE');
    expect(e.detail).toContain('0 to 32');
    expect(errorOf(() => parsePrefix('2001:db8::/129')).code).toBe('CIDR_LENGTH_OUT_OF_RANGE');
    expect(parsePrefix('2001:db8::/33').length).toBe(33);
  });

  it('says host bits are set and suggests the network', () => {
    const e = errorOf(() => parsePrefix('10.0.0.1/24', { field: 'cidr' }));
    expect(e).toBeInstanceOf(AppError);
    expect(e.status).toBe(400);
    expect(e.code).toBe('CIDR_HOST_BITS_SET');
    expect(e.detail).toContain('did you mean 10.0.0.0/24?');
    expect(e.suggestion).toBe('10.0.0.0/24');
    expect(e.extra).toEqual({ suggestion: '10.0.0.0/24' });
    expect(e.field).toBe('cidr');
    expect(errorOf(() => parsePrefix('2001:db8::1/64')).suggestion).toBe('2001:db8::/64');
  });

  it('refuses the other family when one is expected', () => {
    const e = errorOf(() => parsePrefix('2001:db8::/48', { family: 4 }));
    expect(e.code).toBe('FAMILY_MISMATCH');
    expect(e.detail).toContain('IPv4 prefix is expected');
    expect(errorOf(() => parsePrefix('10.0.0.0/8', { family: 6 })).code).toBe('FAMILY_MISMATCH');
  });

  it('suggests /32 or /128 for a bare address', () => {
    const e = errorOf(() => parsePrefix('10.1.2.3'));
    expect(e.code).toBe('CIDR_MISSING_LENGTH');
    expect(e.suggestion).toBe('10.1.2.3/32');
    expect(errorOf(() => parsePrefix('2001:db8::5')).suggestion).toBe('2001:db8::5/128');
  });

  it.each([
    'garbage',
    '',
    '10.0.0/24',
    '10.0.0.256/24',
    '010.0.0.0/8',
    '10.0.0.0/-1',
    '10.0.0.0/ 8',
    '10.0.0.0/8/8',
    '10.0.0.0/abc',
    ':::/64',
    '1::2::3/64',
    '1:2:3:4:5:6:7:8:9/64',
    'fe80::1%eth0/64',
    '[2001:db8::]/64',
  ])('refuses malformed %j with CIDR_MALFORMED', (text) => {
    expect(errorOf(() => parsePrefix(text)).code).toBe('CIDR_MALFORMED');
  });

  it('refuses non-string input without throwing a TypeError', () => {
    expect(errorOf(() => parsePrefix(42 as unknown as string)).code).toBe('CIDR_MALFORMED');
  });
});

describe('parseAddress', () => {
  it('parses both families canonically', () => {
    expect(parseAddress('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n, text: '10.1.2.3' });
    expect(parseAddress('2001:DB8::0:1').text).toBe('2001:db8::1');
    expect(parseAddress('::').value).toBe(0n);
  });

  it('refuses prefixes, garbage and the wrong family', () => {
    expect(errorOf(() => parseAddress('10.0.0.0/24')).code).toBe('ADDRESS_MALFORMED');
    expect(errorOf(() => parseAddress('10.0.0.300')).code).toBe('ADDRESS_MALFORMED');
    expect(errorOf(() => parseAddress('host.example')).code).toBe('ADDRESS_MALFORMED');
    expect(errorOf(() => parseAddress('::1', { family: 4 })).code).toBe('FAMILY_MISMATCH');
  });
});

describe('makePrefix and formatting', () => {
  it('builds aligned prefixes and refuses misaligned ones with a suggestion', () => {
    expect(makePrefix(4, 0x0a000000n, 8).text).toBe('10.0.0.0/8');
    expect(errorOf(() => makePrefix(4, 0x0a000001n, 8)).suggestion).toBe('10.0.0.0/8');
    expect(errorOf(() => makePrefix(4, 0n, 33)).code).toBe('CIDR_LENGTH_OUT_OF_RANGE');
    expect(errorOf(() => makePrefix(4, 1n << 32n, 32)).code).toBe('ADDRESS_MALFORMED');
    expect(errorOf(() => makePrefix(6, -1n, 128)).code).toBe('ADDRESS_MALFORMED');
  });

  it('formats addresses and computes sizes', () => {
    expect(formatAddress(4, 0xffffffffn)).toBe('255.255.255.255');
    expect(formatAddress(6, 0x20010db8000000000000000000000001n)).toBe('2001:db8::1');
    expect(blockSize(4, 0)).toBe(1n << 32n);
    expect(blockSize(6, 128)).toBe(1n);
    expect(blockLast(4, parsePrefix('10.0.0.0/24'))).toBe(0x0a0000ffn);
    expect(blockLast(6, parsePrefix('::/0'))).toBe((1n << 128n) - 1n);
  });
});

describe('containment and overlap', () => {
  const p8 = parsePrefix('10.0.0.0/8');
  const p24 = parsePrefix('10.1.2.0/24');
  const other = parsePrefix('11.0.0.0/8');
  const v6 = parsePrefix('::/0');

  it('contains itself and its children, not its parent or a sibling', () => {
    expect(containsPrefix(p8, p8)).toBe(true);
    expect(containsPrefix(p8, p24)).toBe(true);
    expect(containsPrefix(p24, p8)).toBe(false);
    expect(containsPrefix(p8, other)).toBe(false);
    expect(containsPrefix(v6, p8)).toBe(false);
  });

  it('overlap is symmetric and family-aware', () => {
    expect(overlaps(p8, p24)).toBe(true);
    expect(overlaps(p24, p8)).toBe(true);
    expect(overlaps(p8, other)).toBe(false);
    expect(overlaps(v6, parsePrefix('0.0.0.0/0'))).toBe(false);
  });

  it('contains addresses at both ends only', () => {
    expect(containsAddress(p24, parseAddress('10.1.2.0'))).toBe(true);
    expect(containsAddress(p24, parseAddress('10.1.2.255'))).toBe(true);
    expect(containsAddress(p24, parseAddress('10.1.3.0'))).toBe(false);
    expect(containsAddress(p24, parseAddress('::a01:200'))).toBe(false);
  });

  it('sorts by family, address, then enclosing first', () => {
    const list = [p24, parsePrefix('10.1.0.0/16'), v6, other, p8];
    expect(list.sort(comparePrefixes).map((p) => p.text)).toEqual(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '11.0.0.0/8', '::/0']);
  });
});
