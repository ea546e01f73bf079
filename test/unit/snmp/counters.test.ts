import { describe, expect, it } from 'vitest';
import {
  advanceInterface,
  counterDelta,
  CounterDecodeError,
  decodeCounter32,
  decodeCounter64,
  encodeCounter64,
  uptimeStep,
  type InterfaceBaseline,
  type InterfaceReading,
  type UptimeStep,
} from '../../../src/snmp/counters.js';

const MAX64 = (1n << 64n) - 1n;

describe('decodeCounter64', () => {
  it('decodes variable-length big-endian buffers', () => {
    expect(decodeCounter64(Buffer.from([0]))).toBe(0n);
    expect(decodeCounter64(Buffer.from([0x01, 0x00]))).toBe(256n);
    expect(decodeCounter64(Buffer.from([0x12, 0x34, 0x56]))).toBe(0x123456n);
    expect(decodeCounter64(Buffer.from('0000000100000000', 'hex'))).toBe(1n << 32n);
  });

  it('handles the 9-byte form with a leading zero for values with the top bit set', () => {
    expect(decodeCounter64(Buffer.from('00ffffffffffffffff', 'hex'))).toBe(MAX64);
    expect(decodeCounter64(Buffer.from('008000000000000000', 'hex'))).toBe(1n << 63n);
    // some agents send 8 bytes with the top bit set and no sign byte: still unsigned
    expect(decodeCounter64(Buffer.from('ffffffffffffffff', 'hex'))).toBe(MAX64);
  });

  it('keeps precision beyond 2^53', () => {
    const n = (1n << 60n) + 12345n;
    expect(decodeCounter64(encodeCounter64(n))).toBe(n);
    expect(Number.isSafeInteger(Number(n))).toBe(false);
  });

  it('rejects buffers that cannot hold a 64-bit unsigned value', () => {
    expect(() => decodeCounter64(Buffer.alloc(0))).toThrow(CounterDecodeError);
    expect(() => decodeCounter64(Buffer.from('01ffffffffffffffff', 'hex'))).toThrow(CounterDecodeError);
    expect(() => decodeCounter64(Buffer.alloc(10))).toThrow(CounterDecodeError);
    expect(() => decodeCounter64('12')).toThrow(CounterDecodeError);
    expect(() => decodeCounter64(-1)).toThrow(CounterDecodeError);
    expect(() => decodeCounter64(1.5)).toThrow(CounterDecodeError);
  });

  it('accepts numbers and bigints', () => {
    expect(decodeCounter64(42)).toBe(42n);
    expect(decodeCounter64(7n)).toBe(7n);
    expect(() => decodeCounter64(1n << 64n)).toThrow(CounterDecodeError);
  });
});

describe('encodeCounter64', () => {
  it('is minimal BER content', () => {
    expect(encodeCounter64(0n)).toEqual(Buffer.from([0]));
    expect(encodeCounter64(0x7fn)).toEqual(Buffer.from([0x7f]));
    expect(encodeCounter64(0x80n)).toEqual(Buffer.from([0, 0x80]));
    expect(encodeCounter64(MAX64).length).toBe(9);
    expect(() => encodeCounter64(-1n)).toThrow(RangeError);
  });
});

describe('decodeCounter32', () => {
  it('accepts unsigned 32-bit integers only', () => {
    expect(decodeCounter32(4294967295)).toBe(4294967295n);
    expect(() => decodeCounter32(2 ** 32)).toThrow(CounterDecodeError);
    expect(() => decodeCounter32(-1)).toThrow(CounterDecodeError);
    expect(() => decodeCounter32(Buffer.from([1]))).toThrow(CounterDecodeError);
  });
});

describe('counterDelta', () => {
  it('is the plain difference without a wrap', () => {
    expect(counterDelta(100n, 350n, 32)).toBe(250n);
    expect(counterDelta(5n, 5n, 64)).toBe(0n);
  });
  it('wraps modulo 2^32', () => {
    expect(counterDelta(4294967000n, 704n, 32)).toBe(296n + 704n);
    expect(counterDelta(4294967295n, 0n, 32)).toBe(1n);
  });
  it('wraps modulo 2^64', () => {
    expect(counterDelta(MAX64 - 9n, 10n, 64)).toBe(20n);
    // a Counter32 wrap read as 64-bit would be a huge spike: the width matters
    expect(counterDelta(4294967290n, 10n, 64)).toBe(MAX64 - 4294967279n);
  });
});

