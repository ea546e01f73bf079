/**
 * Counter and rate math for SNMP interface counters (pure, no I/O).
 *
 * Rates use the agent's own clock (sysUpTime) so polling jitter does not distort them.
 * Every discontinuity re-baselines and emits no rate; deltas are accumulated into
 * monotonic totals so an exported `_total` counter never goes backwards, whatever the
 * agent's counters do (wraps, reboots, counter resets).
 */

export type CounterBits = 32 | 64;

const MOD32 = 1n << 32n;
const MOD64 = 1n << 64n;
/** sysUpTime is TimeTicks (1/100 s), wrapping at 2^32 ticks (about 497 days). */
export const TICKS_MOD = 2 ** 32;

export class CounterDecodeError extends Error {}

/**
 * Decode a Counter64 as net-snmp hands it over: the raw content octets of a BER INTEGER,
 * 1 to 8 bytes, or 9 with a leading zero byte when the top bit is set. Agents do not
 * always send 8 bytes, so the length is not assumed.
 */
export function decodeCounter64(value: unknown): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value >= MOD64) throw new CounterDecodeError(`Counter64 out of range: ${value}`);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new CounterDecodeError(`Counter64 not an unsigned integer: ${value}`);
    return BigInt(value);
  }
  if (!Buffer.isBuffer(value)) throw new CounterDecodeError(`Counter64 of unexpected type ${typeof value}`);
  if (value.length === 0) throw new CounterDecodeError('Counter64 of zero length');
  if (value.length > 9 || (value.length === 9 && value[0] !== 0)) {
    throw new CounterDecodeError(`Counter64 of ${value.length} bytes exceeds 64 bits`);
  }
  let n = 0n;
  for (const byte of value) n = (n << 8n) | BigInt(byte);
  return n;
}

/** Decode a Counter32 (net-snmp gives a number). */
export function decodeCounter32(value: unknown): bigint {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
    throw new CounterDecodeError(`Counter32 not an unsigned 32-bit integer: ${String(value)}`);
  }
  return BigInt(value);
}

/** Encode a Counter64 as minimal BER INTEGER content octets (what a conformant agent sends). */
export function encodeCounter64(n: bigint): Buffer {
  if (n < 0n || n >= MOD64) throw new RangeError(`Counter64 out of range: ${n}`);
  const hex = n.toString(16);
  let buf = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if ((buf[0] ?? 0) & 0x80) buf = Buffer.concat([Buffer.from([0]), buf]);
  return buf;
}

/** (cur - prev) mod 2^bits: a counter that wrapped once between two reads. */
export function counterDelta(prev: bigint, cur: bigint, bits: CounterBits): bigint {
  const mod = bits === 32 ? MOD32 : MOD64;
  return (((cur - prev) % mod) + mod) % mod;
}

/** One read of the agent's clock, with the poller's clock at that moment for sanity checks. */
export interface DeviceTime {
  uptimeTicks: number;
  wallMs: number;
}

export type UptimeStep = { kind: 'advance'; seconds: number; wrapped: boolean } | { kind: 'stalled' } | { kind: 'reboot' };

/**
 * How the agent's clock moved between two polls. sysUpTime going backwards is a wrap only
 * when the wrapped distance matches the time that passed on the poller's clock; otherwise the
 * agent restarted. It is also a restart when sysUpTime advanced much less than wall time
 * (the agent rebooted and has since been up longer than its previous uptime).
 */
export function uptimeStep(prev: DeviceTime, cur: DeviceTime, slack = { ratio: 0.2, ms: 5_000 }): UptimeStep {
  const wallMs = Math.max(0, cur.wallMs - prev.wallMs);
  const tolerance = wallMs * slack.ratio + slack.ms;
  const ticks = (((cur.uptimeTicks - prev.uptimeTicks) % TICKS_MOD) + TICKS_MOD) % TICKS_MOD;
  const agentMs = ticks * 10;
  const wrapped = cur.uptimeTicks < prev.uptimeTicks;
  if (wrapped && agentMs > wallMs + tolerance) return { kind: 'reboot' };
  if (agentMs < wallMs - tolerance) return { kind: 'reboot' };
  if (ticks === 0) return { kind: 'stalled' };
  return { kind: 'advance', seconds: ticks / 100, wrapped };
}

/** One interface as read in one poll, already decoded. */
export interface InterfaceReading {
  ifIndex: number;
  /** ifName, else ifDescr: when it changes for the same ifIndex, it is another interface. */
  identity: string;
  /** ifCounterDiscontinuityTime (TimeTicks), when the agent has it. */
  discontinuityTime?: number | undefined;
  /** Interface speed in bits/s (ifHighSpeed * 1e6, else ifSpeed); 0 or undefined = unknown. */
  speedBps?: number | undefined;
  /** Width of the octet counters read: 64 (ifHCIn/OutOctets) or 32 (ifIn/OutOctets). */
  octetBits: CounterBits;
  inOctets: bigint;
  outOctets: bigint;
  /** Counter32 error and discard counters (ifTable); undefined when the agent did not answer them. */
  inErrors?: bigint | undefined;
  outErrors?: bigint | undefined;
  inDiscards?: bigint | undefined;
  outDiscards?: bigint | undefined;
  /**
   * The agent's sysUpTime (ticks) read in the same request as each counter. Counters of one
   * interface can arrive in different GETBULK pages; each delta is divided by its own interval.
   */
  ticks?: Partial<Record<TotalKey, number>> | undefined;
}

