/**
 * The read side of SNMP polling: one device's system scalars + one multi-column GETBULK read of
 * ifTable/ifXTable (+ LLDP when it changed), turned into a plain `DevicePoll` record. It keeps only
 * what decides the next read (the names cache and when to refresh it, which tables the device has,
 * LLDP's last change). Rates, totals and baselines are the Poller's (`applyPoll`), so the central
 * poller and a remote site agent produce the same records and the controller keeps one state.
 */
import { performance } from 'node:perf_hooks';
import snmp, { type Varbind } from 'net-snmp';
import { systemClock, type Clock } from '../common/clock.js';
import { CounterDecodeError, decodeCounter32, decodeCounter64, uptimeStep, type DeviceTime, type InterfaceReading } from './counters.js';
import { buildNeighbors, readLldp, type LldpNeighbor } from './lldp.js';
import { IF, IF_ENTRY, IF_NUMBER, IFX, IFX_ENTRY, LLDP, SYS, col } from './oids.js';
import { isException, SnmpError, SnmpSession, type ColumnData, type PollErrorReason, type PollTarget, type TimedColumnData } from './session.js';

const T = snmp.ObjectType;

export type PolledState = 'up' | 'degraded' | 'down';

export interface IfNames {
  name: string;
  descr: string;
  alias: string;
}

/** One interface as read in one poll. */
export interface InterfacePoll extends IfNames {
  ifIndex: number;
  /** IF-MIB ifOperStatus / ifAdminStatus (1 up, 2 down, ...). */
  operStatus?: number | undefined;
  adminStatus?: number | undefined;
  speedBps?: number | undefined;
  /** The decoded counters; absent when the device answered none usable. */
  reading?: InterfaceReading | undefined;
  /** A cell of this interface had the wrong SNMP type (or an undecodable counter). */
  wrongType: boolean;
}

/** One device's poll, as the central poller or an agent read it. */
export interface DevicePoll {
  deviceId: string;
  /** When the poll started, on the reader's clock (ms since epoch). */
  wallMs: number;
  durationSeconds: number;
  state: PolledState;
  reason?: string;
  errors: PollErrorReason[];
  sysName?: string;
  /** The first GETBULK page's sysUpTime with the reader's clock; absent when the tables were not read. */
  time?: DeviceTime;
  hasIfXTable?: boolean;
  /** Absent when the tables were not read (the previous views stand). */
  interfaces?: InterfacePoll[];
  /** Present when LLDP was read this poll ([] when the device turned out not to have it). */
  neighbors?: LldpNeighbor[];
}

export interface ReaderOptions {
  clock?: Clock;
  /** A device's poll stops reading tables after this long (default 60 s). */
  deviceDeadlineMs?: number;
  /** Re-read ifName/ifAlias/ifDescr at least this often even without a sign of change (default 1 h): operators edit aliases live. */
  namesMaxAgeMs?: number;
}

