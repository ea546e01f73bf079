/**
 * The read side of SNMP polling for the API: backbone links, interfaces, LLDP neighbors and
 * device poll state, scoped to what the actor may see (another OPD's device answers 404).
 */
import { canSeeOpd, requirePermission, type Actor } from '../auth/actor.js';
import { AppError, notFound } from '../common/errors.js';
import type { Device, Inventory } from '../inventory/model.js';
import { currentPort, linkHealth, type BackboneLink, type LinkEndHealth, type LinkStatus } from './backbone.js';
import type { LldpStore } from './lldp-store.js';
import type { InterfaceView, Poller } from './poller.js';

/** IF-MIB ifOperStatus / ifAdminStatus values by number. */
const IF_STATUS = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'];
export const ifStatusName = (n: number | undefined): string | null => (n === undefined ? null : (IF_STATUS[n] ?? `other(${n})`));

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);
const num = (n: number | undefined): number | null => (n === undefined || !Number.isFinite(n) ? null : n);

export interface LinkEndOut {
  device: string;
  port: string;
  operStatus: string | null;
  inBps: number | null;
  outBps: number | null;
}

export interface LinkOut {
  id: string;
  opd: string | null;
  capacityBps: number;
  status: LinkStatus;
  /** When Simpul saw the status change (or first saw it after start); null before the first poll. */
  since: string | null;
  a: LinkEndOut;
  b: LinkEndOut;
  receiveBps: number | null;
  transmitBps: number | null;
  utilization: number | null;
  errorsPerSec: number | null;
  discardsPerSec: number | null;
}

export interface InterfaceOut {
  index: number;
  name: string;
  descr: string;
  alias: string;
  operStatus: string | null;
  adminStatus: string | null;
  speedBps: number | null;
  inBps: number | null;
  outBps: number | null;
  inErrorsPerSec: number | null;
  outErrorsPerSec: number | null;
  inDiscardsPerSec: number | null;
  outDiscardsPerSec: number | null;
  counterBits: number | null;
  receiveBytesTotal: string;
  transmitBytesTotal: string;
  lastDiscontinuity: string | null;
  lastDiscontinuityAt: string | null;
  lastRejected: string | null;
  sampledAt: string | null;
}

export interface PollStateOut {
  device: string;
  opd: string;
  version: string;
  polled: boolean;
  /** up, degraded, down, unknown (not polled yet) or not_polled (see reason). */
  state: string;
  reason: string | null;
  sysName: string | null;
  uptimeSeconds: number | null;
  lastPollAt: string | null;
  lastPollSeconds: number | null;
  interfaceCount: number;
  hasIfXTable: boolean | null;
  errors: Record<string, number>;
  rejected: Record<string, number>;
}

export interface NeighborOut {
  localPort: string;
  localIfIndex: number | null;
  remoteChassis: string;
  remoteChassisSubtype: number | null;
  remotePort: string;
  remotePortSubtype: number | null;
  remotePortDesc: string | null;
  remoteSysName: string | null;
  /** The inventory device the neighbor's sysName names (its id, name or polled sysName), when visible. */
  remoteDevice: string | null;
  firstSeen: string;
  lastSeen: string;
}

export interface SnmpServiceDeps {
  poller: Poller;
  lldp: LldpStore;
}

export class SnmpService {
  private devices = new Map<string, Device>();
  private links: BackboneLink[] = [];
  private linksByDevice = new Map<string, BackboneLink[]>();
  private skipped = new Map<string, string>();
  private readonly status = new Map<string, { status: LinkStatus; since: Date }>();

  constructor(private readonly deps: SnmpServiceDeps) {}

  /** The poller, for the records remote site agents upload (src/agents): they land in the same state. */
  get poller(): Poller {
    return this.deps.poller;
  }

  /** A new inventory (start, reload) and the devices of it that are not polled. */
  update(inv: Inventory, links: BackboneLink[], skipped: Map<string, string>): void {
    this.devices = new Map(inv.devices.map((d) => [d.id, d]));
    this.links = links;
    this.skipped = skipped;
    this.linksByDevice = new Map();
    for (const l of links) {
      for (const dev of new Set([l.a.device, l.b.device])) this.linksByDevice.set(dev, [...(this.linksByDevice.get(dev) ?? []), l]);
    }
    const ids = new Set(links.map((l) => l.id));
    for (const id of [...this.status.keys()]) if (!ids.has(id)) this.status.delete(id);
  }

  backboneLinks(): BackboneLink[] {
    return this.links;
  }

  /** After a device poll: note when the status of its links changed. */
  observe(deviceId: string, at: Date): void {
    for (const l of this.linksByDevice.get(deviceId) ?? []) {
      const s = linkHealth(l, this.deps.poller).status;
      const prev = this.status.get(l.id);
      if (!prev || prev.status !== s) this.status.set(l.id, { status: s, since: at });
    }
  }

  backbone(actor: Actor): LinkOut[] {
    requirePermission(actor, 'read');
    const p = this.deps.poller;
    // linkHealth has already dropped what a device that does not answer cannot tell (currentPort)
    const end = (h: LinkEndHealth): LinkEndOut => ({
      device: h.device,
      port: String(h.port),
      operStatus: ifStatusName(h.operStatus),
      inBps: num(h.rates?.inBps),
      outBps: num(h.rates?.outBps),
    });
    return this.links
      .filter((l) => canSeeOpd(actor, this.devices.get(l.a.device)?.opd) || canSeeOpd(actor, this.devices.get(l.b.device)?.opd))
      .map((l) => {
        const h = linkHealth(l, p);
        return {
          id: l.id,
          opd: l.opd ?? null,
          capacityBps: h.capacityBps,
          status: h.status,
          since: iso(this.status.get(l.id)?.since),
          a: end(h.a),
          b: end(h.b),
          receiveBps: num(h.receiveBps),
          transmitBps: num(h.transmitBps),
          utilization: num(h.utilization),
          errorsPerSec: num(h.errorsPerSec),
          discardsPerSec: num(h.discardsPerSec),
        };
      });
  }

