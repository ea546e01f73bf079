import { describe, expect, it } from 'vitest';
import {
  durationSeconds,
  formatDuration,
  InvalidDesiredStateError,
  normalizeEntry,
  validateDesired,
  type DesiredState,
} from '../../../src/routeros/desired.js';
import { plan, type ActualState } from '../../../src/routeros/plan.js';

const AL = '/ip/firewall/address-list';
const issues = (d: DesiredState) => validateDesired(d).map((i) => `${i.index}:${i.field ?? ''}:${i.message}`);

describe('validation', () => {
  it('accepts what Simpul generates', () => {
    expect(
      issues({
        menus: {
          [AL]: [
            { list: 'blocked', address: '10.0.0.0/8', comment: 'simpul:a' },
            { list: 'blocked', address: '192.0.2.1', comment: 'simpul:a' },
            { list: 'blocked', address: '192.0.2.10-192.0.2.20', comment: 'simpul:a' },
            { list: 'blocked', address: '2001:db8::/32', comment: 'simpul:a' },
            { list: 'blocked', address: 'judi.example.com', comment: 'simpul:a' },
            { list: 'blocked', address: '*.judi.example', comment: 'simpul:a' },
          ],
          '/ip/firewall/nat': [
            {
              chain: 'dstnat',
              action: 'dst-nat',
              'dst-address': '203.0.113.5',
              'dst-port': '80,443',
              'to-addresses': '10.0.0.5',
              'to-ports': '8080-8081',
              comment: 'simpul:n',
            },
          ],
          '/ip/dns/static': [{ name: 'a.example', type: 'AAAA', address: '2001:db8::1', ttl: '1h30m', comment: 'simpul:d' }],
        },
      }),
    ).toEqual([]);
  });

  it('names each malformed value before anything is planned', () => {
    const d: DesiredState = {
      menus: {
        [AL]: [
          { list: 'blocked', address: '10.0.0.300', comment: 'simpul:a' },
          { list: 'blocked', address: '10.0.0.1/24', comment: 'simpul:a' },
          { list: 'bad list', address: '10.0.0.1', comment: 'simpul:a' },
          { list: 'blocked', address: '10.0.0.9', comment: 'no prefix' },
          { list: 'blocked', address: '10.0.0.9/32', comment: 'simpul:dup' },
          { list: 'blocked', address: '10.0.0.7', colour: 'red', comment: 'simpul:a' },
        ],
        '/ip/route': [{ 'dst-address': '10.1.0.0/16', gateway: '10.0.0.1', distance: '0', comment: 'simpul:r' }],
        '/ip/firewall/filter': [{ chain: 'forward', action: 'jump', comment: 'simpul:f' }],
        '/ip/dns/static': [{ name: 'a.example', address: '2001:db8::1', ttl: 'soon', comment: 'simpul:d\n' }],
      },
    };
    const found = issues(d);
    expect(found).toEqual([
      '0:address:"10.0.0.300" is not an address, network, range or domain name',
      '1:address:"10.0.0.1/24" is not an address, network, range or domain name',
      '2:list:"bad list" is not a valid name (letters, digits and . : @ + - _, at most 63)',
      '3:comment:comment must start with "simpul:"',
      '4::duplicates entry 3 (blocked 10.0.0.9)',
      '5:colour:unknown field colour',
      '0:distance:distance must be 1..255, not "0"',
      '0:action:action jump needs jump-target',
      '0:address:"2001:db8::1" is not an IPv4 address',
      '0:ttl:"soon" is not a duration',
      '0:comment:value has control characters or is too long',
    ]);
    expect(() => plan(d, {})).toThrow(InvalidDesiredStateError);
  });
});

