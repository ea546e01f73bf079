/**
 * One net-snmp session per device, with promise wrappers, error classification and the
 * multi-column GETBULK table read the poller and LLDP use.
 */
import snmp, { type Session, type Varbind } from 'net-snmp';
import type { DeviceTime } from './counters.js';
import { compareOids, SYS, suffixUnder } from './oids.js';

export type SnmpCredentials =
  | { version: '2c'; community: string }
  | {
      version: '3';
      user: string;
      /** SHA-2 family; default sha256. */
      authProtocol?: 'sha224' | 'sha256' | 'sha384' | 'sha512';
      authKey: string;
      /** default aes (AES-128 CFB, RFC 3826). */
      privProtocol?: 'aes' | 'aes256b' | 'aes256r';
      privKey: string;
    };

export interface PollTarget {
  /** Inventory device id (the `device` label). */
  id: string;
  /** The OPD that owns the device (the `opd` label). */
  opd?: string;
  host: string;
  port?: number;
  credentials: SnmpCredentials;
  timeoutMs?: number;
  retries?: number;
  maxRepetitions?: number;
  /** Poll interval for start(); default 60 s. */
  intervalMs?: number;
  /** Read LLDP-MIB neighbors (default true). */
  lldp?: boolean;
  /** The remote site agent that polls this device (the controller does not read it itself). */
  agent?: string;
}

/** Why a poll failed; a list (not only a type) because metrics export every reason and the agent protocol accepts each. */
export const POLL_ERROR_REASONS = [
  'timeout',
  'error_status',
  'too_big',
  'invalid_response',
  'request_failed',
  'non_increasing_oid',
  'no_progress',
  'table_too_large',
  'no_such_object',
  'wrong_type',
  'deadline',
  'closed',
] as const;
export type PollErrorReason = (typeof POLL_ERROR_REASONS)[number];

