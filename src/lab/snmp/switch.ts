/**
 * A simulated switch or router: net-snmp's own agent on 127.0.0.1 serving SNMPv2-MIB system,
 * IF-MIB ifTable/ifXTable, BRIDGE-MIB dot1dBasePortTable and LLDP-MIB, with values computed
 * from `SimDeviceModel` at request time (so an injected clock drives them).
 */
import dgram from 'node:dgram';
import snmp, { type Agent, type Mib, type MibRequest, type ProviderDefinition, type TableColumn } from 'net-snmp';
import { systemClock, type Clock } from '../../common/clock.js';
import { encodeCounter64 } from '../../snmp/counters.js';
import { DOT1D_BASE_PORT_ENTRY, IF, IF_ENTRY, IF_NUMBER, IFX, IFX_ENTRY, LLDP, LLDP_LOC_PORT, LLDP_REM, SYS } from '../../snmp/oids.js';
import { SimDeviceModel, type SimPortConfig } from './model.js';
import { conformGetBulk } from './getbulk.js';

const T = snmp.ObjectType;
const RO = snmp.MaxAccess['read-only'];
const NA = snmp.MaxAccess['not-accessible'];

export interface SimV3User {
  name: string;
  authKey: string;
  privKey: string;
}

/** LLDP chassis/port ID subtypes (LldpChassisIdSubtype / LldpPortIdSubtype). */
export interface SimLldpNeighbor {
  localPortNum: number;
  remIndex?: number;
  chassisIdSubtype: number;
  chassisId: Buffer | string;
  portIdSubtype: number;
  portId: Buffer | string;
  portDesc?: string;
  sysName?: string;
  sysDesc?: string;
}

export interface SimLldpLocalPort {
  portNum: number;
  portIdSubtype: number;
  portId: Buffer | string;
  portDesc?: string;
}

export interface SimSwitchOptions {
  name: string;
  descr?: string;
  objectId?: string;
  ports: SimPortConfig[];
  /** false: a 32-bit-only device without ifXTable. */
  ifXTable?: boolean;
  community?: string;
  /** SNMPv3 users, authPriv with SHA-256 and AES-128. */
  v3Users?: SimV3User[];
  lldp?: {
    /** Default: one per port, numbered by ifIndex, port ID = ifName (subtype 5, interfaceName). */
    localPorts?: SimLldpLocalPort[];
    neighbors?: SimLldpNeighbor[];
    chassisMac?: string;
  };
  /** BRIDGE-MIB dot1dBasePortIfIndex rows (a bridge's port numbers differ from ifIndex). */
  bridgePorts?: Array<{ basePort: number; ifIndex: number }>;
  clock?: Clock;
  uptimeStartTicks?: number;
  /** UDP port on 127.0.0.1; 0 or absent for an ephemeral port. */
  port?: number;
  /** GETBULK answers as RFC 3416 says (default), or as net-snmp's agent does natively. */
  bulk?: { conformant?: boolean; maxVarbinds?: number };
}

export const macBytes = (mac: string): Buffer => Buffer.from(mac.replace(/[^0-9a-f]/gi, ''), 'hex');
const bytes = (v: Buffer | string): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v));

/** Index arcs of a table instance OID below its entry OID: [column, ...index]. */
const instanceArcs = (entry: string, oid: string): number[] =>
  oid
    .slice(entry.length + 1)
    .split('.')
    .map(Number);

export class SimulatedSwitch {
  readonly address = '127.0.0.1';
  readonly model: SimDeviceModel;
  private readonly clock: Clock;
  private readonly mib: Mib;
  private muted = false;
  private delayMs = 0;
  private requestHook: (() => void) | undefined;
  private neighbors: Array<SimLldpNeighbor & { timeMark: number; remIndex: number }> = [];
  private lldpLastChange = 0;
  /** Requests the agent could not process (bad community, garbage packets). */
  agentErrors = 0;
  /** Responses sent: lets tests see how many round trips a poll took. */
  responsesSent = 0;
  /** Column OID -> the type and value served instead (an agent that returns wrong types). */
  private readonly cellFaults = new Map<string, { type: number; value: unknown }>();