describe('IPv6 firewall menus', () => {
  const AL6 = '/ipv6/firewall/address-list';
  const F6 = '/ipv6/firewall/filter';

  it('accepts IPv6 addresses and prefixes, a drop rule and IPv6 rule addresses', () => {
    expect(
      issues({
        menus: {
          [AL6]: [
            { list: 'blocked', address: '2001:db8::/32', comment: 'simpul:a' },
            { list: 'blocked', address: '2001:db8:ffff::7', comment: 'simpul:a' },
            { list: 'blocked', address: '::ffff:0:0/96', comment: 'simpul:a' },
            { list: 'blocked', address: '::/0', comment: 'simpul:a' },
          ],
          [F6]: [
            { chain: 'forward', action: 'drop', 'dst-address-list': 'blocked', comment: 'simpul:f drop' },
            { chain: 'forward', action: 'drop', 'src-address': '!fd00::/8', 'dst-address': '2001:db8::1', comment: 'simpul:f other' },
          ],
        },
        placement: { [F6]: { at: 'before', match: { action: 'accept' } } },
      }),
    ).toEqual([]);
  });

  it('refuses IPv4, host bits set, ranges and names in IPv6 menus', () => {
    expect(
      issues({
        menus: {
          [AL6]: [
            { list: 'blocked', address: '192.0.2.1', comment: 'simpul:a' },
            { list: 'blocked', address: '2001:db8::1/32', comment: 'simpul:a' },
            { list: 'blocked', address: '2001:db8::1-2001:db8::9', comment: 'simpul:a' },
            { list: 'blocked', address: 'judi.example', comment: 'simpul:a' },
            { list: 'blocked', address: '2001:db8::/129', comment: 'simpul:a' },
            { list: 'blocked', address: '2001:db8::1/128', comment: 'simpul:a' },
            { list: 'blocked', address: '2001:db8::1', comment: 'simpul:a' },
          ],
          [F6]: [{ chain: 'forward', action: 'drop', 'dst-address': '10.0.0.0/8', comment: 'simpul:f' }],
        },
      }),
    ).toEqual([
      '0:address:"192.0.2.1" is not an IPv6 address or network address with prefix length',
      '1:address:"2001:db8::1/32" is not an IPv6 address or network address with prefix length',
      '2:address:"2001:db8::1-2001:db8::9" is not an IPv6 address or network address with prefix length',
      '3:address:"judi.example" is not an IPv6 address or network address with prefix length',
      '4:address:"2001:db8::/129" is not an IPv6 address or network address with prefix length',
      '6::duplicates entry 5 (blocked 2001:db8::1)',
      '0:dst-address:"10.0.0.0/8" is not an IPv6 address or network address with prefix length',
    ]);
  });

  it('keys the address list by list and address, /128 printed bare; the filter by comment, in order', () => {
    expect(normalizeEntry(AL6, { list: 'x', address: '2001:db8::7/128', comment: 'simpul:a' })).toEqual({
      list: 'x',
      address: '2001:db8::7',
      disabled: 'false',
      comment: 'simpul:a',
    });
    const desired: DesiredState = {
      menus: {
        [AL6]: [{ list: 'x', address: '2001:db8::7', comment: 'simpul:a' }],
        [F6]: [{ chain: 'forward', action: 'drop', 'dst-address-list': 'x', comment: 'simpul:f drop' }],
      },
      placement: { [F6]: { at: 'before', match: { action: 'accept' } } },
    };
    // a router printing the /128 and a rule already before the accept rule: nothing to do
    const drop = { '.id': '*2', chain: 'forward', action: 'drop', 'dst-address-list': 'x', comment: 'simpul:f drop' };
    const accept = { '.id': '*3', chain: 'forward', action: 'accept', comment: 'defconf' };
    const actual: ActualState = {
      [AL6]: [{ '.id': '*1', list: 'x', address: '2001:db8::7/128', disabled: 'false', comment: 'simpul:a' }],
      [F6]: [drop, accept],
    };
    expect(plan(desired, actual)).toEqual([]);
    expect(plan(desired, { ...actual, [F6]: [accept, drop] })).toMatchObject([{ op: 'move', menu: F6, target: { id: '*2' }, before: { id: '*3' } }]);
  });
});

describe('normalisation', () => {
  it('writes values the way RouterOS prints them back', () => {
    expect(normalizeEntry(AL, { list: 'x', address: '10.0.0.1/32', disabled: 'no', comment: 'simpul:a' })).toEqual({
      list: 'x',
      address: '10.0.0.1',
      disabled: 'false',
      comment: 'simpul:a',
    });
    expect(normalizeEntry('/ip/route', { 'dst-address': '10.0.0.1', gateway: 'ether1' })).toMatchObject({
      'dst-address': '10.0.0.1/32',
      'routing-table': 'main',
      distance: '1',
    });
    expect(normalizeEntry('/ip/dns/static', { name: 'a.example', ttl: '90000' }).ttl).toBe('1d1h');
  });

  it('parses and formats RouterOS durations', () => {
    expect(durationSeconds('1w2d')).toBe(777600);
    expect(durationSeconds('00:05:00')).toBe(300);
    expect(durationSeconds('')).toBeUndefined();
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(5430)).toBe('1h30m30s');
  });
});
