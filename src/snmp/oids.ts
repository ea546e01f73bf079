/** OIDs Simpul reads (and the lab serves): SNMPv2-MIB, IF-MIB, BRIDGE-MIB, LLDP-MIB. */

export const SYS = {
  descr: '1.3.6.1.2.1.1.1',
  objectId: '1.3.6.1.2.1.1.2',
  upTime: '1.3.6.1.2.1.1.3',
  name: '1.3.6.1.2.1.1.5',
} as const;

export const IF_NUMBER = '1.3.6.1.2.1.2.1';

/** ifEntry and its columns. */
export const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
export const IF = {
  index: 1,
  descr: 2,
  type: 3,
  speed: 5,
  physAddress: 6,
  adminStatus: 7,
  operStatus: 8,
  inOctets: 10,
  inUcastPkts: 11,
  inDiscards: 13,
  inErrors: 14,
  outOctets: 16,
  outUcastPkts: 17,
  outDiscards: 19,
  outErrors: 20,
} as const;

/** ifXEntry (augments ifEntry) and its columns. */
export const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';
export const IFX = {
  name: 1,
  hcInOctets: 6,
  hcInUcastPkts: 7,
  hcOutOctets: 10,
  hcOutUcastPkts: 11,
  highSpeed: 15,
  alias: 18,
  counterDiscontinuityTime: 19,
} as const;

/** BRIDGE-MIB dot1dBasePortEntry: column 1 dot1dBasePort, 2 dot1dBasePortIfIndex. */
export const DOT1D_BASE_PORT_ENTRY = '1.3.6.1.2.1.17.1.4.1';
export const DOT1D_BASE_PORT_IFINDEX = `${DOT1D_BASE_PORT_ENTRY}.2`;

/** LLDP-MIB (IEEE 802.1AB-2005), lldpObjects = 1.0.8802.1.1.2.1. */
export const LLDP = {
  statsRemTablesLastChangeTime: '1.0.8802.1.1.2.1.2.1',
  locChassisIdSubtype: '1.0.8802.1.1.2.1.3.1',
  locChassisId: '1.0.8802.1.1.2.1.3.2',
  locSysName: '1.0.8802.1.1.2.1.3.3',
  locPortEntry: '1.0.8802.1.1.2.1.3.7.1',
  remEntry: '1.0.8802.1.1.2.1.4.1.1',
} as const;
export const LLDP_LOC_PORT = { num: 1, idSubtype: 2, id: 3, desc: 4 } as const;
export const LLDP_REM = {
  timeMark: 1,
  localPortNum: 2,
  index: 3,
  chassisIdSubtype: 4,
  chassisId: 5,
  portIdSubtype: 6,
  portId: 7,
  portDesc: 8,
  sysName: 9,
  sysDesc: 10,
} as const;

export const col = (entry: string, column: number): string => `${entry}.${column}`;

/** Numeric arcs of a dotted OID. */
export const arcs = (oid: string): number[] => oid.split('.').map(Number);

/**
 * Lexicographic OID comparison by arcs. Runs for every varbind of every table read, so it walks
 * the two strings arc by arc instead of splitting them into arrays.
 */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  for (;;) {
    if (i >= a.length || j >= b.length) return (i >= a.length ? 0 : 1) - (j >= b.length ? 0 : 1);
    let x = 0;
    let y = 0;
    for (; i < a.length && a.charCodeAt(i) !== 46; i++) x = x * 10 + a.charCodeAt(i) - 48;
    for (; j < b.length && b.charCodeAt(j) !== 46; j++) y = y * 10 + b.charCodeAt(j) - 48;
    if (x !== y) return x - y;
    i++;
    j++;
  }
}

/** The index part of `oid` below `prefix`, or undefined when `oid` is not under it. */
export function suffixUnder(prefix: string, oid: string): string | undefined {
  return oid.startsWith(`${prefix}.`) ? oid.slice(prefix.length + 1) : undefined;
}
