/**
 * LLDP-MIB neighbors: decoding (pure) and the walk of lldpLocPortTable, lldpRemTable and
 * BRIDGE-MIB dot1dBasePortIfIndex.
 */
import type { Varbind } from 'net-snmp';
import { DOT1D_BASE_PORT_IFINDEX, LLDP, LLDP_LOC_PORT, LLDP_REM, col } from './oids.js';
import type { SnmpSession } from './session.js';

export interface LldpNeighbor {
  localPortNum: number;
  /** The local interface, when the port number could be mapped. */
  ifIndex?: number;
  ifName?: string;
  remIndex: number;
  timeMark: number;
  chassisIdSubtype: number;
  chassisId: string;
  portIdSubtype: number;
  portId: string;
  portDesc?: string;
  sysName?: string;
}

const isText = (b: Buffer): boolean => b.length > 0 && [...b].every((c) => c >= 0x20 && c < 0x7f);
const colonHex = (b: Buffer): string => [...b].map((c) => c.toString(16).padStart(2, '0')).join(':');

/** IANA address family numbers 1 (IPv4) and 2 (IPv6); others as `family:hex`. */
export function decodeNetworkAddress(b: Buffer): string {
  const family = b[0];
  const addr = b.subarray(1);
  if (family === 1 && addr.length === 4) return [...addr].join('.');
  if (family === 2 && addr.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(addr.readUInt16BE(i).toString(16));
    // compress the longest run of zero groups, as RFC 5952 says
    let best = { at: -1, len: 0 };
    for (let i = 0; i < 8; ) {
      if (groups[i] !== '0') {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
      i = j;
    }
    if (best.at < 0) return groups.join(':');
    return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
  }
  return `${family ?? 0}:${addr.toString('hex')}`;
}

const text = (b: Buffer): string => (isText(b) ? b.toString('latin1') : colonHex(b));

/** LldpChassisIdSubtype: 4 macAddress, 5 networkAddress; the others are names. */
export function decodeChassisId(subtype: number, b: Buffer): string {
  if (subtype === 4 && b.length === 6) return colonHex(b);
  if (subtype === 5 && b.length > 1) return decodeNetworkAddress(b);
  return text(b);
}

/** LldpPortIdSubtype: 3 macAddress, 4 networkAddress; the others are names. */
export function decodePortId(subtype: number, b: Buffer): string {
  if (subtype === 3 && b.length === 6) return colonHex(b);
  if (subtype === 4 && b.length > 1) return decodeNetworkAddress(b);
  return text(b);
}

const buf = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v ?? '')));
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

export interface LldpTables {
  /** lldpLocPortTable: port number -> (subtype, id). */
  localPorts: Map<number, { subtype: number; id: string }>;
  /** lldpRemTable cells by column number, keyed by the row's index suffix. */
  remote: Map<number, Map<string, Varbind>>;
  /** dot1dBasePort -> ifIndex (empty on devices without BRIDGE-MIB). */
  bridgePorts: Map<number, number>;
}

/**
 * Neighbors from the raw tables. The index of lldpRemTable is time mark, local port number,
 * remote index: the last three arcs. The same (local port, remote index) can appear under
 * two time marks while an agent ages an entry; the latest wins.
 */
export function buildNeighbors(t: LldpTables, ifNames: Map<number, string>): LldpNeighbor[] {
  const byName = new Map([...ifNames].map(([ifIndex, name]) => [name, ifIndex]));
  const cell = (column: number, index: string) => t.remote.get(column)?.get(index)?.value;
  const indexes = new Set<string>();
  for (const m of t.remote.values()) for (const k of m.keys()) indexes.add(k);
  const found = new Map<string, LldpNeighbor>();
  for (const index of indexes) {
    const parts = index.split('.').map(Number);
    if (parts.length < 3 || parts.some((n) => !Number.isInteger(n))) continue;
    const [timeMark, localPortNum, remIndex] = parts.slice(-3) as [number, number, number];
    const chassisIdSubtype = int(cell(LLDP_REM.chassisIdSubtype, index)) ?? 0;
    const portIdSubtype = int(cell(LLDP_REM.portIdSubtype, index)) ?? 0;
    const n: LldpNeighbor = {
      localPortNum,
      remIndex,
      timeMark,
      chassisIdSubtype,
      chassisId: decodeChassisId(chassisIdSubtype, buf(cell(LLDP_REM.chassisId, index))),
      portIdSubtype,
      portId: decodePortId(portIdSubtype, buf(cell(LLDP_REM.portId, index))),
    };
    const desc = cell(LLDP_REM.portDesc, index);
    if (desc !== undefined && buf(desc).length) n.portDesc = buf(desc).toString('utf8');
    const sys = cell(LLDP_REM.sysName, index);
    if (sys !== undefined && buf(sys).length) n.sysName = buf(sys).toString('utf8');
    const ifIndex =
      t.bridgePorts.get(localPortNum) ??
      (() => {
        const loc = t.localPorts.get(localPortNum);
        return loc ? byName.get(loc.id) : undefined;
      })();
    if (ifIndex !== undefined) {
      n.ifIndex = ifIndex;
      const name = ifNames.get(ifIndex);
      if (name !== undefined) n.ifName = name;
    }
    const key = `${localPortNum}.${remIndex}`;
    const prev = found.get(key);
    if (!prev || prev.timeMark < timeMark) found.set(key, n);
  }
  return [...found.values()].sort((a, b) => a.localPortNum - b.localPortNum || a.remIndex - b.remIndex);
}

const REM_COLUMNS = [LLDP_REM.chassisIdSubtype, LLDP_REM.chassisId, LLDP_REM.portIdSubtype, LLDP_REM.portId, LLDP_REM.portDesc, LLDP_REM.sysName];

/** Walk the LLDP tables of one device. */
export async function readLldp(session: SnmpSession, opts: { maxRepetitions: number; deadline?: number; now?: () => number }): Promise<LldpTables> {
  const locCols = [col(LLDP.locPortEntry, LLDP_LOC_PORT.idSubtype), col(LLDP.locPortEntry, LLDP_LOC_PORT.id)];
  const remCols = REM_COLUMNS.map((c) => col(LLDP.remEntry, c));
  const data = await session.readColumns([...locCols, ...remCols, DOT1D_BASE_PORT_IFINDEX], { ...opts, maxRows: 5000 });
  const localPorts = new Map<number, { subtype: number; id: string }>();
  for (const [index, vb] of data.get(locCols[1] as string) ?? []) {
    const subtype = int(data.get(locCols[0] as string)?.get(index)?.value) ?? 0;
    localPorts.set(Number(index), { subtype, id: decodePortId(subtype, buf(vb.value)) });
  }
  const remote = new Map(REM_COLUMNS.map((c, i) => [c, data.get(remCols[i] as string) ?? new Map<string, Varbind>()]));
  const bridgePorts = new Map<number, number>();
  for (const [index, vb] of data.get(DOT1D_BASE_PORT_IFINDEX) ?? []) {
    const ifIndex = int(vb.value);
    if (ifIndex !== undefined) bridgePorts.set(Number(index), ifIndex);
  }
  return { localPorts, remote, bridgePorts };
}