export class SnmpError extends Error {
  constructor(
    readonly reason: PollErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export function classifyError(e: unknown): SnmpError {
  if (e instanceof SnmpError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  if (err instanceof snmp.RequestTimedOutError) return new SnmpError('timeout', err.message);
  if (err instanceof snmp.RequestFailedError) {
    return new SnmpError(err.status === snmp.ErrorStatus.TooBig ? 'too_big' : 'error_status', err.message);
  }
  if (err instanceof snmp.ResponseInvalidError) return new SnmpError('invalid_response', err.message);
  if (/closed/i.test(err.message)) return new SnmpError('closed', err.message);
  return new SnmpError('request_failed', err.message);
}

const AUTH = { sha224: snmp.AuthProtocols.sha224, sha256: snmp.AuthProtocols.sha256, sha384: snmp.AuthProtocols.sha384, sha512: snmp.AuthProtocols.sha512 };
const PRIV = { aes: snmp.PrivProtocols.aes, aes256b: snmp.PrivProtocols.aes256b, aes256r: snmp.PrivProtocols.aes256r };

/** True for noSuchObject, noSuchInstance and endOfMibView varbinds. */
export const isException = (vb: Varbind): boolean =>
  vb.type === snmp.ObjectType.NoSuchObject || vb.type === snmp.ObjectType.NoSuchInstance || vb.type === snmp.ObjectType.EndOfMibView;

export interface TableReadOptions {
  maxRepetitions: number;
  /** Refuse tables with more rows than this (a broken or hostile agent). */
  maxRows?: number;
  /** Give up after this poller time (ms since epoch). */
  deadline?: number;
  now?: () => number;
}

/** Rows of a table read by column: column OID -> (index suffix -> varbind). */
export type ColumnData = Map<string, Map<string, Varbind>>;

/** A table read with the agent's clock: each cell's sysUpTime is the one of the page that carried it. */
export interface TimedColumnData {
  data: ColumnData;
  /** column OID -> (index suffix -> sysUpTime ticks of the GETBULK response that carried the cell). */
  ticks: Map<string, Map<string, number>>;
  /** sysUpTime of the first page, with the poller's clock when it arrived. */
  first: DeviceTime;
}

/** GETNEXT from sysUpTime (no instance) answers sysUpTime.0: a non-repeater that reads the agent clock. */
const UPTIME_NEXT = SYS.upTime;
const UPTIME_INSTANCE = `${SYS.upTime}.0`;

export class SnmpSession {
  private readonly session: Session;
  private closed = false;

  constructor(readonly target: PollTarget) {
    const options = {
      port: target.port ?? 161,
      timeout: target.timeoutMs ?? 2000,
      retries: target.retries ?? 1,
      transport: 'udp4' as const,
      // a response that goes backwards is detected here, per column, not by the library
      backwardsGetNexts: true,
    };
    const c = target.credentials;
    if (c.version === '2c') {
      // explicit: net-snmp's default is SNMPv1, which has no Counter64
      this.session = snmp.createSession(target.host, c.community, { ...options, version: snmp.Version2c });
    } else {
      this.session = snmp.createV3Session(
        target.host,
        {
          name: c.user,
          level: snmp.SecurityLevel.authPriv,
          authProtocol: AUTH[c.authProtocol ?? 'sha256'],
          authKey: c.authKey,
          privProtocol: PRIV[c.privProtocol ?? 'aes'],
          privKey: c.privKey,
        },
        { ...options, version: snmp.Version3 },
      );
    }
    // socket errors surface as failed requests; an unhandled 'error' event would crash the daemon
    this.session.on('error', () => undefined);
  }

  get(oids: string[]): Promise<Varbind[]> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new SnmpError('closed', 'session closed'));
      try {
        this.session.get(oids, (error, varbinds) => (error ? reject(classifyError(error)) : resolve(varbinds ?? [])));
      } catch (e) {
        reject(classifyError(e));
      }
    });
  }

  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number): Promise<Array<Varbind | Varbind[]>> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new SnmpError('closed', 'session closed'));
      try {
        this.session.getBulk(oids, nonRepeaters, maxRepetitions, (error, varbinds) => (error ? reject(classifyError(error)) : resolve(varbinds ?? [])));
      } catch (e) {
        reject(classifyError(e));
      }
    });
  }

  /**
   * Read several columns of a table together: each GETBULK carries every column not yet
   * finished, continuing from its last OID. A column ends when the agent leaves it or says
   * endOfMibView. An OID that does not increase, a round in which no column moves, or more
   * rows than `maxRows` is an error (an agent that would otherwise loop us forever).
   * `tooBig` halves max-repetitions and retries.
   */
  async readColumns(columns: string[], opts: TableReadOptions): Promise<ColumnData> {
    return (await this.readPages(columns, opts, false)).data;
  }

  /**
   * readColumns, with sysUpTime.0 as a non-repeater in every GETBULK, so that a rate's interval
   * is measured by the agent at the instant it read the counters, not one request earlier.
   */
  async readColumnsTimed(columns: string[], opts: TableReadOptions): Promise<TimedColumnData> {
    const r = await this.readPages(columns, opts, true);
    if (!r.first) throw new SnmpError('no_progress', 'table read sent no request');
    return { data: r.data, ticks: r.ticks, first: r.first };
  }

  private async readPages(
    columns: string[],
    opts: TableReadOptions,
    timed: boolean,
  ): Promise<{ data: ColumnData; ticks: Map<string, Map<string, number>>; first?: DeviceTime }> {
    const out: ColumnData = new Map(columns.map((c) => [c, new Map()]));
    const ticks = new Map(columns.map((c) => [c, new Map<string, number>()]));
    const cursor = new Map(columns.map((c) => [c, c]));
    const maxRows = opts.maxRows ?? 20_000;
    const now = opts.now ?? Date.now;
    const lead = timed ? 1 : 0;
    let first: DeviceTime | undefined;
    let active = [...columns];
    let maxRep = Math.max(1, opts.maxRepetitions);
    while (active.length > 0) {
      if (opts.deadline !== undefined && now() > opts.deadline) throw new SnmpError('deadline', 'cycle deadline passed while reading a table');
      let resp: Array<Varbind | Varbind[]>;
      try {
        const cursors = active.map((c) => cursor.get(c) as string);
        resp = await this.getBulk(timed ? [UPTIME_NEXT, ...cursors] : cursors, lead, maxRep);
      } catch (e) {
        if (e instanceof SnmpError && e.reason === 'too_big' && maxRep > 1) {
          maxRep = Math.floor(maxRep / 2);
          continue;
        }
        throw e;
      }
      let pageTicks = 0;
      if (timed) {
        pageTicks = uptimeOf(resp[0]);
        first ??= { uptimeTicks: pageTicks, wallMs: now() };
      }
      const next: string[] = [];
      let moved = false;
      active.forEach((c, i) => {
        const r = resp[i + lead];
        const group = r === undefined ? [] : Array.isArray(r) ? r : [r];
        const rows = out.get(c) as Map<string, Varbind>;
        const rowTicks = ticks.get(c) as Map<string, number>;
        for (const vb of group) {
          if (isException(vb)) return;
          const index = suffixUnder(c, vb.oid);
          if (index === undefined) return;
          if (compareOids(vb.oid, cursor.get(c) as string) <= 0) throw new SnmpError('non_increasing_oid', `${vb.oid} does not follow ${cursor.get(c)}`);
          cursor.set(c, vb.oid);
          rows.set(index, vb);
          if (timed) rowTicks.set(index, pageTicks);
          moved = true;
          if (rows.size > maxRows) throw new SnmpError('table_too_large', `more than ${maxRows} rows under ${c}`);
        }
        next.push(c);
      });
      // progress is a column that moved or ended; agents that cap a response (net-snmp's own) may skip the last columns
      if (next.length > 0 && !moved && next.length === active.length) throw new SnmpError('no_progress', `agent returned nothing for ${next.join(', ')}`);
      active = next;
    }
    return first ? { data: out, ticks, first } : { data: out, ticks };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.session.close();
    } catch {
      // already closed by a socket error
    }
  }
}

/** The non-repeater of a timed page: sysUpTime.0 as TimeTicks, or the page cannot date its counters. */
function uptimeOf(r: Varbind | Varbind[] | undefined): number {
  const vb = Array.isArray(r) ? r[0] : r;
  if (!vb || vb.oid !== UPTIME_INSTANCE || isException(vb)) throw new SnmpError('no_such_object', `GETBULK did not return ${UPTIME_INSTANCE}`);
  if (vb.type !== snmp.ObjectType.TimeTicks || typeof vb.value !== 'number') throw new SnmpError('wrong_type', 'sysUpTime.0 is not TimeTicks');
  return vb.value;
}
