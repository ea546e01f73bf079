/**
 * The SNMP poller: one session per device, a concurrency cap across devices, one cycle per
 * device = system scalars + one multi-column GETBULK read of ifTable/ifXTable (+ LLDP when it
 * changed). Every GETBULK page of the interface tables carries sysUpTime.0 as a non-repeater, and
 * each counter is dated by the page that carried it, so a slow agent or a busy poller cannot put
 * the interval and the counters at different instants. Keeps only the latest samples and monotonic
 * totals; Prometheus keeps history.
 */
import { performance } from 'node:perf_hooks';
import snmp, { type Varbind } from 'net-snmp';
import { systemClock, type Clock } from '../common/clock.js';
import {
  advanceInterface,
  CounterDecodeError,
  decodeCounter32,
  decodeCounter64,
  uptimeStep,
  zeroTotals,
  type CounterBits,
  type DeviceTime,
  type DiscontinuityReason,
  type InterfaceBaseline,
  type InterfaceRates,
  type InterfaceReading,
  type RejectReason,
  type Totals,
} from './counters.js';
import { buildNeighbors, readLldp, type LldpNeighbor } from './lldp.js';
import { IF, IF_ENTRY, IF_NUMBER, IFX, IFX_ENTRY, LLDP, SYS, col } from './oids.js';
import { isException, SnmpError, SnmpSession, type PollErrorReason, type PollTarget } from './session.js';

const T = snmp.ObjectType;

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

export interface PollerOptions {
  /** Devices polled at the same time, at most (default 32). */
  concurrency?: number;
  clock?: Clock;
  /** Called after every device poll (from pollOnce or the start() loops). */
  onSample?: (result: DevicePollResult) => void;
  /** A device's poll stops reading tables after this long (default 60 s). */
  deviceDeadlineMs?: number;
  /** Re-read ifName/ifAlias/ifDescr at least this often even without a sign of change (default 1 h): operators edit aliases live. */
  namesMaxAgeMs?: number;
}

interface IfNames {
  name: string;
  descr: string;
  alias: string;
}

interface DeviceRuntime {
  target: PollTarget;
  key: string;
  session: SnmpSession;
  state: DeviceStatus;
  reason?: string;
  sysName?: string;
  lastTime?: DeviceTime;
  ifNumber?: number;
  names: Map<number, IfNames>;
  namesValid: boolean;
  namesAt: number;
  hasIfX?: boolean;
  need32: boolean;
  baselines: Map<number, InterfaceBaseline>;
  views: Map<number, InterfaceView>;
  errors: Map<string, number>;
  rejected: Map<string, number>;
  lldpSupported: boolean;
  lldpChange?: number;
  neighbors: LldpNeighbor[];
  lastPollAt?: Date;
  lastPollSeconds?: number;
  inFlight?: Promise<DevicePollResult>;
  timer?: NodeJS.Timeout;
  removed: boolean;
}

/** Another agent (state starts over) vs. the same agent with other session options (state kept). */
const connectionKey = (t: PollTarget): string => JSON.stringify([t.host, t.port ?? 161, t.credentials]);
const sessionKey = (t: PollTarget): string => JSON.stringify([t.timeoutMs, t.retries]);
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);

const C = {
  descr: col(IF_ENTRY, IF.descr),
  speed: col(IF_ENTRY, IF.speed),
  admin: col(IF_ENTRY, IF.adminStatus),
  oper: col(IF_ENTRY, IF.operStatus),
  in32: col(IF_ENTRY, IF.inOctets),
  out32: col(IF_ENTRY, IF.outOctets),
  inErr: col(IF_ENTRY, IF.inErrors),
  outErr: col(IF_ENTRY, IF.outErrors),
  inDisc: col(IF_ENTRY, IF.inDiscards),
  outDisc: col(IF_ENTRY, IF.outDiscards),
  name: col(IFX_ENTRY, IFX.name),
  alias: col(IFX_ENTRY, IFX.alias),
  in64: col(IFX_ENTRY, IFX.hcInOctets),
  out64: col(IFX_ENTRY, IFX.hcOutOctets),
  inUcast64: col(IFX_ENTRY, IFX.hcInUcastPkts),
  outUcast64: col(IFX_ENTRY, IFX.hcOutUcastPkts),
  highSpeed: col(IFX_ENTRY, IFX.highSpeed),
  discTime: col(IFX_ENTRY, IFX.counterDiscontinuityTime),
};

