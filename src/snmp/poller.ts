/**
 * The SNMP poller: schedules one read per device (DeviceReader) with a concurrency cap across
 * devices, and folds every device's poll record into the state the API and /metrics read: latest
 * per-interface views, baselines, monotonic totals, LLDP neighbors. Records of devices that a
 * remote site agent polls come in through applyPoll and land in the same state. Keeps only the
 * latest samples and monotonic totals; Prometheus keeps history.
 */
import { performance } from 'node:perf_hooks';
import { systemClock } from '../common/clock.js';
import {
  advanceInterface,
  uptimeStep,
  zeroTotals,
  type CounterBits,
  type DeviceTime,
  type DiscontinuityReason,
  type InterfaceBaseline,
  type InterfaceRates,
  type RejectReason,
  type Totals,
} from './counters.js';
import type { LldpNeighbor } from './lldp.js';
import { DeviceReader, type DevicePoll, type InterfacePoll, type ReaderOptions } from './reader.js';
import type { PollErrorReason, PollTarget } from './session.js';

export type DeviceStatus = 'unknown' | 'up' | 'degraded' | 'down';
export type SampleRejectReason = RejectReason | 'wrong_type';

export interface InterfaceView {
  ifIndex: number;
  name: string;
  descr: string;
  alias: string;
  /** IF-MIB ifOperStatus / ifAdminStatus (1 up, 2 down, ...). */
  operStatus?: number;
  adminStatus?: number;
  operUp: boolean;
  speedBps?: number;
  counterBits?: CounterBits;
  /** Latest rates; absent when the last sample re-baselined, was rejected or had no counters. */
  rates?: InterfaceRates;
  /** Monotonic sums of accepted deltas (bytes, errors, discards). */
  totals: Totals;
  lastDiscontinuity?: DiscontinuityReason;
  lastDiscontinuityAt?: Date;
  lastRejected?: SampleRejectReason;
  sampledAt?: Date;
}

export interface DeviceView {
  id: string;
  opd?: string;
  host: string;
  port: number;
  state: DeviceStatus;
  reason?: string;
  /** The remote site agent that polls the device, when not the controller. */
  agent?: string;
  sysName?: string;
  uptimeTicks?: number;
  hasIfXTable?: boolean;
  lastPollAt?: Date;
  lastPollSeconds?: number;
  interfaceCount: number;
  /** Poll errors since the device was added, by reason. */
  errors: Record<string, number>;
  /** Rejected samples since the device was added, by reason. */
  rejected: Record<string, number>;
}

export interface DevicePollResult {
  deviceId: string;
  state: DeviceStatus;
  reason?: string;
  durationSeconds: number;
  /** Interfaces that produced a rate this poll. */
  rates: number;
  discontinuities: number;
  rejected: number;
  errors: PollErrorReason[];
}

export interface CycleReport {
  startedAt: Date;
  durationSeconds: number;
  devices: DevicePollResult[];
}

export interface PollerOptions extends ReaderOptions {
  /** Devices polled at the same time, at most (default 32). */
  concurrency?: number;
  /** Called after every device poll (from pollOnce, the start() loops or applyPoll). */
  onSample?: (result: DevicePollResult) => void;
}

interface DeviceRuntime {
  target: PollTarget;
  key: string;
  /** Absent for a device a remote site agent polls: its records arrive through applyPoll. */
  reader?: DeviceReader;
  state: DeviceStatus;
  reason?: string;
  sysName?: string;
  lastTime?: DeviceTime;
  hasIfX?: boolean;
  baselines: Map<number, InterfaceBaseline>;
  views: Map<number, InterfaceView>;
  errors: Map<string, number>;
  rejected: Map<string, number>;
  neighbors: LldpNeighbor[];
  lastPollAt?: Date;
  lastPollSeconds?: number;
  inFlight?: Promise<DevicePollResult>;
  timer?: NodeJS.Timeout;
  removed: boolean;
}

/** Another device or agent (state starts over) vs. the same one with other session options (state kept). */
const connectionKey = (t: PollTarget): string => JSON.stringify([t.host, t.port ?? 161, t.credentials, t.agent]);
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);

export class Poller {
  private readonly devices = new Map<string, DeviceRuntime>();
  private readonly concurrency: number;
  private readonly readerOptions: ReaderOptions;
  private readonly listeners = new Set<(r: DevicePollResult) => void>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private running = false;

  constructor(opts: PollerOptions = {}) {
    this.concurrency = Math.max(1, opts.concurrency ?? 32);
    this.readerOptions = opts;
    if (opts.onSample) this.listeners.add(opts.onSample);
  }

