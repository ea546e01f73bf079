import { describe, expect, it } from 'vitest';
import { SimDeviceModel } from '../../../src/lab/snmp/model.js';

describe('SimDeviceModel', () => {
  const mk = () => new SimDeviceModel([{ ifIndex: 1, name: 'p1', speedMbps: 100, inBps: 8000, outBps: 800, errorsPerSec: 1 }], 0);

  it('advances counters by the traffic profile and uptime in ticks', () => {
    const m = mk();
    expect(m.octets(1, 'in', 10_000)).toBe(10_000n);
    expect(m.octets(1, 'out', 10_000)).toBe(1_000n);
    expect(m.errors(1, 10_000)).toBe(10n);
    expect(m.uptimeTicks(10_000)).toBe(1000);
  });

  it('keeps what was counted when the profile changes, and a down port carries nothing', () => {
    const m = mk();
    m.setPort(1, { inBps: 16_000 }, 10_000);
    expect(m.octets(1, 'in', 20_000)).toBe(30_000n);
    m.setPort(1, { operUp: false }, 20_000);
    expect(m.octets(1, 'in', 30_000)).toBe(30_000n);
  });

  it('reboots: uptime and counters from zero', () => {
    const m = mk();
    m.reboot(50_000);
    expect(m.uptimeTicks(51_000)).toBe(100);
    expect(m.octets(1, 'in', 51_000)).toBe(1_000n);
  });

  it('moves ifCounterDiscontinuityTime on a counter reset', () => {
    const m = mk();
    m.resetCounters(1, 7_000);
    expect(m.port(1)?.discontinuityTicks).toBe(700);
    expect(m.octets(1, 'in', 8_000)).toBe(1_000n);
  });

  it('wraps sysUpTime at 2^32 ticks', () => {
    const m = new SimDeviceModel([], 0, 2 ** 32 - 10);
    expect(m.uptimeTicks(200)).toBe(10);
  });

  it('refuses a negative counter start', () => {
    expect(() => new SimDeviceModel([{ ifIndex: 1, name: 'x', speedMbps: 1, startOctets: -1n }], 0)).toThrow(RangeError);
  });
});