export const IF_COLUMNS = {
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
const C = IF_COLUMNS;

/** The interface indexes present in a table read (by ifOperStatus or ifDescr). */
export function tableIndexes(data: ColumnData): string[] {
  return [...new Set([...(data.get(C.oper)?.keys() ?? []), ...(data.get(C.descr)?.keys() ?? [])])].filter((i) => /^\d+$/.test(i));
}

/** Names from a table read that carried ifDescr (and ifName/ifAlias when the device has ifXTable). */
export function namesFromTable(data: ColumnData, indexes: string[]): Map<number, IfNames> {
  const names = new Map<number, IfNames>();
  for (const i of indexes) {
    const descr = textOf(data.get(C.descr)?.get(i)) ?? '';
    names.set(Number(i), { descr, name: textOf(data.get(C.name)?.get(i)) || descr || i, alias: textOf(data.get(C.alias)?.get(i)) ?? '' });
  }
  return names;
}

/**
 * Decode one table read into interface records (pure): type-checks every cell, prefers 64-bit
 * octets, dates each counter by the page that carried it. `missing64` says a device with ifXTable
 * did not answer HC octets for some interface, so the next read asks for the 32-bit ones too.
 */
export function interfacePolls(
  table: TimedColumnData,
  indexes: string[],
  names: Map<number, IfNames>,
  hasIfX: boolean | undefined,
): { interfaces: InterfacePoll[]; missing64: boolean } {
  const { data, ticks } = table;
  let missing64 = false;
  const interfaces: InterfacePoll[] = [];
  for (const i of indexes) {
    const ifIndex = Number(i);
    const n = names.get(ifIndex) ?? { name: i, descr: i, alias: '' };
    let wrongType = false;
    const typed = (c: string, type: number): Varbind | undefined => {
      const vb = data.get(c)?.get(i);
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
      const base = {
        ifIndex,
        identity: n.name,
        discontinuityTime: disc,
        speedBps,
        inErrors: c32(C.inErr),
        outErrors: c32(C.outErr),
        inDiscards: c32(C.inDisc),
        outDiscards: c32(C.outDisc),
      };
      if (hcIn && hcOut)
        reading = {
          ...base,
          octetBits: 64,
          inOctets: decodeCounter64(hcIn.value),
          outOctets: decodeCounter64(hcOut.value),
          ticks: { ...errTicks, inOctets: at(C.in64), outOctets: at(C.out64) },
        };
      else if (c32In && c32Out)
        reading = {
          ...base,
          octetBits: 32,
          inOctets: decodeCounter32(c32In.value),
          outOctets: decodeCounter32(c32Out.value),
          ticks: { ...errTicks, inOctets: at(C.in32), outOctets: at(C.out32) },
        };
      if (hasIfX && !(hcIn && hcOut)) missing64 = true;
    } catch (e) {
      if (!(e instanceof CounterDecodeError)) throw e;
      wrongType = true;
      reading = undefined;
    }
    const out: InterfacePoll = { ifIndex, name: n.name, descr: n.descr, alias: n.alias, operStatus: oper, adminStatus: admin, speedBps, wrongType };
    if (reading) out.reading = reading;
    interfaces.push(out);
  }
  return { interfaces, missing64 };
}

/** Reads one device; one read at a time (the caller serializes). */
export class DeviceReader {
  private session: SnmpSession;
  private readonly clock: Clock;
  private readonly deadlineMs: number;
  private readonly namesMaxAgeMs: number;
  private names = new Map<number, IfNames>();
  private namesValid = false;
  private namesAt = 0;
  private ifNumber?: number | undefined;
  private hasIfX?: boolean;
  private need32 = false;
  private lldpSupported: boolean;
  private lldpChange?: number | undefined;
  /** The last table time whose step was not a stall: decides whether the device restarted. */
  private lastTime?: DeviceTime;

  constructor(
    private target: PollTarget,
    opts: ReaderOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.deadlineMs = opts.deviceDeadlineMs ?? 60_000;
    this.namesMaxAgeMs = opts.namesMaxAgeMs ?? 3_600_000;
    this.session = new SnmpSession(target);
    this.lldpSupported = target.lldp !== false;
  }

  /** The same device with other session options (timeouts, retries...): read state is kept. */
  retarget(target: PollTarget): void {
    if (JSON.stringify([target.timeoutMs, target.retries]) !== JSON.stringify([this.target.timeoutMs, this.target.retries])) {
      this.session.close();
      this.session = new SnmpSession(target);
    }
    this.target = target;
  }

  close(): void {
    this.session.close();
  }

  /** One poll; never rejects (failures are in the record's state, reason and errors). */
  async read(): Promise<DevicePoll> {
    const t0 = performance.now();
    const wallMs = this.clock.now().getTime();
    const poll: DevicePoll = { deviceId: this.target.id, wallMs, durationSeconds: 0, state: 'up', errors: [] };
    const fail = (e: unknown, state: PolledState, what: string): void => {
      const err = e instanceof SnmpError ? e : new SnmpError('request_failed', String(e));
      poll.errors.push(err.reason);
      poll.state = state;
      poll.reason = `${what}: ${err.reason}: ${err.message}`;
    };
    try {
      await this.cycle(poll, fail);
    } catch (e) {
      fail(e, 'down', 'system group');
    }
    poll.durationSeconds = (performance.now() - t0) / 1000;
    return poll;
  }

  private async cycle(poll: DevicePoll, fail: (e: unknown, s: PolledState, what: string) => void): Promise<void> {
    const t = this.target;
    const wallMs = poll.wallMs;
    const tableOpts = { maxRepetitions: t.maxRepetitions ?? 25, deadline: wallMs + this.deadlineMs, now: () => this.clock.now().getTime() };
    const wantLldp = this.lldpSupported && t.lldp !== false;
    // sysUpTime here only decides whether names need reading again; rates use the table's own
    const sys = await this.session.get([`${SYS.upTime}.0`, `${SYS.name}.0`, `${IF_NUMBER}.0`, ...(wantLldp ? [`${LLDP.statsRemTablesLastChangeTime}.0`] : [])]);
    const [upVb, nameVb, ifnVb, lldpVb] = sys;
    if (!upVb || upVb.type !== T.TimeTicks || typeof upVb.value !== 'number') {
      throw new SnmpError(upVb && isException(upVb) ? 'no_such_object' : 'wrong_type', 'sysUpTime.0 is not TimeTicks');
    }
    if (nameVb && nameVb.type === T.OctetString) poll.sysName = String(nameVb.value);
    const sysStep = this.lastTime ? uptimeStep(this.lastTime, { uptimeTicks: upVb.value, wallMs }) : undefined;
    const ifNumber = ifnVb && ifnVb.type === T.Integer && typeof ifnVb.value === 'number' ? ifnVb.value : undefined;
    // names can only have moved when the table changed size or the agent restarted
    const refreshNames = !this.namesValid || sysStep?.kind === 'reboot' || ifNumber !== this.ifNumber || wallMs - this.namesAt >= this.namesMaxAgeMs;
    if (sysStep?.kind === 'reboot') {
      this.lldpSupported = t.lldp !== false;
      this.lldpChange = undefined;
    }

    const tryX = this.hasIfX !== false;
    const want32 = this.hasIfX !== true || this.need32;
    const columns = [C.oper, C.admin, C.speed, C.inErr, C.outErr, C.inDisc, C.outDisc];
    if (tryX) columns.push(C.in64, C.out64, C.highSpeed, C.discTime);
    if (want32) columns.push(C.in32, C.out32);
    if (refreshNames) columns.push(C.descr, ...(tryX ? [C.name, C.alias] : []));

    let table;
    try {
      table = await this.session.readColumnsTimed(columns, tableOpts);
    } catch (e) {
      fail(e, 'degraded', 'interface tables');
      return;
    }
    const indexes = tableIndexes(table.data);
    // a device with interfaces but no HC counters has no ifXTable: 32-bit octets from now on
    if (tryX && indexes.length > 0) this.hasIfX = (table.data.get(C.in64)?.size ?? 0) > 0;
    if (refreshNames) {
      this.names = namesFromTable(table.data, indexes);
      this.namesValid = true;
      this.namesAt = wallMs;
      this.ifNumber = ifNumber;
    }
    const { interfaces, missing64 } = interfacePolls(table, indexes, this.names, this.hasIfX);
    this.need32 = missing64;
    poll.time = table.first;
    poll.interfaces = interfaces;
    if (this.hasIfX !== undefined) poll.hasIfXTable = this.hasIfX;
    // a stalled agent clock keeps the old baselines, so the old time too
    const step = this.lastTime ? uptimeStep(this.lastTime, table.first) : undefined;
    if (step?.kind !== 'stalled') this.lastTime = table.first;

    if (wantLldp && lldpVb) {
      if (isException(lldpVb)) {
        this.lldpSupported = false;
        poll.neighbors = [];
      } else if (refreshNames || lldpVb.value !== this.lldpChange) {
        try {
          const tables = await readLldp(this.session, tableOpts);
          poll.neighbors = buildNeighbors(tables, new Map([...this.names].map(([k, v]) => [k, v.name])));
          this.lldpChange = lldpVb.value as number;
        } catch (e) {
          fail(e, 'degraded', 'lldp');
        }
      }
    }
  }
}

function textOf(vb: Varbind | undefined): string | undefined {
  if (!vb || vb.type !== T.OctetString) return undefined;
  return Buffer.isBuffer(vb.value) ? vb.value.toString('utf8') : String(vb.value);
}
