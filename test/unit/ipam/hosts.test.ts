import { describe, expect, it } from 'vitest';
import { IpamInputError, formatAddress, parseAddress, parsePrefix } from '../../../src/common/net/cidr.js';
import { HostIndex, nextFreeHost, reservedAddresses } from '../../../src/ipam/core/hosts.js';
import { rng } from './random.js';

const P = (t: string) => parsePrefix(t);
const A = (t: string) => parseAddress(t).value;
const roles = (m: Map<bigint, string>) => [...m].map(([v, role]) => `${formatAddress(4, v)} ${role}`);

describe('reservedAddresses', () => {
  it('IPv4 /24: network, broadcast, first host as gateway', () => {
    expect(roles(reservedAddresses(P('10.1.2.0/24')))).toEqual(['10.1.2.0 network', '10.1.2.255 broadcast', '10.1.2.1 gateway']);
  });

  it('IPv4 gateway can be the last host, a given address, or none', () => {
    expect(reservedAddresses(P('10.1.2.0/24'), { gateway: 'last' }).get(A('10.1.2.254'))).toBe('gateway');
    expect(reservedAddresses(P('10.1.2.0/24'), { gateway: A('10.1.2.100') }).get(A('10.1.2.100'))).toBe('gateway');
    expect(reservedAddresses(P('10.1.2.0/24'), { gateway: 'none' }).size).toBe(2);
  });

  it('refuses a gateway outside the prefix or on the network address', () => {
    expect(() => reservedAddresses(P('10.1.2.0/24'), { gateway: A('10.1.3.1') })).toThrow(IpamInputError);
    expect(() => reservedAddresses(P('10.1.2.0/24'), { gateway: A('10.1.2.0') })).toThrow(/network address/);
  });

  it('IPv4 /30 reserves network, broadcast and gateway; /31 and /32 reserve nothing (RFC 3021)', () => {
    expect(reservedAddresses(P('10.0.0.0/30')).size).toBe(3);
    expect(reservedAddresses(P('10.0.0.0/31')).size).toBe(0);
    expect(reservedAddresses(P('10.0.0.7/32')).size).toBe(0);
  });

  it('IPv6 reserves the subnet-router anycast and the gateway, except on /127 and /128', () => {
    const r = reservedAddresses(P('2001:db8:1:2::/64'));
    expect(r.get(A('2001:db8:1:2::'))).toBe('subnet-router-anycast');
    expect(r.get(A('2001:db8:1:2::1'))).toBe('gateway');
    expect(r.size).toBe(2);
    expect(reservedAddresses(P('2001:db8::/64'), { gateway: 'last' }).get(A('2001:db8::ffff:ffff:ffff:ffff'))).toBe('gateway');
    expect(reservedAddresses(P('2001:db8::/127')).size).toBe(0);
    expect(reservedAddresses(P('2001:db8::1/128')).size).toBe(0);
  });
});

