import { describe, expect, it } from 'vitest';
import { checkLabel, checkLabels, checkMirror, type LabelContext } from '../../../src/labels/validate.js';
import { parseLabel } from '../../../src/labels/grammar.js';
import type { DeviceRef, TopologyGraph } from '../../../src/topology/model.js';

const devices: DeviceRef[] = [
  { id: 'dinkes-rtr01', opd: 'DINKES', label: 'RTR01', space: 'L1R01', interfaces: ['ether1', 'ether2', 'ether3', 'sfp-sfpplus1'] },
  { id: 'dinkes-sw01', opd: 'DINKES', label: 'SW01', space: 'L1R01', ports: 48 },
  { id: 'dinkes-sw02', opd: 'DINKES', space: 'L1R03', ports: 24 },
  { id: 'dinkes-ap01', opd: 'DINKES', label: 'AP01', space: 'L1R04', interfaces: ['ether1', 'wifi1'] },
  { id: 'bpkad-sw01', opd: 'BPKAD', label: 'SW01', space: 'L1R01', ports: 24 },
];
const ctx: LabelContext = { opds: ['DINKES', 'BPKAD'], devices };
const codes = (text: string, c: LabelContext = ctx) => checkLabel(text, c).issues.map((i) => i.code);

describe('meaning of one label', () => {
  it('accepts a label whose devices and ports exist', () => {
    const r = checkLabel('DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1', ctx);
    expect(r.ok).toBe(true);
    expect(r.issues).toEqual([]);
    expect(r.cable).toBeTypeOf('string');
  });

  it('finds a device by its id when the inventory has no label code (dinkes-sw02 -> SW02)', () => {
    expect(codes('DINKES.L1R01.SW01:24/DINKES.L1R03.SW02:24')).toEqual([]);
  });

  it('unknown OPD, device and port, each with the part and column', () => {
    const r = checkLabel('DINKEZ.L1R01.SW01:1/DINKES.L1R04.AP09:ether1', ctx);
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => [i.code, i.part, i.end, i.column])).toEqual([
      ['LABEL_OPD_UNKNOWN', 'opd', 'near', 1],
      ['LABEL_DEVICE_UNKNOWN', 'device', 'far', 34],
    ]);
    const p = checkLabel('DINKES.L1R01.SW01:49/DINKES.L1R04.AP01:ether7', ctx);
    expect(p.issues.map((i) => [i.code, i.end])).toEqual([
      ['LABEL_PORT_UNKNOWN', 'near'],
      ['LABEL_PORT_UNKNOWN', 'far'],
    ]);
    expect(p.issues[0]?.message.id).toContain('1-48');
    expect(p.issues[1]?.message.en).toContain('ether1, wifi1');
  });

  it('interface names are normalized: Gi-style and MikroTik names compare as ports', () => {
    expect(codes('DINKES.L1R01.RTR01:ETHER2/DINKES.L1R01.SW01:Gi1-0-5')).toEqual([]);
  });

  it('both ends the same', () => {
    expect(codes('DINKES.L1R01.SW01:1/DINKES.L1R01.SW01:1')).toContain('LABEL_SAME_END');
    expect(codes('DINKES.L1R01.SW01:1/DINKES.L1R01.SW01:2')).not.toContain('LABEL_SAME_END');
  });

  it('room code disagreeing with the inventory is a warning', () => {
    const r = checkLabel('DINKES.L2R09.SW01:1/DINKES.L1R04.AP01:ether1', ctx);
    expect(r.issues.map((i) => [i.code, i.severity])).toEqual([['LABEL_SPACE_MISMATCH', 'warning']]);
    expect(r.ok).toBe(true);
  });

  it('a device that is only in the diagram exists', () => {
    const diagram: TopologyGraph = {
      source: 'yaml',
      opd: 'DINKES',
      nodes: [{ id: 'x', label: 'Printer', deviceId: 'dinkes-prn01', ips: [], ports: ['eth0'] }],
      links: [],
    };
    expect(codes('DINKES.L1R01.SW01:3/DINKES.L1R05.PRN01:eth0', { ...ctx, diagram })).toEqual([]);
    expect(codes('DINKES.L1R01.SW01:3/DINKES.L1R05.PRN01:eth0')).toEqual(['LABEL_DEVICE_UNKNOWN']);
    expect(checkLabels(['DINKES.L1R01.SW01:3/DINKES.L1R05.PRN01:eth0'], { ...ctx, diagram })[0]?.issues.map((i) => i.code)).toEqual(['LABEL_NOT_IN_DIAGRAM']);
  });
});