export class Poller {
  private readonly devices = new Map<string, DeviceRuntime>();
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly deadlineMs: number;
  private readonly namesMaxAgeMs: number;
  private readonly listeners = new Set<(r: DevicePollResult) => void>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private running = false;

  constructor(opts: PollerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.concurrency = Math.max(1, opts.concurrency ?? 32);
    this.deadlineMs = opts.deviceDeadlineMs ?? 60_000;
    this.namesMaxAgeMs = opts.namesMaxAgeMs ?? 3_600_000;
    if (opts.onSample) this.listeners.add(opts.onSample);
  }

  /** Subscribe to device poll results; returns the unsubscribe function. */
  onPoll(listener: (r: DevicePollResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replace the device list: add new ones, re-open sessions whose connection changed, close removed ones. */
  setDevices(targets: PollTarget[]): void {
    const wanted = new Map(targets.map((t) => [t.id, t]));
    for (const [id, d] of this.devices) if (!wanted.has(id)) this.remove(d);
    for (const t of targets) {
      const d = this.devices.get(t.id);
      if (d && d.key === connectionKey(t)) {
        if (sessionKey(d.target) !== sessionKey(t)) {
          d.session.close();
          d.session = new SnmpSession(t);
        }
        d.target = t;
        continue;
      }
      if (d) this.remove(d);
      const fresh = this.create(t);
      this.devices.set(t.id, fresh);
      if (this.running) this.schedule(fresh, 0);
    }
  }

  private create(target: PollTarget): DeviceRuntime {
    return {
      target,
      key: connectionKey(target),
      session: new SnmpSession(target),
      state: 'unknown',
      names: new Map(),
      namesValid: false,
      namesAt: 0,
      need32: false,
      baselines: new Map(),
      views: new Map(),
      errors: new Map(),
      rejected: new Map(),
      lldpSupported: target.lldp !== false,
      neighbors: [],
      removed: false,
    };
  }

  private remove(d: DeviceRuntime): void {
    d.removed = true;
    if (d.timer) clearTimeout(d.timer);
    d.session.close();
    this.devices.delete(d.target.id);
  }

  /** Poll every device once (respecting the concurrency cap) and report. */
  async pollOnce(): Promise<CycleReport> {
    const startedAt = this.clock.now();
    const t0 = performance.now();
    const results = await Promise.all([...this.devices.values()].map((d) => this.pollGuarded(d)));
    return { startedAt, durationSeconds: (performance.now() - t0) / 1000, devices: results };
  }

  /** Poll each device on its own interval; a slow device only delays itself. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const d of this.devices.values()) this.schedule(d, 0);
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
        if (d.removed) return { deviceId: d.target.id, state: 'unknown' as const, reason: 'removed', durationSeconds: 0, rates: 0, discontinuities: 0, rejected: 0, errors: [] };
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
    const t0 = performance.now();
    const wallMs = this.clock.now().getTime();
    const result: DevicePollResult = { deviceId: d.target.id, state: 'up', durationSeconds: 0, rates: 0, discontinuities: 0, rejected: 0, errors: [] };
    const fail = (e: unknown, state: DeviceStatus, what: string): void => {
      const err = e instanceof SnmpError ? e : new SnmpError('request_failed', String(e));
      result.errors.push(err.reason);
      bump(d.errors, err.reason);
      result.state = state;
      result.reason = `${what}: ${err.reason}: ${err.message}`;
    };
    try {
      await this.cycle(d, wallMs, result, fail);
    } catch (e) {
      fail(e, 'down', 'system group');
    }
    result.durationSeconds = (performance.now() - t0) / 1000;
    if (!d.removed) {
      d.state = result.state;
      d.reason = result.reason;
      d.lastPollAt = new Date(wallMs);
      d.lastPollSeconds = result.durationSeconds;
      for (const l of this.listeners) l(result);
    }
    return result;
  }

  private async cycle(d: DeviceRuntime, wallMs: number, result: DevicePollResult, fail: (e: unknown, s: DeviceStatus, what: string) => void): Promise<void> {
    const t = d.target;
    const maxRepetitions = t.maxRepetitions ?? 25;
    const tableOpts = { maxRepetitions, deadline: wallMs + this.deadlineMs, now: () => this.clock.now().getTime() };
    const wantLldp = d.lldpSupported && t.lldp !== false;
    // sysUpTime here only decides whether names need reading again; rates use the table's own
    const sys = await d.session.get([`${SYS.upTime}.0`, `${SYS.name}.0`, `${IF_NUMBER}.0`, ...(wantLldp ? [`${LLDP.statsRemTablesLastChangeTime}.0`] : [])]);
    const [upVb, nameVb, ifnVb, lldpVb] = sys;
    if (!upVb || upVb.type !== T.TimeTicks || typeof upVb.value !== 'number') {
      throw new SnmpError(upVb && isException(upVb) ? 'no_such_object' : 'wrong_type', 'sysUpTime.0 is not TimeTicks');
    }
    if (nameVb && nameVb.type === T.OctetString) d.sysName = String(nameVb.value);
    const sysStep = d.lastTime ? uptimeStep(d.lastTime, { uptimeTicks: upVb.value, wallMs }) : undefined;
    const ifNumber = ifnVb && ifnVb.type === T.Integer && typeof ifnVb.value === 'number' ? ifnVb.value : undefined;
    // names can only have moved when the table changed size or the agent restarted
    const refreshNames = !d.namesValid || sysStep?.kind === 'reboot' || ifNumber !== d.ifNumber || wallMs - d.namesAt >= this.namesMaxAgeMs;
    if (sysStep?.kind === 'reboot') {
      d.lldpSupported = t.lldp !== false;
      d.lldpChange = undefined;
    }

    const tryX = d.hasIfX !== false;
    const want32 = d.hasIfX !== true || d.need32;
    const columns = [C.oper, C.admin, C.speed, C.inErr, C.outErr, C.inDisc, C.outDisc];
    if (tryX) columns.push(C.in64, C.out64, C.highSpeed, C.discTime);
    if (want32) columns.push(C.in32, C.out32);
    if (refreshNames) columns.push(C.descr, ...(tryX ? [C.name, C.alias] : []));

    let table;
    try {
      table = await d.session.readColumnsTimed(columns, tableOpts);
    } catch (e) {
      fail(e, 'degraded', 'interface tables');
      return;
    }
    const { data, ticks } = table;
    const cur: DeviceTime = table.first;
    const step = d.lastTime ? uptimeStep(d.lastTime, cur) : undefined;
    const cell = (c: string, index: string): Varbind | undefined => data.get(c)?.get(index);
    const indexes = [...new Set([...(data.get(C.oper)?.keys() ?? []), ...(data.get(C.descr)?.keys() ?? [])])].filter((i) => /^\d+$/.test(i));
    // a device with interfaces but no HC counters has no ifXTable: 32-bit octets from now on
    if (tryX && indexes.length > 0) d.hasIfX = (data.get(C.in64)?.size ?? 0) > 0;

    if (refreshNames) {
      d.names.clear();
      for (const i of indexes) {
        const descr = textOf(cell(C.descr, i)) ?? '';
        d.names.set(Number(i), { descr, name: textOf(cell(C.name, i)) || descr || i, alias: textOf(cell(C.alias, i)) ?? '' });
      }
      d.namesValid = true;
      d.namesAt = wallMs;
      d.ifNumber = ifNumber;
    }

    let missing64 = false;
    const seen = new Set<number>();
    for (const i of indexes) {
      const ifIndex = Number(i);
      seen.add(ifIndex);
      const names = d.names.get(ifIndex) ?? { name: i, descr: i, alias: '' };
      let wrongType = false;
      const typed = (c: string, type: number): Varbind | undefined => {
        const vb = cell(c, i);
        if (!vb) return undefined;
        if (vb.type !== type) {
          wrongType = true;
          return undefined;
        }
        return vb;
      };
      const oper = typed(C.oper, T.Integer)?.value as number | undefined;
      const admin = typed(C.admin, T.Integer)?.value as number | undefined;
      const highSpeed = typed(C.highSpeed, T.Gauge)?.value as number | undefined;
      const ifSpeed = typed(C.speed, T.Gauge)?.value as number | undefined;
      const speedBps = highSpeed && highSpeed > 0 ? highSpeed * 1e6 : ifSpeed;
      const view: InterfaceView = d.views.get(ifIndex) ?? { ifIndex, name: names.name, descr: names.descr, alias: names.alias, operUp: false, totals: zeroTotals() };
      Object.assign(view, { name: names.name, descr: names.descr, alias: names.alias, operStatus: oper, adminStatus: admin, operUp: oper === 1, speedBps, sampledAt: new Date(wallMs) });
      delete view.rates;
      delete view.lastRejected;
      d.views.set(ifIndex, view);

      let reading: InterfaceReading | undefined;
      try {
        const hcIn = typed(C.in64, T.Counter64);
        const hcOut = typed(C.out64, T.Counter64);
        const c32In = typed(C.in32, T.Counter);
        const c32Out = typed(C.out32, T.Counter);
        const c32 = (c: string) => {
          const vb = typed(c, T.Counter);
          return vb ? decodeCounter32(vb.value) : undefined;
        };
        const disc = typed(C.discTime, T.TimeTicks)?.value as number | undefined;
        const at = (c: string) => ticks.get(c)?.get(i);
        const errTicks = { inErrors: at(C.inErr), outErrors: at(C.outErr), inDiscards: at(C.inDisc), outDiscards: at(C.outDisc) };
        const base = { ifIndex, identity: names.name, discontinuityTime: disc, speedBps, inErrors: c32(C.inErr), outErrors: c32(C.outErr), inDiscards: c32(C.inDisc), outDiscards: c32(C.outDisc) };
        if (hcIn && hcOut) reading = { ...base, octetBits: 64, inOctets: decodeCounter64(hcIn.value), outOctets: decodeCounter64(hcOut.value), ticks: { ...errTicks, inOctets: at(C.in64), outOctets: at(C.out64) } };
        else if (c32In && c32Out) reading = { ...base, octetBits: 32, inOctets: decodeCounter32(c32In.value), outOctets: decodeCounter32(c32Out.value), ticks: { ...errTicks, inOctets: at(C.in32), outOctets: at(C.out32) } };
        if (d.hasIfX && !(hcIn && hcOut)) missing64 = true;
      } catch (e) {
        if (!(e instanceof CounterDecodeError)) throw e;
        wrongType = true;
        reading = undefined;
      }
      if (wrongType) {
        result.rejected++;
        bump(d.rejected, 'wrong_type');
        view.lastRejected = 'wrong_type';
      }
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
    d.need32 = missing64;
    if (result.rejected > 0 && result.state === 'up' && [...d.views.values()].some((v) => v.lastRejected === 'wrong_type')) {
      result.state = 'degraded';
      result.reason = 'interface tables: wrong value types';
    }
    // a stalled agent clock keeps the old baselines, so the old time too
    if (step?.kind !== 'stalled') d.lastTime = cur;

    if (wantLldp && lldpVb) {
      if (isException(lldpVb)) {
        d.lldpSupported = false;
        d.neighbors = [];
      } else if (refreshNames || lldpVb.value !== d.lldpChange) {
        try {
          const tables = await readLldp(d.session, tableOpts);
          d.neighbors = buildNeighbors(tables, new Map([...d.names].map(([k, v]) => [k, v.name])));
          d.lldpChange = lldpVb.value as number;
        } catch (e) {
          fail(e, 'degraded', 'lldp');
        }
      }
    }
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

function textOf(vb: Varbind | undefined): string | undefined {
  if (!vb || vb.type !== T.OctetString) return undefined;
  return Buffer.isBuffer(vb.value) ? vb.value.toString('utf8') : String(vb.value);
}
