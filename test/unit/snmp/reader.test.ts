import { describe, expect, it } from 'vitest';
import snmp, { type Varbind } from 'net-snmp';
import { encodeCounter64 } from '../../../src/snmp/counters.js';
import { IF_COLUMNS as C, interfacePolls, namesFromTable, tableIndexes } from '../../../src/snmp/reader.js';
import type { TimedColumnData } from '../../../src/snmp/session.js';

const T = snmp.ObjectType;

/** A table read: column -> index -> [type, value, ticks of the page that carried it]. */
function table(cells: Record<string, Record<string, [number, unknown, number?]>>): TimedColumnData {
  const data = new Map<string, Map<string, Varbind>>();
  const ticks = new Map<string, Map<string, number>>();
  for (const [column, rows] of Object.entries(cells)) {
    data.set(column, new Map(Object.entries(rows).map(([i, [type, value]]) => [i, { oid: `${column}.${i}`, type, value }])));
    ticks.set(column, new Map(Object.entries(rows).map(([i, [, , t]]) => [i, t ?? 1000])));
  }
  return { data, ticks, first: { uptimeTicks: 1000, wallMs: 1_700_000_000_000 } };
}

const up = (n = 1): [number, unknown] => [T.Integer, n];

describe('the interface read (pure)', () => {
  it('decodes HC octets, 32-bit errors and speed, each counter dated by its own page', () => {
    const t = table({
      [C.oper]: { '1': up(), '2': up(2) },
      [C.admin]: { '1': up(), '2': up() },
      [C.speed]: { '1': [T.Gauge, 4294967295], '2': [T.Gauge, 100_000_000] },
      [C.highSpeed]: { '1': [T.Gauge, 10_000], '2': [T.Gauge, 0] },
      [C.in64]: { '1': [T.Counter64, encodeCounter64(1n << 40n), 1000], '2': [T.Counter64, encodeCounter64(5n), 1001] },
      [C.out64]: { '1': [T.Counter64, encodeCounter64(7n), 1002], '2': [T.Counter64, encodeCounter64(6n), 1001] },
      [C.inErr]: { '1': [T.Counter, 3, 999] },
      [C.descr]: { '1': [T.OctetString, Buffer.from('GigabitEthernet0/1')], '2': [T.OctetString, Buffer.from('Gi0/2')] },
      [C.name]: { '1': [T.OctetString, Buffer.from('Gi0/1')] },
      [C.alias]: { '1': [T.OctetString, Buffer.from('uplink')] },
    });
    const indexes = tableIndexes(t.data);
    const names = namesFromTable(t.data, indexes);
    expect(names.get(1)).toEqual({ name: 'Gi0/1', descr: 'GigabitEthernet0/1', alias: 'uplink' });
    // no ifName: ifDescr names the interface
    expect(names.get(2)).toEqual({ name: 'Gi0/2', descr: 'Gi0/2', alias: '' });

    const { interfaces, missing64 } = interfacePolls(t, indexes, names, true);
    expect(missing64).toBe(false);
    const [a, b] = interfaces;
    expect(a).toMatchObject({ ifIndex: 1, name: 'Gi0/1', operStatus: 1, adminStatus: 1, speedBps: 10e9, wrongType: false });
    expect(a?.reading).toMatchObject({
      identity: 'Gi0/1',
      octetBits: 64,
      inOctets: 1n << 40n,
      outOctets: 7n,
      inErrors: 3n,
      ticks: { inOctets: 1000, outOctets: 1002, inErrors: 999 },
    });
    expect(a?.reading?.outErrors).toBeUndefined();
    // ifHighSpeed 0 falls back to ifSpeed
    expect(b).toMatchObject({ ifIndex: 2, operStatus: 2, speedBps: 100e6 });
  });

  it('falls back to 32-bit octets and says so when a device with ifXTable lacks HC counters', () => {
    const t = table({
      [C.oper]: { '1': up(), '2': up() },
      [C.in64]: { '1': [T.Counter64, encodeCounter64(10n)] },
      [C.out64]: { '1': [T.Counter64, encodeCounter64(11n)] },
      [C.in32]: { '1': [T.Counter, 1], '2': [T.Counter, 20] },
      [C.out32]: { '1': [T.Counter, 2], '2': [T.Counter, 21] },
    });
    const { interfaces, missing64 } = interfacePolls(t, tableIndexes(t.data), new Map(), true);
    expect(missing64).toBe(true);
    expect(interfaces[0]?.reading).toMatchObject({ octetBits: 64, inOctets: 10n });
    expect(interfaces[1]?.reading).toMatchObject({ octetBits: 32, inOctets: 20n, outOctets: 21n, identity: '2' });
    expect(interfaces[1]).toMatchObject({ name: '2', descr: '2', alias: '' });
  });

  it('flags wrong types and undecodable counters without a reading, and keeps the other interfaces', () => {
    const t = table({
      [C.oper]: { '1': [T.OctetString, 'up'], '2': up(), '3': up() },
      [C.in64]: { '1': [T.Counter64, encodeCounter64(1n)], '2': [T.Counter64, Buffer.alloc(10, 0xff)], '3': [T.Counter64, encodeCounter64(1n)] },
      [C.out64]: { '1': [T.Counter64, encodeCounter64(1n)], '2': [T.Counter64, encodeCounter64(1n)], '3': [T.Integer, 5] },
    });
    const { interfaces } = interfacePolls(t, tableIndexes(t.data), new Map(), true);
    expect(interfaces.map((i) => [i.ifIndex, i.wrongType, i.reading !== undefined])).toEqual([
      [1, true, true], // the status cell is wrong, the counters are fine
      [2, true, false], // a Counter64 of 10 bytes
      [3, true, false], // a Counter64 column answering Integer
    ]);
    expect(interfaces[0]?.operStatus).toBeUndefined();
  });

  it('ignores rows whose index is not a number', () => {
    const t = table({ [C.oper]: { '1': up(), '1.5': up(), x: up() } });
    expect(tableIndexes(t.data)).toEqual(['1']);
  });
});
