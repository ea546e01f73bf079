import { describe, expect, it } from 'vitest';
import { IpamInputError, parsePrefix } from '../../../src/common/net/cidr.js';
import { lanPrefixV6, opdPrefixV6, p2pEndpoints, p2pLength, subnetAt, subnetCount, subnetIndexOf } from '../../../src/ipam/core/plan-v6.js';

const P = (t: string) => parsePrefix(t);

describe('IPv6 plan', () => {
  const regency = P('2001:db8:4400::/48');

  it('cuts OPD /56s out of the /48 and /64 LANs out of a /56', () => {
    expect(subnetCount(regency, 56)).toBe(256n);
    expect(opdPrefixV6(regency, 0).text).toBe('2001:db8:4400::/56');
    expect(opdPrefixV6(regency, 1).text).toBe('2001:db8:4400:100::/56');
    expect(opdPrefixV6(regency, 255).text).toBe('2001:db8:4400:ff00::/56');
    const opd = opdPrefixV6(regency, 7);
    expect(lanPrefixV6(opd, 0).text).toBe('2001:db8:4400:700::/64');
    expect(lanPrefixV6(opd, 255).text).toBe('2001:db8:4400:7ff::/64');
    expect(subnetIndexOf(regency, opd)).toBe(7n);
    expect(subnetIndexOf(opd, lanPrefixV6(opd, 42))).toBe(42n);
  });

  it('refuses indexes past the end, fractional ones and IPv4 parents', () => {
    expect(() => opdPrefixV6(regency, 256)).toThrow(/256 \/56 subnets/);
    expect(() => opdPrefixV6(regency, -1)).toThrow(IpamInputError);
    expect(() => opdPrefixV6(regency, 1.5)).toThrow(IpamInputError);
    expect(() => opdPrefixV6(P('10.0.0.0/8'), 0)).toThrow(/IPv4/);
    expect(() => subnetAt(P('2001:db8::/56'), 48, 0)).toThrow(IpamInputError);
    expect(() => subnetIndexOf(regency, P('2001:db8:4401::/56'))).toThrow(/not inside/);
  });

  it('subnetAt works at the IPv4 edges too', () => {
    expect(subnetAt(P('0.0.0.0/0'), 32, 2 ** 32 - 1).text).toBe('255.255.255.255/32');
    expect(subnetAt(P('10.0.0.0/24'), 24, 0).text).toBe('10.0.0.0/24');
  });

  it('point-to-point lengths and endpoints', () => {
    expect(p2pLength(4)).toBe(31);
    expect(p2pLength(4, 30)).toBe(30);
    expect(p2pLength(6)).toBe(127);
    expect(p2pEndpoints(P('10.255.0.4/31')).map((a) => a.text)).toEqual(['10.255.0.4', '10.255.0.5']);
    expect(p2pEndpoints(P('10.255.0.4/30')).map((a) => a.text)).toEqual(['10.255.0.5', '10.255.0.6']);
    expect(p2pEndpoints(P('2001:db8:ff::/127')).map((a) => a.text)).toEqual(['2001:db8:ff::', '2001:db8:ff::1']);
    expect(() => p2pEndpoints(P('10.255.0.0/29'))).toThrow(/not a point-to-point/);
    expect(() => p2pEndpoints(P('10.255.0.1/32'))).toThrow(IpamInputError);
  });
});
