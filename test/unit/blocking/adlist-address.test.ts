import { describe, expect, it } from 'vitest';
import { addressAllowed } from '../../../src/blocking/adlist-routes.js';
import { mismatches, parseVersion } from '../../../src/routeros/reconciler.js';
import type { Device } from '../../../src/inventory/model.js';

describe("who may fetch a router's list", () => {
  it("the router's own address, an IPv4-mapped form of it, and the configured ranges only", () => {
    expect(addressAllowed('10.255.10.1', '10.255.10.1', [])).toBe(true);
    expect(addressAllowed('::ffff:10.255.10.1', '10.255.10.1', [])).toBe(true);
    expect(addressAllowed('10.255.10.2', '10.255.10.1', [])).toBe(false);
    expect(addressAllowed('192.0.2.9', '10.255.10.1', ['192.0.2.0/28'])).toBe(true);
    expect(addressAllowed('192.0.2.17', '10.255.10.1', ['192.0.2.0/28'])).toBe(false);
    expect(addressAllowed('2001:db8::5', null, ['2001:db8::/64'])).toBe(true);
    expect(addressAllowed('2001:db8:1::5', null, ['2001:db8::/64'])).toBe(false);
    expect(addressAllowed('not an address', '10.255.10.1', ['0.0.0.0/0'])).toBe(false);
  });
});

describe('what the router says of itself', () => {
  const d = { id: 'r', model: 'RB5009UG+S+IN', routeros: { credentials: 'c', version: '7.16.2' } } as Device;
  it('reads the version RouterOS prints and reports each field the inventory gets wrong', () => {
    expect(parseVersion('7.18.2 (stable)')).toBe('7.18.2');
    expect(parseVersion('6.49.17 (long-term)')).toBe('6.49.17');
    expect(parseVersion('garbage')).toBeNull();
    expect(mismatches(d, { version: '7.16.2', board: 'RB5009UG+S+IN' })).toEqual([]);
    expect(mismatches(d, { version: '7.4', board: 'hAP ac2' })).toEqual([
      { field: 'version', inventory: '7.16.2', router: '7.4' },
      { field: 'model', inventory: 'RB5009UG+S+IN', router: 'hAP ac2' },
    ]);
  });
});
