/**
 * State of a simulated switch or router, as a function of time (pure; the agent in
 * `switch.ts` reads it on every request). Counters advance by each port's traffic profile.
 */

export interface SimPortConfig {
  ifIndex: number;
  name: string;
  descr?: string;
  alias?: string;
  /** Port speed in Mb/s (ifHighSpeed; ifSpeed is derived and capped at 2^32-1). */
  speedMbps: number;
  /** Traffic profile: bits per second received and transmitted. */
  inBps?: number;
  outBps?: number;
  errorsPerSec?: number;
  discardsPerSec?: number;
  operUp?: boolean;
  adminUp?: boolean;
  /** Octet counter value at boot, e.g. near 2^32 so a Counter32 wraps quickly. */
  startOctets?: bigint;
  mac?: string;
}

interface Track {
  base: bigint;
  baseMs: number;
  perSec: number;
}

export interface SimPortState {
  cfg: Required<Omit<SimPortConfig, 'startOctets'>> & { startOctets: bigint };
  inOctets: Track;
  outOctets: Track;
  errors: Track;
  discards: Track;
  /** sysUpTime ticks at the last counter discontinuity (ifCounterDiscontinuityTime). */
  discontinuityTicks: number;
}

const TICKS_MOD = 2 ** 32;
const MOD64 = 1n << 64n;

const track = (base: bigint, baseMs: number, perSec: number): Track => ({ base, baseMs, perSec });
function valueAt(t: Track, nowMs: number): bigint {
  const elapsed = Math.max(0, nowMs - t.baseMs);
  return t.base + BigInt(Math.floor((elapsed / 1000) * t.perSec));
}
function rebase(t: Track, nowMs: number, perSec: number): void {
  t.base = valueAt(t, nowMs);
  t.baseMs = nowMs;
  t.perSec = perSec;
}

export function normalizePort(c: SimPortConfig): SimPortState['cfg'] {
  if (c.startOctets !== undefined && c.startOctets < 0n) throw new RangeError(`port ${c.ifIndex}: startOctets must not be negative`);
  return {
    ifIndex: c.ifIndex,
    name: c.name,
    descr: c.descr ?? c.name,
    alias: c.alias ?? '',
    speedMbps: c.speedMbps,
    inBps: c.inBps ?? 0,
    outBps: c.outBps ?? 0,
    errorsPerSec: c.errorsPerSec ?? 0,
    discardsPerSec: c.discardsPerSec ?? 0,
    operUp: c.operUp ?? true,
    adminUp: c.adminUp ?? true,
    startOctets: c.startOctets ?? 0n,
    mac: c.mac ?? `02:00:00:00:${((c.ifIndex >> 8) & 0xff).toString(16).padStart(2, '0')}:${(c.ifIndex & 0xff).toString(16).padStart(2, '0')}`,
  };
}

/** The device's ports and clock. All reads take the current time in ms. */
export class SimDeviceModel {
  private bootMs: number;
  private readonly ports = new Map<number, SimPortState>();

  constructor(
    ports: SimPortConfig[],
    nowMs: number,
    /** sysUpTime at start, in ticks: set near 2^32 to test the 497-day wrap. */
    private uptimeStartTicks = 0,
  ) {
    this.bootMs = nowMs;
    for (const p of ports) this.addPort(p, nowMs);
  }

  uptimeTicks(nowMs: number): number {
    return (this.uptimeStartTicks + Math.floor((nowMs - this.bootMs) / 10)) % TICKS_MOD;
  }

  addPort(c: SimPortConfig, nowMs: number): SimPortState {
    const cfg = normalizePort(c);
    const s: SimPortState = {
      cfg,
      inOctets: track(cfg.startOctets, nowMs, cfg.operUp ? cfg.inBps / 8 : 0),
      outOctets: track(cfg.startOctets, nowMs, cfg.operUp ? cfg.outBps / 8 : 0),
      errors: track(0n, nowMs, cfg.errorsPerSec),
      discards: track(0n, nowMs, cfg.discardsPerSec),
      discontinuityTicks: 0,
    };
    this.ports.set(cfg.ifIndex, s);
    return s;
  }

  removePort(ifIndex: number): boolean {
    return this.ports.delete(ifIndex);
  }

  port(ifIndex: number): SimPortState | undefined {
    return this.ports.get(ifIndex);
  }

  portList(): SimPortState[] {
    return [...this.ports.values()].sort((a, b) => a.cfg.ifIndex - b.cfg.ifIndex);
  }

  /** Change a port's profile or status from now on; counters keep what they counted so far. */
  setPort(ifIndex: number, patch: Partial<Omit<SimPortConfig, 'ifIndex' | 'startOctets'>>, nowMs: number): void {
    const s = this.ports.get(ifIndex);
    if (!s) throw new Error(`no port ${ifIndex}`);
    Object.assign(s.cfg, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    // a port that is down carries nothing
    rebase(s.inOctets, nowMs, s.cfg.operUp ? s.cfg.inBps / 8 : 0);
    rebase(s.outOctets, nowMs, s.cfg.operUp ? s.cfg.outBps / 8 : 0);
    rebase(s.errors, nowMs, s.cfg.errorsPerSec);
    rebase(s.discards, nowMs, s.cfg.discardsPerSec);
  }

  /** Counters of one port restart at zero (as after a line-card reset); ifCounterDiscontinuityTime moves. */
  resetCounters(ifIndex: number, nowMs: number): void {
    const s = this.ports.get(ifIndex);
    if (!s) throw new Error(`no port ${ifIndex}`);
    for (const t of [s.inOctets, s.outOctets, s.errors, s.discards]) {
      t.base = 0n;
      t.baseMs = nowMs;
    }
    s.discontinuityTicks = this.uptimeTicks(nowMs);
  }

  /** Restart: uptime from zero, every counter from zero. */
  reboot(nowMs: number): void {
    this.bootMs = nowMs;
    this.uptimeStartTicks = 0;
    for (const s of this.ports.values()) {
      for (const t of [s.inOctets, s.outOctets, s.errors, s.discards]) {
        t.base = 0n;
        t.baseMs = nowMs;
      }
      s.discontinuityTicks = 0;
    }
  }

  octets(ifIndex: number, dir: 'in' | 'out', nowMs: number): bigint {
    const s = this.ports.get(ifIndex);
    if (!s) return 0n;
    return valueAt(dir === 'in' ? s.inOctets : s.outOctets, nowMs) % MOD64;
  }

  /** Unicast packets, derived from octets at an average of 500 bytes per packet. */
  packets(ifIndex: number, dir: 'in' | 'out', nowMs: number): bigint {
    return this.octets(ifIndex, dir, nowMs) / 500n;
  }

  errors(ifIndex: number, nowMs: number): bigint {
    const s = this.ports.get(ifIndex);
    return s ? valueAt(s.errors, nowMs) : 0n;
  }

  discards(ifIndex: number, nowMs: number): bigint {
    const s = this.ports.get(ifIndex);
    return s ? valueAt(s.discards, nowMs) : 0n;
  }
}
