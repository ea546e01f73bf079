import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { DevicePollWire, pollFromWire, pollToWire, ProtocolError } from '../../../src/agents/protocol.js';
import type { DevicePoll } from '../../../src/snmp/reader.js';

const poll: DevicePoll = {
  deviceId: 'dinkes-sw01',
  wallMs: 1_700_000_000_000,
  durationSeconds: 0.05,
  state: 'degraded',
  reason: 'lldp: timeout: no answer',
  errors: ['timeout'],
  sysName: 'sw01\u0007',
  time: { uptimeTicks: 4_294_967_295, wallMs: 1_700_000_000_010 },
  hasIfXTable: true,
  interfaces: [
    {
      ifIndex: 1,
      name: 'Gi0/1',
      descr: 'GigabitEthernet0/1',
      alias: 'uplink\u001b[31m',
      operStatus: 1,
      adminStatus: 1,
      speedBps: 1e9,
      wrongType: false,
      reading: {
        ifIndex: 1,
        identity: 'Gi0/1',
        octetBits: 64,
        inOctets: (1n << 64n) - 1n,
        outOctets: 0n,
        inErrors: 4_294_967_295n,
        speedBps: 1e9,
        ticks: { inOctets: 5, inErrors: 6 },
      },
    },
    { ifIndex: 2, name: '2', descr: '2', alias: '', wrongType: true },
  ],
  neighbors: [
    {
      localPortNum: 1,
      ifIndex: 1,
      ifName: 'Gi0/1',
      remIndex: 3,
      timeMark: 0,
      chassisIdSubtype: 4,
      chassisId: '00:11:22:33:44:55',
      portIdSubtype: 5,
      portId: 'ether1',
      sysName: 'rtr',
    },
  ],
};

describe('the agent wire codec', () => {
  it('round-trips a poll through JSON: bigints as decimal strings, nothing lost', () => {
    const wire = JSON.parse(JSON.stringify(pollToWire(poll)));
    expect(Value.Check(DevicePollWire, wire)).toBe(true);
    expect(wire.interfaces[0].reading.inOctets).toBe('18446744073709551615');
    const back = pollFromWire(wire);
    expect(back.interfaces?.[0]?.reading?.inOctets).toBe((1n << 64n) - 1n);
    expect(back.interfaces?.[0]?.reading?.inErrors).toBe(4_294_967_295n);
    expect(back.interfaces?.[0]?.reading?.ifIndex).toBe(1);
    expect(back.interfaces?.[1]).toEqual({ ifIndex: 2, name: '2', descr: '2', alias: '', wrongType: true });
    expect(back.time).toEqual(poll.time);
    expect(back.neighbors).toEqual(poll.neighbors);
  });

  it('replaces control characters a device sent and cuts over-long text, so the controller does not refuse the batch', () => {
    const wire = pollToWire(poll);
    expect(wire.sysName).toBe('sw01\ufffd');
    expect(wire.interfaces?.[0]?.alias).toBe('uplink\ufffd[31m');
    // the controller refuses them when they arrive anyway
    expect(Value.Check(DevicePollWire, { ...wire, sysName: 'a\u0000b' })).toBe(false);
    // and text longer than it accepts is cut, so one odd device cannot block the agent's queue
    const long = pollToWire({ ...poll, sysName: 'x'.repeat(300), reason: 'y'.repeat(5000) });
    expect(Value.Check(DevicePollWire, long)).toBe(true);
    expect([long.sysName?.length, long.reason?.length]).toEqual([255, 2048]);
  });

  it('refuses a counter wider than its width, naming the field', () => {
    const wire = pollToWire(poll);
    const r = wire.interfaces![0]!.reading!;
    expect(() => pollFromWire({ ...wire, interfaces: [{ ...wire.interfaces![0]!, reading: { ...r, inOctets: '18446744073709551616' } }] })).toThrow(
      ProtocolError,
    );
    try {
      pollFromWire({ ...wire, interfaces: [{ ...wire.interfaces![0]!, reading: { ...r, inErrors: '4294967296' } }] });
      expect.unreachable();
    } catch (e) {
      expect((e as ProtocolError).field).toBe('polls.interfaces.0.reading.inErrors');
    }
  });
});