export const TOTAL_KEYS = ['inOctets', 'outOctets', 'inErrors', 'outErrors', 'inDiscards', 'outDiscards'] as const;
export type TotalKey = (typeof TOTAL_KEYS)[number];
export type Totals = Record<TotalKey, bigint>;

export const zeroTotals = (): Totals => ({ inOctets: 0n, outOctets: 0n, inErrors: 0n, outErrors: 0n, inDiscards: 0n, outDiscards: 0n });

/** What is kept between polls for one interface. */
export interface InterfaceBaseline {
  reading: InterfaceReading;
  /** Monotonic sums of accepted deltas since the poller first saw the interface. */
  totals: Totals;
}

export interface InterfaceRates {
  inBps: number;
  outBps: number;
  inErrorsPerSec?: number | undefined;
  outErrorsPerSec?: number | undefined;
  inDiscardsPerSec?: number | undefined;
  outDiscardsPerSec?: number | undefined;
}

export type DiscontinuityReason = 'first_sample' | 'reboot' | 'discontinuity_time' | 'interface_changed' | 'counter_width_changed';
export type RejectReason = 'above_speed';

export interface InterfaceStep {
  baseline: InterfaceBaseline;
  rates?: InterfaceRates;
  /** Set when the sample re-baselined (no rate). */
  discontinuity?: DiscontinuityReason;
  /** Set when the sample was rejected as impossible (no rate, no totals). */
  rejected?: RejectReason;
}

/** Above this many times the interface speed a rate is impossible (10% margin for framing and timing). */
export const SPEED_MARGIN = 1.1;

/**
 * Advance one interface by one poll. `step` is the device's uptime step for this poll
 * (undefined on the first poll). A `stalled` uptime keeps the old baseline and emits no rate.
 * Rates divide by the per-counter interval of `ticks` when both readings carry it, else by `step`.
 */
export function advanceInterface(prev: InterfaceBaseline | undefined, cur: InterfaceReading, step: UptimeStep | undefined): InterfaceStep {
  if (!prev || !step) return { baseline: { reading: cur, totals: prev?.totals ?? zeroTotals() }, discontinuity: 'first_sample' };
  const rebase = (discontinuity: DiscontinuityReason): InterfaceStep => ({ baseline: { reading: cur, totals: prev.totals }, discontinuity });
  if (step.kind === 'reboot') return rebase('reboot');
  if (step.kind === 'stalled') return { baseline: prev };
  const p = prev.reading;
  if (p.identity !== cur.identity) return rebase('interface_changed');
  if (p.octetBits !== cur.octetBits) return rebase('counter_width_changed');
  if (p.discontinuityTime !== undefined && cur.discontinuityTime !== undefined && p.discontinuityTime !== cur.discontinuityTime) {
    return rebase('discontinuity_time');
  }

  const dt = (key: TotalKey): number => {
    const a = p.ticks?.[key];
    const b = cur.ticks?.[key];
    if (a === undefined || b === undefined) return step.seconds;
    const ticks = (((b - a) % TICKS_MOD) + TICKS_MOD) % TICKS_MOD;
    return ticks > 0 ? ticks / 100 : step.seconds;
  };
  const dIn = counterDelta(p.inOctets, cur.inOctets, cur.octetBits);
  const dOut = counterDelta(p.outOctets, cur.outOctets, cur.octetBits);
  const inBps = (Number(dIn) * 8) / dt('inOctets');
  const outBps = (Number(dOut) * 8) / dt('outOctets');
  const speed = cur.speedBps ?? 0;
  if (speed > 0 && Math.max(inBps, outBps) > speed * SPEED_MARGIN) {
    return { baseline: { reading: cur, totals: prev.totals }, rejected: 'above_speed' };
  }

  const totals: Totals = { ...prev.totals, inOctets: prev.totals.inOctets + dIn, outOctets: prev.totals.outOctets + dOut };
  const rates: InterfaceRates = { inBps, outBps };
  const small = (key: 'inErrors' | 'outErrors' | 'inDiscards' | 'outDiscards', rateKey: keyof InterfaceRates): void => {
    const a = p[key];
    const b = cur[key];
    if (a === undefined || b === undefined) return;
    const d = counterDelta(a, b, 32);
    totals[key] = prev.totals[key] + d;
    rates[rateKey] = Number(d) / dt(key);
  };
  small('inErrors', 'inErrorsPerSec');
  small('outErrors', 'outErrorsPerSec');
  small('inDiscards', 'inDiscardsPerSec');
  small('outDiscards', 'outDiscardsPerSec');
  return { baseline: { reading: cur, totals }, rates };
}