describe('uptimeStep', () => {
  const t = (uptimeTicks: number, wallMs: number) => ({ uptimeTicks, wallMs });

  it('uses the agent clock, not the poller clock', () => {
    // poller woke 2 s late; the agent says 30 s passed
    expect(uptimeStep(t(1000, 0), t(4000, 32_000))).toEqual({ kind: 'advance', seconds: 30, wrapped: false });
  });

  it('sees a sysUpTime wrap at 2^32 ticks as time passing', () => {
    const prev = t(2 ** 32 - 1000, 0);
    const cur = t(2000, 30_000);
    expect(uptimeStep(prev, cur)).toEqual({ kind: 'advance', seconds: 30, wrapped: true });
  });

  it('sees sysUpTime going backwards otherwise as a reboot', () => {
    expect(uptimeStep(t(500_000, 0), t(1_000, 30_000))).toEqual({ kind: 'reboot' });
    // near the top, but the wrapped distance is far more than the wall time
    expect(uptimeStep(t(2 ** 32 - 10_000_000, 0), t(100, 30_000))).toEqual({ kind: 'reboot' });
  });

  it('sees a reboot when uptime advanced far less than wall time', () => {
    // poll gap of 1 h; device rebooted 10 min ago having been up 5 min before
    expect(uptimeStep(t(30_000, 0), t(60_000, 3_600_000))).toEqual({ kind: 'reboot' });
  });

  it('reports a stalled clock', () => {
    expect(uptimeStep(t(100, 0), t(100, 1_000))).toEqual({ kind: 'stalled' });
  });
});

const reading = (o: Partial<InterfaceReading> = {}): InterfaceReading => ({
  ifIndex: 1,
  identity: 'ge-0/0/1',
  octetBits: 64,
  speedBps: 1e9,
  inOctets: 0n,
  outOctets: 0n,
  inErrors: 0n,
  outErrors: 0n,
  inDiscards: 0n,
  outDiscards: 0n,
  ...o,
});
const adv = (seconds: number): UptimeStep => ({ kind: 'advance', seconds, wrapped: false });

function baselineOf(r: InterfaceReading): InterfaceBaseline {
  const s = advanceInterface(undefined, r, undefined);
  expect(s.discontinuity).toBe('first_sample');
  expect(s.rates).toBeUndefined();
  return s.baseline;
}