  /** Subscribe to device poll results; returns the unsubscribe function. */
  onPoll(listener: (r: DevicePollResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Replace the device list: add new ones, re-open sessions whose connection changed, close removed
   * ones. Targets with `agent` are not read here: their records come from that agent (applyPoll).
   */
  setDevices(targets: PollTarget[]): void {
    const wanted = new Map(targets.map((t) => [t.id, t]));
    for (const [id, d] of this.devices) if (!wanted.has(id)) this.remove(d);
    for (const t of targets) {
      const d = this.devices.get(t.id);
      if (d && d.key === connectionKey(t)) {
        d.reader?.retarget(t);
        d.target = t;
        continue;
      }
      if (d) this.remove(d);
      const fresh = this.create(t);
      this.devices.set(t.id, fresh);
      if (this.running && fresh.reader) this.schedule(fresh, 0);
    }
  }

  private create(target: PollTarget): DeviceRuntime {
    const d: DeviceRuntime = {
      target,
      key: connectionKey(target),
      state: 'unknown',
      baselines: new Map(),
      views: new Map(),
      errors: new Map(),
      rejected: new Map(),
      neighbors: [],
      removed: false,
    };
    if (target.agent === undefined) d.reader = new DeviceReader(target, this.readerOptions);
    return d;
  }

  private remove(d: DeviceRuntime): void {
    d.removed = true;
    if (d.timer) clearTimeout(d.timer);
    d.reader?.close();
    this.devices.delete(d.target.id);
  }

  /** Poll every device once (respecting the concurrency cap) and report. */
  async pollOnce(): Promise<CycleReport> {
    const startedAt = (this.readerOptions.clock ?? systemClock).now();
    const t0 = performance.now();
    const results = await Promise.all([...this.devices.values()].filter((d) => d.reader).map((d) => this.pollGuarded(d)));
    return { startedAt, durationSeconds: (performance.now() - t0) / 1000, devices: results };
  }

  /** Poll each device on its own interval; a slow device only delays itself. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const d of this.devices.values()) if (d.reader) this.schedule(d, 0);
  }

  stop(): void {
    this.running = false;
    for (const d of this.devices.values()) if (d.timer) clearTimeout(d.timer);
  }

  /** Stop and close every session. */
  close(): void {
    this.stop();
    for (const d of [...this.devices.values()]) this.remove(d);
  }

  private schedule(d: DeviceRuntime, delayMs: number): void {
    d.timer = setTimeout(() => {
      const t0 = performance.now();
      void this.pollGuarded(d).then(() => {
        if (!this.running || d.removed) return;
        const interval = d.target.intervalMs ?? 60_000;
        this.schedule(d, Math.max(0, interval - (performance.now() - t0)));
      });
    }, delayMs);
    d.timer.unref?.();
  }

  private async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** One poll at a time per device; never rejects. */
  private pollGuarded(d: DeviceRuntime): Promise<DevicePollResult> {
    if (d.inFlight) return d.inFlight;
    const p = (async () => {
      await this.acquire();
      try {
        if (d.removed)
          return {
            deviceId: d.target.id,
            state: 'unknown' as const,
            reason: 'removed',
            durationSeconds: 0,
            rates: 0,
            discontinuities: 0,
            rejected: 0,
            errors: [],
          };
        return await this.pollDevice(d);
      } finally {
        this.release();
        d.inFlight = undefined;
      }
    })();
    d.inFlight = p;
    return p;
  }

  private async pollDevice(d: DeviceRuntime): Promise<DevicePollResult> {
    const poll = await (d.reader as DeviceReader).read();
    const result = this.apply(d, poll);
    if (!d.removed) for (const l of this.listeners) l(result);
    return result;
  }

  /**
   * Fold one device's poll into its state (views, baselines, totals, neighbors) and tell the
   * listeners, as a central poll does. For the records of the agent that polls the device; polls
   * of one device must come in the order they were read. Undefined for a device not in the list.
   */
  applyPoll(deviceId: string, poll: DevicePoll): DevicePollResult | undefined {
    const d = this.devices.get(deviceId);
    if (!d) return undefined;
    const result = this.apply(d, poll);
    for (const l of this.listeners) l(result);
    return result;
  }

  private apply(d: DeviceRuntime, poll: DevicePoll): DevicePollResult {
    const result: DevicePollResult = {
      deviceId: d.target.id,
      state: poll.state,
      durationSeconds: poll.durationSeconds,
      rates: 0,
      discontinuities: 0,
      rejected: 0,
      errors: [...poll.errors],
    };
    if (poll.reason !== undefined) result.reason = poll.reason;
    for (const e of poll.errors) bump(d.errors, e);
    if (poll.sysName !== undefined) d.sysName = poll.sysName;
    if (poll.interfaces && poll.time) this.applyInterfaces(d, poll.interfaces, poll.time, poll.wallMs, result);
    if (poll.hasIfXTable !== undefined) d.hasIfX = poll.hasIfXTable;
    if (poll.neighbors) d.neighbors = poll.neighbors;
    d.state = result.state;
    d.reason = result.reason;
    d.lastPollAt = new Date(poll.wallMs);
    d.lastPollSeconds = poll.durationSeconds;
    return result;
  }

  private applyInterfaces(d: DeviceRuntime, interfaces: InterfacePoll[], cur: DeviceTime, wallMs: number, result: DevicePollResult): void {
    const step = d.lastTime ? uptimeStep(d.lastTime, cur) : undefined;
    const seen = new Set<number>();
    for (const i of interfaces) {
      const { ifIndex } = i;
      seen.add(ifIndex);
      const view: InterfaceView = d.views.get(ifIndex) ?? { ifIndex, name: i.name, descr: i.descr, alias: i.alias, operUp: false, totals: zeroTotals() };
      Object.assign(view, {
        name: i.name,
        descr: i.descr,
        alias: i.alias,
        operStatus: i.operStatus,
        adminStatus: i.adminStatus,
        operUp: i.operStatus === 1,
        speedBps: i.speedBps,
        sampledAt: new Date(wallMs),
      });
      delete view.rates;
      delete view.lastRejected;
      d.views.set(ifIndex, view);
      if (i.wrongType) {
        result.rejected++;
        bump(d.rejected, 'wrong_type');
        view.lastRejected = 'wrong_type';
      }
      const reading = i.reading;
      if (!reading) continue;
      view.counterBits = reading.octetBits;
      const s = advanceInterface(d.baselines.get(ifIndex), reading, step);
      d.baselines.set(ifIndex, s.baseline);
      view.totals = s.baseline.totals;
      if (s.rates) {
        view.rates = s.rates;
        result.rates++;
      }
      if (s.discontinuity) {
        view.lastDiscontinuity = s.discontinuity;
        view.lastDiscontinuityAt = new Date(wallMs);
        result.discontinuities++;
      }
      if (s.rejected) {
        view.lastRejected = s.rejected;
        result.rejected++;
        bump(d.rejected, s.rejected);
      }
    }
    for (const ifIndex of [...d.views.keys()]) {
      if (!seen.has(ifIndex)) {
        d.views.delete(ifIndex);
        d.baselines.delete(ifIndex);
      }
    }
    if (result.rejected > 0 && result.state === 'up' && [...d.views.values()].some((v) => v.lastRejected === 'wrong_type')) {
      result.state = 'degraded';
      result.reason = 'interface tables: wrong value types';
    }
    // a stalled agent clock keeps the old baselines, so the old time too
    if (step?.kind !== 'stalled') d.lastTime = cur;
  }

  // ---- read model ----

  deviceIds(): string[] {
    return [...this.devices.keys()];
  }

  deviceState(deviceId: string): DeviceView | undefined {
    const d = this.devices.get(deviceId);
    if (!d) return undefined;
    const v: DeviceView = {
      id: d.target.id,
      host: d.target.host,
      port: d.target.port ?? 161,
      state: d.state,
      interfaceCount: d.views.size,
      errors: Object.fromEntries(d.errors),
      rejected: Object.fromEntries(d.rejected),
    };
    if (d.target.opd !== undefined) v.opd = d.target.opd;
    if (d.target.agent !== undefined) v.agent = d.target.agent;
    if (d.reason !== undefined) v.reason = d.reason;
    if (d.sysName !== undefined) v.sysName = d.sysName;
    if (d.lastTime) v.uptimeTicks = d.lastTime.uptimeTicks;
    if (d.hasIfX !== undefined) v.hasIfXTable = d.hasIfX;
    if (d.lastPollAt) v.lastPollAt = d.lastPollAt;
    if (d.lastPollSeconds !== undefined) v.lastPollSeconds = d.lastPollSeconds;
    return v;
  }

  devicesState(): DeviceView[] {
    return this.deviceIds().map((id) => this.deviceState(id) as DeviceView);
  }

  /** Latest per-interface view, by ifIndex; undefined for an unknown device. */
  interfaces(deviceId: string): InterfaceView[] | undefined {
    const d = this.devices.get(deviceId);
    return d ? [...d.views.values()].sort((a, b) => a.ifIndex - b.ifIndex).map((v) => ({ ...v, totals: { ...v.totals } })) : undefined;
  }

  /** One interface by ifIndex or by name (ifName, else ifDescr). */
  findInterface(deviceId: string, port: string | number): InterfaceView | undefined {
    const d = this.devices.get(deviceId);
    if (!d) return undefined;
    if (typeof port === 'number') return d.views.get(port);
    for (const v of d.views.values()) if (v.name === port || v.descr === port) return v;
    return /^\d+$/.test(port) ? d.views.get(Number(port)) : undefined;
  }

  neighbors(deviceId: string): LldpNeighbor[] | undefined {
    return this.devices.get(deviceId)?.neighbors.map((n) => ({ ...n }));
  }
}