describe('labels together', () => {
  it('a label used twice in the OPD, in either direction', () => {
    const r = checkLabels(
      ['DINKES.L1R01.SW01:1/DINKES.L1R04.AP01:ether1', 'DINKES.L1R04.AP01:ether1/DINKES.L1R01.SW01:1', 'DINKES.L1R01.SW01:2/DINKES.L1R01.RTR01:ether3'],
      ctx,
    );
    expect(r.map((c) => c.issues.map((i) => i.code))).toEqual([['LABEL_DUPLICATE'], ['LABEL_DUPLICATE'], []]);
    expect(r[0]?.issues[0]?.message.en).toContain('#1, #2');
  });

  it('a port on two different cables', () => {
    const r = checkLabels(['DINKES.L1R01.SW01:1/DINKES.L1R04.AP01:ether1', 'DINKES.L1R01.SW01:1/DINKES.L1R01.RTR01:ether3'], ctx);
    expect(r[0]?.issues).toEqual([]);
    expect(r[1]?.issues.map((i) => [i.code, i.end])).toEqual([['LABEL_PORT_REUSED', 'near']]);
    expect(r[1]?.ok).toBe(false);
  });

  it('a port written two ways is one port (Gi1-0-24 and 24 on a 48-port switch): reuse and duplicates are found', () => {
    const dinkes = { ...ctx, opd: 'DINKES' };
    const reused = checkLabels(['DINKES.L1R01.SW01:Gi1-0-24/DINKES.L1R04.AP01:ether1', 'DINKES.L1R01.SW01:24/DINKES.L1R01.RTR01:ether3'], dinkes);
    expect(reused[0]?.issues).toEqual([]);
    expect(reused[1]?.issues.map((i) => [i.code, i.end])).toEqual([['LABEL_PORT_REUSED', 'near']]);
    // Named ports too: GigabitEthernet-style and MikroTik names resolve to the name the device declares.
    const named = checkLabels(['DINKES.L1R01.RTR01:ether3/DINKES.L1R01.SW01:1', 'DINKES.L1R01.SW01:2/DINKES.L1R01.RTR01:3'], dinkes);
    expect(named[1]?.issues.map((i) => [i.code, i.end])).toEqual([['LABEL_PORT_REUSED', 'far']]);
    const dup = checkLabels(['DINKES.L1R01.SW01:Gi1-0-24/DINKES.L1R04.AP01:ether1', 'DINKES.L1R04.AP01:ether1/DINKES.L1R01.SW01:24'], dinkes);
    expect(dup.map((c) => c.issues.map((i) => i.code))).toEqual([['LABEL_DUPLICATE'], ['LABEL_DUPLICATE']]);
  });

  it('same device code in two OPDs is two devices', () => {
    const r = checkLabels(['DINKES.L1R01.SW01:1/DINKES.L1R04.AP01:ether1', 'BPKAD.L1R01.SW01:1/BPKAD.L1R01.SW01:2'], ctx);
    expect(r.flatMap((c) => c.issues)).toEqual([]);
  });

  it('the far-end sticker must mirror the near one', () => {
    const near = parseLabel('DINKES.L1R01.SW01:1/DINKES.L1R04.AP01:ether1');
    const good = parseLabel('DINKES.L1R04.AP01:ether1/DINKES.L1R01.SW01:1');
    const same = parseLabel('DINKES.L1R01.SW01:1/DINKES.L1R04.AP01:ether1');
    if (!near.ok || !good.ok || !same.ok) throw new Error('parse');
    expect(checkMirror(near.label, good.label)).toBeUndefined();
    const bad = checkMirror(near.label, same.label);
    expect(bad?.code).toBe('LABEL_ENDS_INCONSISTENT');
    expect(bad?.message.id).toContain("seharusnya 'DINKES.L1R04.AP01:ether1/DINKES.L1R01.SW01:1'");
  });

  it('agrees with the diagram link, or says what differs', () => {
    const diagram: TopologyGraph = {
      source: 'yaml',
      opd: 'DINKES',
      nodes: [
        { id: 'n1', label: 'SW01', deviceId: 'dinkes-sw01', ips: [], ports: [] },
        { id: 'n2', label: 'AP01', deviceId: 'dinkes-ap01', ips: [], ports: [] },
      ],
      links: [{ id: 'l1', a: { node: 'n1', port: '5' }, b: { node: 'n2', port: 'ether1' } }],
    };
    const r = checkLabels(['DINKES.L1R04.AP01:ether1/DINKES.L1R01.SW01:5', 'DINKES.L1R01.SW01:6/DINKES.L1R04.AP01:ether1'], { ...ctx, diagram });
    expect(r[0]?.issues).toEqual([]);
    expect(r[1]?.issues.map((i) => i.code)).toContain('LABEL_LINK_MISMATCH');
    const m = r[1]?.issues.find((i) => i.code === 'LABEL_LINK_MISMATCH');
    expect(m?.message.en).toContain('the label says SW01:6, the line is drawn to SW01:5');
    expect(m?.message.id).toContain('label menyebut SW01:6, garis tergambar ke SW01:5');
  });
});