describe('HostIndex', () => {
  it('hands out hosts from the second usable address, skipping used ones', () => {
    const h = new HostIndex(P('192.168.10.0/24'), [{ value: A('192.168.10.2') }, { value: A('192.168.10.4'), state: 'quarantined' }]);
    expect(h.next()?.text).toBe('192.168.10.3');
    h.add(A('192.168.10.3'));
    expect(h.next()?.text).toBe('192.168.10.5');
    h.remove(A('192.168.10.2'));
    expect(h.next()?.text).toBe('192.168.10.2');
  });

  it('without a gateway the first host is handed out', () => {
    expect(nextFreeHost(P('192.168.10.0/24'), [], { gateway: 'none' })?.text).toBe('192.168.10.1');
  });

  it('never hands out network or broadcast, and reports full', () => {
    const h = new HostIndex(P('10.0.0.0/29'));
    const got: string[] = [];
    for (let a = h.next(); a !== null; a = h.next()) {
      got.push(a.text);
      h.add(a.value);
    }
    expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    expect(h.usage()).toEqual({ total: 8n, reserved: 3n, allocated: 5n, quarantined: 0n, free: 0n });
  });

  it('/31 and /32: every address usable', () => {
    const h = new HostIndex(P('10.0.0.0/31'));
    expect(h.next()?.text).toBe('10.0.0.0');
    h.add(A('10.0.0.0'));
    expect(h.next()?.text).toBe('10.0.0.1');
    h.add(A('10.0.0.1'));
    expect(h.next()).toBeNull();
    expect(nextFreeHost(P('10.0.0.9/32'), [])?.text).toBe('10.0.0.9');
  });

  it('IPv6: skips the anycast and gateway, /127 and /128 use all', () => {
    expect(nextFreeHost(P('2001:db8:0:1::/64'), [])?.text).toBe('2001:db8:0:1::2');
    expect(nextFreeHost(P('2001:db8::/127'), [])?.text).toBe('2001:db8::');
    expect(nextFreeHost(P('2001:db8::/127'), [{ value: A('2001:db8::') }])?.text).toBe('2001:db8::1');
    expect(nextFreeHost(P('2001:db8::5/128'), [{ value: A('2001:db8::5') }])).toBeNull();
  });

  it('explains why an address cannot be assigned', () => {
    const h = new HostIndex(P('10.5.0.0/24'), [{ value: A('10.5.0.10') }, { value: A('10.5.0.11'), state: 'quarantined' }]);
    const reason = (t: string) => {
      const c = h.check(parseAddress(t));
      return c.ok ? 'ok' : c.reason;
    };
    expect(reason('10.5.0.0')).toBe('network');
    expect(reason('10.5.0.255')).toBe('broadcast');
    expect(reason('10.5.0.1')).toBe('gateway');
    expect(reason('10.5.0.10')).toBe('allocated');
    expect(reason('10.5.0.11')).toBe('quarantined');
    expect(reason('10.5.1.1')).toBe('outside-prefix');
    expect(reason('::1')).toBe('family-mismatch');
    expect(reason('10.5.0.12')).toBe('ok');
    expect(h.check(A('10.5.0.1'), { asGateway: true })).toEqual({ ok: true });
    const c = h.check(A('10.5.0.10'));
    expect(c.ok === false && c.detail).toBe('10.5.0.10 is already assigned');
    const v6 = new HostIndex(P('2001:db8::/64'));
    const any = v6.check(A('2001:db8::'));
    expect(any.ok === false && any.reason).toBe('subnet-router-anycast');
  });

  it('an explicitly assigned gateway stays taken', () => {
    const h = new HostIndex(P('10.5.0.0/24'));
    h.add(A('10.5.0.1'));
    const c = h.check(A('10.5.0.1'), { asGateway: true });
    expect(c.ok === false && c.reason).toBe('allocated');
    h.remove(A('10.5.0.1'));
    expect(h.check(A('10.5.0.1'), { asGateway: true }).ok).toBe(true);
    expect(h.next()?.text).toBe('10.5.0.2'); // still reserved for automatic assignment
  });

  it('refuses used addresses outside the prefix', () => {
    expect(() => new HostIndex(P('10.5.0.0/24'), [{ value: A('10.6.0.1') }])).toThrow(IpamInputError);
  });

  it('matches a linear scan on a randomly 90% used /20', () => {
    const r = rng(42);
    const prefix = P('172.16.0.0/20');
    const used = new Set<bigint>();
    const size = 4096;
    while (used.size < size * 0.9) used.add(prefix.network + BigInt(r.int(size)));
    const h = new HostIndex(
      prefix,
      [...used].map((value) => ({ value })),
    );
    for (let i = 0; i < 200; i++) {
      let expected: bigint | null = null;
      for (let off = 2n; off < BigInt(size - 1); off++) {
        if (!used.has(prefix.network + off)) {
          expected = prefix.network + off;
          break;
        }
      }
      expect(h.next()?.value ?? null).toBe(expected);
      if (expected === null) break;
      used.add(expected);
      h.add(expected);
      if (i % 3 === 0) {
        const drop = [...used][r.int(used.size)]!;
        used.delete(drop);
        h.remove(drop);
      }
    }
  });
});
