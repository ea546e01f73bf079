import { describe, expect, it } from 'vitest';
import { interfaceForLabel, normalizeInterface, portExists, samePort } from '../../../src/labels/interfaces.js';

describe('interface names', () => {
  it.each([
    ['GigabitEthernet1/0/24', 'Gi1/0/24'],
    ['Gi1-0-24', 'gi1/0/24'],
    ['GigabitEthernet 1/0/24', 'Gig1/0/24'],
    ['FastEthernet0/1', 'Fa0/1'],
    ['TenGigabitEthernet1/1/1', 'Te1/1/1'],
    ['Port-channel1', 'Po1'],
    ['ether5', 'ETHER5'],
    ['sfp-sfpplus1', 'SFP-SFPPLUS1'],
    ['24', '024'],
    ['Port 24', '24'],
  ])('%s = %s', (a, b) => {
    expect(normalizeInterface(a)).toBe(normalizeInterface(b));
    expect(samePort(a, b)).toBe(true);
  });

  it.each([
    ['Gi1/0/24', 'Gi1/0/23'],
    ['Gi1/0/24', 'Fa1/0/24'],
    ['ether5', 'ether50'],
    ['sfp-sfpplus1', 'sfp-sfpplus2'],
    ['ether5', 'wifi5'],
    ['5', '6'],
  ])('%s != %s', (a, b) => expect(samePort(a, b)).toBe(false));

  it('a bare number matches a named port ending in it (same device)', () => {
    expect(samePort('5', 'ether5')).toBe(true);
    expect(samePort('Gi1/0/5', '5')).toBe(true);
  });

  it('writes names for labels without slashes', () => {
    expect(interfaceForLabel('Gi1/0/24')).toBe('Gi1-0-24');
  });

  it('checks a port against a port count or an interface list', () => {
    expect(portExists('24', { ports: 24 })).toBe(true);
    expect(portExists('25', { ports: 24 })).toBe(false);
    expect(portExists('0', { ports: 24 })).toBe(false);
    expect(portExists('ether5', { interfaces: ['ether1', 'ether5'] })).toBe(true);
    expect(portExists('ether9', { interfaces: ['ether1', 'ether5'] })).toBe(false);
    expect(portExists('Gi1-0-2', { interfaces: ['GigabitEthernet1/0/2'] })).toBe(true);
    expect(portExists('1', {})).toBeUndefined();
  });
});
