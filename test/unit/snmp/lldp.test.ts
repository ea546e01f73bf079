import { describe, expect, it } from 'vitest';
import snmp, { type Varbind } from 'net-snmp';
import { buildNeighbors, decodeChassisId, decodeNetworkAddress, decodePortId, type LldpTables } from '../../../src/snmp/lldp.js';
import { LLDP, LLDP_REM } from '../../../src/snmp/oids.js';

describe('LLDP ID decoding', () => {
  it('decodes MAC addresses as colon hex', () => {
    expect(decodeChassisId(4, Buffer.from('00a0c9aabb01', 'hex'))).toBe('00:a0:c9:aa:bb:01');
    expect(decodePortId(3, Buffer.from('deadbeef0001', 'hex'))).toBe('de:ad:be:ef:00:01');
  });

  it('decodes network addresses with their IANA family byte', () => {
    expect(decodeChassisId(5, Buffer.from([1, 10, 20, 0, 1]))).toBe('10.20.0.1');
    expect(decodePortId(4, Buffer.from([1, 192, 168, 1, 254]))).toBe('192.168.1.254');
    const v6 = Buffer.concat([Buffer.from([2]), Buffer.from('20010db8000000000000000000000001', 'hex')]);
    expect(decodeNetworkAddress(v6)).toBe('2001:db8::1');
    expect(decodeNetworkAddress(Buffer.from([6, 1, 2]))).toBe('6:0102');
  });

  it('decodes names as text, and binary junk in a name subtype as hex', () => {
    expect(decodeChassisId(7, Buffer.from('core-sw1'))).toBe('core-sw1');
    expect(decodePortId(5, Buffer.from('Gi1/0/24'))).toBe('Gi1/0/24');
    expect(decodePortId(7, Buffer.from([0, 1, 0xff]))).toBe('00:01:ff');
    // a MAC subtype with a wrong length is not forced into a MAC
    expect(decodeChassisId(4, Buffer.from('abc'))).toBe('abc');
  });
});

const vb = (column: number, index: string, type: number, value: unknown): [string, Varbind] => [
  index,
  { oid: `${LLDP.remEntry}.${column}.${index}`, type, value },
];
const T = snmp.ObjectType;

function remote(rows: Array<{ index: string; chassis: Buffer; port: string; sys?: string }>): LldpTables['remote'] {
  const m = new Map<number, Map<string, Varbind>>();
  const put = (column: number, e: [string, Varbind]) => {
    if (!m.has(column)) m.set(column, new Map());
    m.get(column)?.set(e[0], e[1]);
  };
  for (const r of rows) {
    put(LLDP_REM.chassisIdSubtype, vb(LLDP_REM.chassisIdSubtype, r.index, T.Integer, 4));
    put(LLDP_REM.chassisId, vb(LLDP_REM.chassisId, r.index, T.OctetString, r.chassis));
    put(LLDP_REM.portIdSubtype, vb(LLDP_REM.portIdSubtype, r.index, T.Integer, 5));
    put(LLDP_REM.portId, vb(LLDP_REM.portId, r.index, T.OctetString, Buffer.from(r.port)));
    if (r.sys) put(LLDP_REM.sysName, vb(LLDP_REM.sysName, r.index, T.OctetString, Buffer.from(r.sys)));
  }
  return m;
}

describe('buildNeighbors', () => {
  const mac = Buffer.from('020000000001', 'hex');
  it('parses time mark, local port and remote index, and dedupes on (local port, index) keeping the latest', () => {
    const t: LldpTables = {
      localPorts: new Map([[3, { subtype: 5, id: 'ether3' }]]),
      remote: remote([
        { index: '100.3.1', chassis: mac, port: 'old', sys: 'r1' },
        { index: '900.3.1', chassis: mac, port: 'ether1', sys: 'r1' },
        { index: '900.3.2', chassis: mac, port: 'ether2' },
      ]),
      bridgePorts: new Map(),
    };
    const n = buildNeighbors(t, new Map([[13, 'ether3']]));
    expect(n).toEqual([
      {
        localPortNum: 3,
        remIndex: 1,
        timeMark: 900,
        chassisIdSubtype: 4,
        chassisId: '02:00:00:00:00:01',
        portIdSubtype: 5,
        portId: 'ether1',
        sysName: 'r1',
        ifIndex: 13,
        ifName: 'ether3',
      },
      {
        localPortNum: 3,
        remIndex: 2,
        timeMark: 900,
        chassisIdSubtype: 4,
        chassisId: '02:00:00:00:00:01',
        portIdSubtype: 5,
        portId: 'ether2',
        ifIndex: 13,
        ifName: 'ether3',
      },
    ]);
  });

  it('maps local port numbers through dot1dBasePortIfIndex first', () => {
    const t: LldpTables = {
      localPorts: new Map([[1, { subtype: 5, id: 'ether9' }]]),
      remote: remote([{ index: '5.1.1', chassis: mac, port: 'x' }]),
      bridgePorts: new Map([[1, 49]]),
    };
    expect(
      buildNeighbors(
        t,
        new Map([
          [49, 'Gi1/0/49'],
          [9, 'ether9'],
        ]),
      )[0],
    ).toMatchObject({ ifIndex: 49, ifName: 'Gi1/0/49' });
  });

  it('leaves the interface unset when nothing maps, and skips malformed indexes', () => {
    const t: LldpTables = {
      localPorts: new Map(),
      remote: remote([
        { index: '5.7.1', chassis: mac, port: 'x' },
        { index: '7', chassis: mac, port: 'y' },
      ]),
      bridgePorts: new Map(),
    };
    const n = buildNeighbors(t, new Map());
    expect(n).toHaveLength(1);
    expect(n[0]?.ifIndex).toBeUndefined();
  });
});