  /** The device if the actor may see it and it has `snmp:`; 404 otherwise, saying which. */
  private snmpDevice(actor: Actor, id: string): Device {
    requirePermission(actor, 'read');
    const d = this.devices.get(id);
    if (!d || !canSeeOpd(actor, d.opd)) throw notFound('device', id);
    if (!d.snmp) {
      throw new AppError(
        404,
        'SNMP_NOT_CONFIGURED',
        `device '${id}' has no snmp: section in the inventory, so Simpul does not poll it; add snmp: { version: "2c" or "3", credentials: <name> } to its entry and reload`,
      );
    }
    return d;
  }

  pollState(actor: Actor, id: string): PollStateOut {
    return this.stateOf(this.snmpDevice(actor, id));
  }

  pollStates(actor: Actor): PollStateOut[] {
    requirePermission(actor, 'read');
    return [...this.devices.values()].filter((d) => d.snmp && canSeeOpd(actor, d.opd)).map((d) => this.stateOf(d));
  }

  private stateOf(d: Device): PollStateOut {
    const v = this.deps.poller.deviceState(d.id);
    return {
      device: d.id,
      opd: d.opd,
      version: d.snmp?.version ?? '',
      polled: v !== undefined,
      state: v?.state ?? 'not_polled',
      reason: v ? (v.reason ?? (v.agent !== undefined ? `polled by agent ${v.agent}` : null)) : (this.skipped.get(d.id) ?? 'not polled'),
      sysName: v?.sysName ?? null,
      uptimeSeconds: v?.uptimeTicks === undefined ? null : v.uptimeTicks / 100,
      lastPollAt: iso(v?.lastPollAt),
      lastPollSeconds: num(v?.lastPollSeconds),
      interfaceCount: v?.interfaceCount ?? 0,
      hasIfXTable: v?.hasIfXTable ?? null,
      errors: v?.errors ?? {},
      rejected: v?.rejected ?? {},
    };
  }

  interfaces(actor: Actor, id: string): { device: string; state: string; lastPollAt: string | null; interfaces: InterfaceOut[] } {
    const d = this.snmpDevice(actor, id);
    const list = this.deps.poller.interfaces(d.id);
    if (!list) throw new AppError(404, 'SNMP_NOT_POLLED', `device '${id}' is not polled: ${this.skipped.get(d.id) ?? 'unknown reason'}`);
    const state = this.stateOf(d);
    // a device that does not answer has no current port status or rate (as on /backbone)
    return { device: d.id, state: state.state, lastPollAt: state.lastPollAt, interfaces: list.map((v) => interfaceOut(currentPort(v, state.state))) };
  }

  neighbors(actor: Actor, id: string): { device: string; neighbors: NeighborOut[] } {
    const d = this.snmpDevice(actor, id);
    const names = new Map<string, Device>();
    for (const dev of this.devices.values()) {
      for (const n of [dev.id, dev.name, this.deps.poller.deviceState(dev.id)?.sysName]) if (n) names.set(n.toLowerCase(), dev);
    }
    const match = (sysName: string | null): string | null => {
      if (!sysName) return null;
      const s = sysName.toLowerCase();
      // a sysName is often a host name with the domain
      const dev = names.get(s) ?? names.get(s.split('.')[0] ?? s);
      return dev && canSeeOpd(actor, dev.opd) ? dev.id : null;
    };
    return {
      device: d.id,
      neighbors: this.deps.lldp.rows(d.id).map((r) => ({
        localPort: r.local_port,
        localIfIndex: r.local_if_index,
        remoteChassis: r.remote_chassis,
        remoteChassisSubtype: r.remote_chassis_subtype,
        remotePort: r.remote_port,
        remotePortSubtype: r.remote_port_subtype,
        remotePortDesc: r.remote_port_desc,
        remoteSysName: r.remote_sys_name,
        remoteDevice: match(r.remote_sys_name),
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      })),
    };
  }
}

function interfaceOut(v: InterfaceView): InterfaceOut {
  return {
    index: v.ifIndex,
    name: v.name,
    descr: v.descr,
    alias: v.alias,
    operStatus: ifStatusName(v.operStatus),
    adminStatus: ifStatusName(v.adminStatus),
    speedBps: num(v.speedBps),
    inBps: num(v.rates?.inBps),
    outBps: num(v.rates?.outBps),
    inErrorsPerSec: num(v.rates?.inErrorsPerSec),
    outErrorsPerSec: num(v.rates?.outErrorsPerSec),
    inDiscardsPerSec: num(v.rates?.inDiscardsPerSec),
    outDiscardsPerSec: num(v.rates?.outDiscardsPerSec),
    counterBits: v.counterBits ?? null,
    receiveBytesTotal: v.totals.inOctets.toString(),
    transmitBytesTotal: v.totals.outOctets.toString(),
    lastDiscontinuity: v.lastDiscontinuity ?? null,
    lastDiscontinuityAt: iso(v.lastDiscontinuityAt),
    lastRejected: v.lastRejected ?? null,
    sampledAt: iso(v.sampledAt),
  };
}