describe('advanceInterface', () => {
  it('divides each counter by the interval of the page that carried it, across a sysUpTime wrap', () => {
    const top = 2 ** 32 - 500;
    const b = baselineOf(reading({ inOctets: 0n, outOctets: 0n, inErrors: 0n, ticks: { inOctets: top, outOctets: top + 100, inErrors: top } }));
    // in: 30 s (wrapping 2^32 ticks); out: 29 s; errors: no tick on the new reading, so the device step (40 s)
    const cur = reading({ inOctets: 125_000n * 30n, outOctets: 250n * 29n, inErrors: 80n, ticks: { inOctets: 2500, outOctets: 2500 } });
    const s = advanceInterface(b, cur, adv(40));
    expect(s.rates).toMatchObject({ inBps: 1_000_000, outBps: 2_000, inErrorsPerSec: 2 });
    // the same ticks on both readings (no clock movement for that counter): the device step again
    const same = advanceInterface(b, reading({ inOctets: 125_000n * 40n, ticks: { inOctets: top } }), adv(40));
    expect(same.rates?.inBps).toBe(1_000_000);
  });

  it('computes bits per second and per-second errors over the agent interval', () => {
    const b = baselineOf(reading({ inOctets: 1000n, outOctets: 2000n, inErrors: 5n }));
    const s = advanceInterface(b, reading({ inOctets: 1000n + 125_000n * 10n, outOctets: 2000n + 250n * 10n, inErrors: 25n, outDiscards: 3n }), adv(10));
    expect(s.rates).toEqual({ inBps: 1_000_000, outBps: 2_000, inErrorsPerSec: 2, outErrorsPerSec: 0, inDiscardsPerSec: 0, outDiscardsPerSec: 0.3 });
    expect(s.baseline.totals).toMatchObject({ inOctets: 1_250_000n, outOctets: 2_500n, inErrors: 20n, outDiscards: 3n });
    expect(s.discontinuity).toBeUndefined();
  });

  it('gives the right rate across a Counter32 wrap and keeps totals monotonic', () => {
    const speed = 100e6;
    const b = baselineOf(reading({ octetBits: 32, speedBps: speed, inOctets: 4_294_000_000n }));
    // 10 s at 80 Mb/s = 100,000,000 bytes, wrapping 2^32 once
    const cur = (4_294_000_000n + 100_000_000n) % (1n << 32n);
    const s = advanceInterface(b, reading({ octetBits: 32, speedBps: speed, inOctets: cur }), adv(10));
    expect(s.rates?.inBps).toBe(80e6);
    expect(s.baseline.totals.inOctets).toBe(100_000_000n);
  });

  it('re-baselines on reboot: no rate, no spike, totals kept', () => {
    let b = baselineOf(reading({ inOctets: 10n ** 12n }));
    b = advanceInterface(b, reading({ inOctets: 10n ** 12n + 1000n }), adv(1)).baseline;
    const s = advanceInterface(b, reading({ inOctets: 50n }), { kind: 'reboot' });
    expect(s).toMatchObject({ discontinuity: 'reboot' });
    expect(s.rates).toBeUndefined();
    expect(s.baseline.totals.inOctets).toBe(1000n);
    const after = advanceInterface(s.baseline, reading({ inOctets: 150n }), adv(1));
    expect(after.rates?.inBps).toBe(800);
    expect(after.baseline.totals.inOctets).toBe(1100n);
  });

  it('re-baselines when ifCounterDiscontinuityTime changes', () => {
    const b = baselineOf(reading({ discontinuityTime: 0, inOctets: 900n }));
    const s = advanceInterface(b, reading({ discontinuityTime: 5000, inOctets: 100n }), adv(30));
    expect(s.discontinuity).toBe('discontinuity_time');
    expect(s.rates).toBeUndefined();
    // unchanged discontinuity time: normal rate
    expect(advanceInterface(s.baseline, reading({ discontinuityTime: 5000, inOctets: 400n }), adv(30)).rates?.inBps).toBe(80);
  });

  it('re-baselines when the ifIndex names another interface', () => {
    const b = baselineOf(reading({ identity: 'Gi1/0/1', inOctets: 10n }));
    const s = advanceInterface(b, reading({ identity: 'Gi1/0/2', inOctets: 5_000_000n }), adv(1));
    expect(s.discontinuity).toBe('interface_changed');
    expect(s.baseline.totals.inOctets).toBe(0n);
  });

  it('re-baselines on a switch between 32- and 64-bit counters', () => {
    const b = baselineOf(reading({ octetBits: 32, inOctets: 10n }));
    const s = advanceInterface(b, reading({ octetBits: 64, inOctets: 1n << 40n }), adv(1));
    expect(s.discontinuity).toBe('counter_width_changed');
    expect(s.rates).toBeUndefined();
  });

  it('rejects a rate more than 10% above the interface speed, and continues from the new value', () => {
    const b = baselineOf(reading({ speedBps: 10e6 }));
    // 1.2 MB in 1 s = 9.6 Mb/s on a 10 Mb/s port: accepted
    const ok = advanceInterface(b, reading({ speedBps: 10e6, inOctets: 1_200_000n }), adv(1));
    expect(ok.rates?.inBps).toBe(9.6e6);
    // 1.5 MB in 1 s = 12 Mb/s: impossible
    const bad = advanceInterface(ok.baseline, reading({ speedBps: 10e6, inOctets: 2_700_000n }), adv(1));
    expect(bad.rejected).toBe('above_speed');
    expect(bad.rates).toBeUndefined();
    expect(bad.baseline.totals.inOctets).toBe(1_200_000n);
    const next = advanceInterface(bad.baseline, reading({ speedBps: 10e6, inOctets: 2_800_000n }), adv(1));
    expect(next.rates?.inBps).toBe(800_000);
  });

  it('applies no cap when the speed is unknown', () => {
    const b = baselineOf(reading({ speedBps: 0 }));
    expect(advanceInterface(b, reading({ speedBps: 0, inOctets: 10n ** 12n }), adv(1)).rates?.inBps).toBe(8e12);
  });

  it('keeps the old baseline when the agent clock did not move', () => {
    const b = baselineOf(reading({ inOctets: 10n }));
    const s = advanceInterface(b, reading({ inOctets: 10n }), { kind: 'stalled' });
    expect(s.baseline).toBe(b);
    expect(s.rates).toBeUndefined();
  });

  it('handles a Counter64 wrap', () => {
    const b = baselineOf(reading({ inOctets: MAX64 - 99n }));
    const s = advanceInterface(b, reading({ inOctets: 100n }), adv(1));
    expect(s.rates?.inBps).toBe(1600);
  });
});