  private constructor(
    readonly opts: SimSwitchOptions,
    private readonly agent: Agent,
    readonly port: number,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.model = new SimDeviceModel(opts.ports, this.now(), opts.uptimeStartTicks ?? 0);
    this.mib = agent.getMib();
    this.registerSystem();
    this.registerInterfaces();
    if (opts.bridgePorts) this.registerBridge(opts.bridgePorts);
    if (opts.lldp) this.registerLldp();
  }

  static async start(opts: SimSwitchOptions): Promise<SimulatedSwitch> {
    let sim: SimulatedSwitch | undefined;
    let socket: dgram.Socket | undefined;
    // net-snmp's listener turns port 0 into 161; its dgramModule hook lets us bind where we want,
    // and lets the lab drop or delay responses to play a dead or slow device.
    const dgramModule = {
      createSocket(type: 'udp4') {
        const s = dgram.createSocket(type);
        const bind = s.bind.bind(s);
        (s as unknown as { bind: unknown }).bind = () => bind(opts.port ?? 0, '127.0.0.1');
        const send = s.send.bind(s) as (...a: unknown[]) => void;
        (s as unknown as { send: unknown }).send = (...args: unknown[]) => {
          if (sim?.muted) return;
          if (sim) sim.responsesSent++;
          if (sim && sim.delayMs > 0) setTimeout(() => send(...args), sim.delayMs);
          else send(...args);
        };
        socket = s;
        return s;
      },
    };
    const agent = snmp.createAgent({ port: opts.port || 1, address: '127.0.0.1', dgramModule } as Parameters<typeof snmp.createAgent>[0], (error) => {
      if (error && sim) sim.agentErrors++;
    });
    const s = socket;
    if (!s) throw new Error('agent created no socket');
    // before the agent's own listener: the hook runs before any value of the request is computed
    s.prependListener('message', () => sim?.requestHook?.());
    await new Promise<void>((resolve, reject) => {
      s.once('listening', resolve);
      s.once('error', reject);
    });
    const authorizer = agent.getAuthorizer();
    authorizer.addCommunity(opts.community ?? 'public');
    for (const u of opts.v3Users ?? []) {
      authorizer.addUser({
        name: u.name,
        level: snmp.SecurityLevel.authPriv,
        authProtocol: snmp.AuthProtocols.sha256,
        authKey: u.authKey,
        privProtocol: snmp.PrivProtocols.aes,
        privKey: u.privKey,
      });
    }
    if (opts.bulk?.conformant !== false) conformGetBulk(agent, opts.bulk?.maxVarbinds ?? 400);
    sim = new SimulatedSwitch(opts, agent, s.address().port);
    return sim;
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private uptime(): number {
    return this.model.uptimeTicks(this.now());
  }

  private scalar(name: string, oid: string, type: number, value: unknown, compute?: () => unknown): void {
    const def: ProviderDefinition = { name, type: snmp.MibProviderType.Scalar, oid, scalarType: type, maxAccess: RO };
    if (compute) {
      def.handler = (req: MibRequest) => {
        req.instanceNode.value = compute();
        req.done();
      };
    }
    this.mib.registerProvider(def);
    this.mib.setScalarValue(name, value);
  }

  private registerSystem(): void {
    const o = this.opts;
    this.scalar('sysDescr', SYS.descr, T.OctetString, o.descr ?? `Simpul lab switch ${o.name}`);
    this.scalar('sysObjectID', SYS.objectId, T.OID, o.objectId ?? '1.3.6.1.4.1.8072.3.2.10');
    this.scalar('sysUpTime', SYS.upTime, T.TimeTicks, 0, () => this.uptime());
    this.scalar('sysName', SYS.name, T.OctetString, o.name);
    this.scalar('ifNumber', IF_NUMBER, T.Integer, 0, () => this.model.portList().length);
  }

  private ifCell(column: number, ifIndex: number): unknown {
    const p = this.model.port(ifIndex);
    if (!p) return null;
    const c = p.cfg;
    const now = this.now();
    const c32 = (n: bigint) => Number(n % (1n << 32n));
    switch (column) {
      case IF.index:
        return ifIndex;
      case IF.descr:
        return c.descr;
      case IF.type:
        return 6; // ethernetCsmacd
      case IF.speed:
        return Math.min(c.speedMbps * 1e6, 2 ** 32 - 1);
      case IF.physAddress:
        return Buffer.from(c.mac.replace(/:/g, ''), 'hex');
      case IF.adminStatus:
        return c.adminUp ? 1 : 2;
      case IF.operStatus:
        return c.operUp ? 1 : 2;
      case IF.inOctets:
        return c32(this.model.octets(ifIndex, 'in', now));
      case IF.inUcastPkts:
        return c32(this.model.packets(ifIndex, 'in', now));
      case IF.inDiscards:
        return c32(this.model.discards(ifIndex, now));
      case IF.inErrors:
        return c32(this.model.errors(ifIndex, now));
      case IF.outOctets:
        return c32(this.model.octets(ifIndex, 'out', now));
      case IF.outUcastPkts:
        return c32(this.model.packets(ifIndex, 'out', now));
      case IF.outDiscards:
        return c32(this.model.discards(ifIndex, now));
      case IF.outErrors:
        return c32(this.model.errors(ifIndex, now));
      default:
        return null;
    }
  }

  private ifxCell(column: number, ifIndex: number): unknown {
    const p = this.model.port(ifIndex);
    if (!p) return null;
    const now = this.now();
    switch (column) {
      case IFX.name:
        return p.cfg.name;
      case IFX.hcInOctets:
        return encodeCounter64(this.model.octets(ifIndex, 'in', now));
      case IFX.hcInUcastPkts:
        return encodeCounter64(this.model.packets(ifIndex, 'in', now));
      case IFX.hcOutOctets:
        return encodeCounter64(this.model.octets(ifIndex, 'out', now));
      case IFX.hcOutUcastPkts:
        return encodeCounter64(this.model.packets(ifIndex, 'out', now));
      case IFX.highSpeed:
        return p.cfg.speedMbps;
      case IFX.alias:
        return p.cfg.alias;
      case IFX.counterDiscontinuityTime:
        return p.discontinuityTicks;
      default:
        return null;
    }
  }

  private table(
    name: string,
    oid: string,
    columns: TableColumn[],
    tableIndex: ProviderDefinition['tableIndex'],
    cell?: (column: number, index: number[]) => unknown,
  ): void {
    const def: ProviderDefinition = { name, type: snmp.MibProviderType.Table, oid, maxAccess: NA, tableColumns: columns, tableIndex };
    if (cell) {
      def.handler = (req: MibRequest) => {
        const [column, ...index] = instanceArcs(oid, req.oid);
        const fault = this.cellFaults.get(`${oid}.${column}`);
        if (fault) {
          req.instanceNode.valueType = fault.type;
          req.instanceNode.value = fault.value;
          return req.done();
        }
        const v = column === undefined ? null : cell(column, index);
        if (v !== null) req.instanceNode.value = v;
        req.instanceNode.valueType = columns.find((c) => c.number === column)?.type ?? req.instanceNode.valueType;
        req.done();
      };
    }
    this.mib.registerProvider(def);
  }

  private registerInterfaces(): void {
    const c = (number: number, name: string, type: number, maxAccess = RO): TableColumn => ({ number, name, type, maxAccess });
    this.table(
      'ifTable',
      IF_ENTRY,
      [
        c(IF.index, 'ifIndex', T.Integer),
        c(IF.descr, 'ifDescr', T.OctetString),
        c(IF.type, 'ifType', T.Integer),
        c(IF.speed, 'ifSpeed', T.Gauge),
        c(IF.physAddress, 'ifPhysAddress', T.OctetString),
        c(IF.adminStatus, 'ifAdminStatus', T.Integer),
        c(IF.operStatus, 'ifOperStatus', T.Integer),
        c(IF.inOctets, 'ifInOctets', T.Counter),
        c(IF.inUcastPkts, 'ifInUcastPkts', T.Counter),
        c(IF.inDiscards, 'ifInDiscards', T.Counter),
        c(IF.inErrors, 'ifInErrors', T.Counter),
        c(IF.outOctets, 'ifOutOctets', T.Counter),
        c(IF.outUcastPkts, 'ifOutUcastPkts', T.Counter),
        c(IF.outDiscards, 'ifOutDiscards', T.Counter),
        c(IF.outErrors, 'ifOutErrors', T.Counter),
      ],
      [{ columnName: 'ifIndex' }],
      (column, [ifIndex]) => this.ifCell(column, ifIndex ?? 0),
    );
    if (this.opts.ifXTable !== false) {
      this.table(
        'ifXTable',
        IFX_ENTRY,
        [
          c(IFX.name, 'ifName', T.OctetString),
          c(IFX.hcInOctets, 'ifHCInOctets', T.Counter64),
          c(IFX.hcInUcastPkts, 'ifHCInUcastPkts', T.Counter64),
          c(IFX.hcOutOctets, 'ifHCOutOctets', T.Counter64),
          c(IFX.hcOutUcastPkts, 'ifHCOutUcastPkts', T.Counter64),
          c(IFX.highSpeed, 'ifHighSpeed', T.Gauge),
          c(IFX.alias, 'ifAlias', T.OctetString),
          c(IFX.counterDiscontinuityTime, 'ifCounterDiscontinuityTime', T.TimeTicks),
        ],
        [{ columnName: 'ifIndex', foreign: 'ifTable' } as { columnName: string }],
        (column, [ifIndex]) => this.ifxCell(column, ifIndex ?? 0),
      );
    }
    for (const p of this.model.portList()) this.addRows(p.cfg.ifIndex);
  }

  private addRows(ifIndex: number): void {
    const ifRow = [
      IF.index,
      IF.descr,
      IF.type,
      IF.speed,
      IF.physAddress,
      IF.adminStatus,
      IF.operStatus,
      IF.inOctets,
      IF.inUcastPkts,
      IF.inDiscards,
      IF.inErrors,
      IF.outOctets,
      IF.outUcastPkts,
      IF.outDiscards,
      IF.outErrors,
    ];
    this.mib.addTableRow(
      'ifTable',
      ifRow.map((col) => this.ifCell(col, ifIndex)),
    );
    if (this.opts.ifXTable !== false) {
      const x = [IFX.name, IFX.hcInOctets, IFX.hcInUcastPkts, IFX.hcOutOctets, IFX.hcOutUcastPkts, IFX.highSpeed, IFX.alias, IFX.counterDiscontinuityTime];
      // net-snmp's type check wants 8-byte Counter64 buffers in stored rows; served values are recomputed anyway
      this.mib.addTableRow('ifXTable', [
        ifIndex,
        ...x.map((col) => (this.ifxCell(col, ifIndex) instanceof Buffer ? Buffer.alloc(8) : this.ifxCell(col, ifIndex))),
      ]);
    }
  }

  private registerBridge(rows: Array<{ basePort: number; ifIndex: number }>): void {
    this.table(
      'dot1dBasePortTable',
      DOT1D_BASE_PORT_ENTRY,
      [
        { number: 1, name: 'dot1dBasePort', type: T.Integer, maxAccess: RO },
        { number: 2, name: 'dot1dBasePortIfIndex', type: T.Integer, maxAccess: RO },
      ],
      [{ columnName: 'dot1dBasePort' }],
    );
    for (const r of rows) this.mib.addTableRow('dot1dBasePortTable', [r.basePort, r.ifIndex]);
  }

  private registerLldp(): void {
    const l = this.opts.lldp ?? {};
    this.scalar('lldpStatsRemTablesLastChangeTime', LLDP.statsRemTablesLastChangeTime, T.TimeTicks, 0, () => this.lldpLastChange);
    this.scalar('lldpLocChassisIdSubtype', LLDP.locChassisIdSubtype, T.Integer, 4);
    this.scalar('lldpLocChassisId', LLDP.locChassisId, T.OctetString, macBytes(l.chassisMac ?? '02:00:00:00:00:00'));
    this.scalar('lldpLocSysName', LLDP.locSysName, T.OctetString, this.opts.name);
    this.table(
      'lldpLocPortTable',
      LLDP.locPortEntry,
      [
        { number: LLDP_LOC_PORT.num, name: 'lldpLocPortNum', type: T.Integer, maxAccess: NA },
        { number: LLDP_LOC_PORT.idSubtype, name: 'lldpLocPortIdSubtype', type: T.Integer, maxAccess: RO },
        { number: LLDP_LOC_PORT.id, name: 'lldpLocPortId', type: T.OctetString, maxAccess: RO },
        { number: LLDP_LOC_PORT.desc, name: 'lldpLocPortDesc', type: T.OctetString, maxAccess: RO },
      ],
      [{ columnName: 'lldpLocPortNum' }],
    );
    const local = l.localPorts ?? this.model.portList().map((p) => ({ portNum: p.cfg.ifIndex, portIdSubtype: 5, portId: p.cfg.name, portDesc: p.cfg.descr }));
    for (const p of local) this.mib.addTableRow('lldpLocPortTable', [p.portNum, p.portIdSubtype, bytes(p.portId), p.portDesc ?? '']);
    const s = (n: number, name: string, type: number, maxAccess = RO): TableColumn => ({ number: n, name, type, maxAccess });
    this.table(
      'lldpRemTable',
      LLDP.remEntry,
      [
        s(LLDP_REM.timeMark, 'lldpRemTimeMark', T.TimeTicks, NA),
        s(LLDP_REM.localPortNum, 'lldpRemLocalPortNum', T.Integer, NA),
        s(LLDP_REM.index, 'lldpRemIndex', T.Integer, NA),
        s(LLDP_REM.chassisIdSubtype, 'lldpRemChassisIdSubtype', T.Integer),
        s(LLDP_REM.chassisId, 'lldpRemChassisId', T.OctetString),
        s(LLDP_REM.portIdSubtype, 'lldpRemPortIdSubtype', T.Integer),
        s(LLDP_REM.portId, 'lldpRemPortId', T.OctetString),
        s(LLDP_REM.portDesc, 'lldpRemPortDesc', T.OctetString),
        s(LLDP_REM.sysName, 'lldpRemSysName', T.OctetString),
        s(LLDP_REM.sysDesc, 'lldpRemSysDesc', T.OctetString),
      ],
      [{ columnName: 'lldpRemTimeMark' }, { columnName: 'lldpRemLocalPortNum' }, { columnName: 'lldpRemIndex' }],
    );
    this.setNeighbors(l.neighbors ?? []);
  }

  /** Replace the LLDP neighbors; lldpStatsRemTablesLastChangeTime moves. */
  setNeighbors(neighbors: SimLldpNeighbor[]): void {
    for (const n of this.neighbors) this.mib.deleteTableRow('lldpRemTable', [n.timeMark, n.localPortNum, n.remIndex]);
    const timeMark = this.uptime();
    this.neighbors = neighbors.map((n, i) => ({ ...n, timeMark, remIndex: n.remIndex ?? i + 1 }));
    for (const n of this.neighbors) {
      this.mib.addTableRow('lldpRemTable', [
        n.timeMark,
        n.localPortNum,
        n.remIndex,
        n.chassisIdSubtype,
        bytes(n.chassisId),
        n.portIdSubtype,
        bytes(n.portId),
        n.portDesc ?? '',
        n.sysName ?? '',
        n.sysDesc ?? '',
      ]);
    }
    this.lldpLastChange = timeMark;
  }

  reboot(): void {
    this.model.reboot(this.now());
    if (this.neighbors.length) this.setNeighbors(this.neighbors);
    else this.lldpLastChange = 0;
  }

  setPort(ifIndex: number, patch: Parameters<SimDeviceModel['setPort']>[1]): void {
    this.model.setPort(ifIndex, patch, this.now());
  }

  resetCounters(ifIndex: number): void {
    this.model.resetCounters(ifIndex, this.now());
  }

  addPort(cfg: SimPortConfig): void {
    this.model.addPort(cfg, this.now());
    this.addRows(cfg.ifIndex);
  }

  removePort(ifIndex: number): void {
    if (!this.model.removePort(ifIndex)) return;
    this.mib.deleteTableRow('ifTable', [ifIndex]);
    if (this.opts.ifXTable !== false) this.mib.deleteTableRow('ifXTable', [ifIndex]);
  }

  /** Serve every cell of a column with this type and value (undefined: serve it right again). */
  setColumnFault(columnOid: string, fault: { type: number; value: unknown } | undefined): void {
    if (fault) this.cellFaults.set(columnOid, fault);
    else this.cellFaults.delete(columnOid);
  }

  /** Stop answering (a dead device), or answer again. */
  mute(on = true): void {
    this.muted = on;
  }

  /**
   * Call `hook` as each request arrives, before the agent computes any value: with an injected
   * ManualClock a test advances it there to play per-request latency (undefined: no hook).
   */
  onRequest(hook: (() => void) | undefined): void {
    this.requestHook = hook;
  }

  /** Answer every request this much later (a slow device). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.agent.close(() => resolve()));
  }
}
