import { afterEach, describe, expect, it } from 'vitest';
import snmp, { type Varbind } from 'net-snmp';
import { ManualClock } from '../../../src/common/clock.js';
import { SimulatedSwitch, type SimSwitchOptions } from '../../../src/lab/snmp/switch.js';
import { decodeCounter64 } from '../../../src/snmp/counters.js';
import { col, IFX, IFX_ENTRY, SYS } from '../../../src/snmp/oids.js';
import { Poller } from '../../../src/snmp/poller.js';
import { SnmpSession, type PollTarget } from '../../../src/snmp/session.js';

const sims: SimulatedSwitch[] = [];
const closers: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(o: SimSwitchOptions): Promise<SimulatedSwitch> {
  const s = await SimulatedSwitch.start(o);
  sims.push(s);
  return s;
}
const target = (s: SimulatedSwitch, o: Partial<PollTarget> = {}): PollTarget => ({
  id: s.opts.name,
  host: '127.0.0.1',
  port: s.port,
  credentials: { version: '2c', community: 'public' },
  timeoutMs: 1000,
  retries: 0,
  lldp: false,
  ...o,
});
const ports = (n: number) =>
  Array.from({ length: n }, (_, k) => ({ ifIndex: k + 1, name: `ge-0/0/${k + 1}`, speedMbps: 1000, inBps: (k + 1) * 50e6, outBps: (k + 1) * 10e6 }));
const IN64 = col(IFX_ENTRY, IFX.hcInOctets);

/** The old way: sysUpTime in a GET, then the counters in a GETBULK of their own. */
async function oldSample(s: SnmpSession): Promise<{ ticks: number; in1: bigint }> {
  const [up] = await s.get([`${SYS.upTime}.0`]);
  const data = await s.readColumns([IN64], { maxRepetitions: 25 });
  return { ticks: up?.value as number, in1: decodeCounter64(data.get(IN64)?.get('1')?.value) };
}

describe('sysUpTime read in the same GETBULK as the counters', () => {
  it('keeps rates exact when the agent answers late, where a separate sysUpTime read is off', async () => {
    const clock = new ManualClock();
    const s = await sim({ clock, name: 'slow-sw', ports: ports(2) });
    // each request reaches the agent `latency` ms after the previous one was answered
    let latency = 0;
    s.onRequest(() => clock.advance(latency));
    const p = new Poller({ clock });
    closers.push(p);
    p.setDevices([target(s)]);
    const old = new SnmpSession(target(s));
    closers.push(old);

    await p.pollOnce();
    const o1 = await oldSample(old);
    clock.advance(30_000);
    latency = 3_000;
    const r = await p.pollOnce();
    const o2 = await oldSample(old);

    expect(r.devices[0]).toMatchObject({ state: 'up', rates: 2 });
    const ifs = p.interfaces('slow-sw') ?? [];
    for (const [k, i] of ifs.entries()) {
      expect(Math.abs((i.rates?.inBps ?? 0) / ((k + 1) * 50e6) - 1)).toBeLessThan(0.01);
      expect(Math.abs((i.rates?.outBps ?? 0) / ((k + 1) * 10e6) - 1)).toBeLessThan(0.01);
    }
    // the same agent, the same latencies, read the old way: the interval misses one request's latency
    const oldRate = (Number(o2.in1 - o1.in1) * 8) / ((o2.ticks - o1.ticks) / 100);
    expect(Math.abs(oldRate / 50e6 - 1)).toBeGreaterThan(0.05);
  });

  it('dates each row by the page that carried it when the table spans many slow pages', async () => {
    const clock = new ManualClock();
    // 3 varbinds per response: one sysUpTime and two cells, so a row's in and out octets land on different pages
    const s = await sim({ clock, name: 'paged-sw', ports: ports(4), bulk: { maxVarbinds: 3 } });
    let latency = 0;
    let requests = 0;
    s.onRequest(() => {
      requests++;
      clock.advance(latency);
    });
    const p = new Poller({ clock });
    closers.push(p);
    p.setDevices([target(s, { maxRepetitions: 2 })]);
    await p.pollOnce();
    const firstCycle = requests;
    clock.advance(60_000);
    latency = 1_230;
    const r = await p.pollOnce();
    expect(requests - firstCycle).toBeGreaterThan(10);
    expect(r.devices[0]).toMatchObject({ state: 'up', rates: 4 });
    const ifs = p.interfaces('paged-sw') ?? [];
    expect(ifs).toHaveLength(4);
    for (const [k, i] of ifs.entries()) {
      expect(Math.abs((i.rates?.inBps ?? 0) / ((k + 1) * 50e6) - 1)).toBeLessThan(0.01);
      expect(Math.abs((i.rates?.outBps ?? 0) / ((k + 1) * 10e6) - 1)).toBeLessThan(0.01);
    }
    // the device's uptime is the first page's: it moved by the interval plus the GET's latency
    expect(p.deviceState('paged-sw')?.uptimeTicks).toBe((60_000 + 2 * 1_230) / 10);
  });

  it('the lab agent answers non-repeaters once each, before the repetitions, in both GETBULK modes', async () => {
    const clock = new ManualClock();
    const s = await sim({ clock, name: 'nr-sw', ports: ports(4) });
    const session = new SnmpSession(target(s));
    closers.push(session);
    clock.advance(12_340);
    const r = await session.getBulk([SYS.upTime, SYS.name, IN64, col(IFX_ENTRY, IFX.hcOutOctets)], 2, 3);
    expect(r).toHaveLength(4);
    expect(r[0]).toMatchObject({ oid: `${SYS.upTime}.0`, type: snmp.ObjectType.TimeTicks, value: 1234 });
    expect(r[1]).toMatchObject({ oid: `${SYS.name}.0`, value: Buffer.from('nr-sw') });
    expect((r[2] as Varbind[]).map((v) => v.oid)).toEqual([1, 2, 3].map((k) => `${IN64}.${k}`));
    expect((r[3] as Varbind[]).map((v) => v.oid)).toEqual([1, 2, 3].map((k) => `${col(IFX_ENTRY, IFX.hcOutOctets)}.${k}`));
    // more non-repeaters than varbinds: each is answered once, nothing repeats
    const only = await session.getBulk([SYS.upTime], 5, 10);
    expect(only).toHaveLength(1);
    expect(only[0]).toMatchObject({ oid: `${SYS.upTime}.0` });

    // a response cut at the agent's size limit keeps the non-repeater
    const small = await sim({ clock, name: 'small-sw', ports: ports(4), bulk: { maxVarbinds: 3 } });
    const ss = new SnmpSession(target(small));
    closers.push(ss);
    const cut = await ss.getBulk([SYS.upTime, IN64], 1, 10);
    expect(cut[0]).toMatchObject({ oid: `${SYS.upTime}.0` });
    expect((cut[1] as Varbind[]).map((v) => v.oid)).toEqual([`${IN64}.1`, `${IN64}.2`]);

    // net-snmp's native agent (max-repetitions varbinds in all) also answers the non-repeater first
    const native = await sim({ clock, name: 'native-sw', ports: ports(2), bulk: { conformant: false } });
    const p = new Poller({ clock });
    closers.push(p);
    p.setDevices([target(native)]);
    await p.pollOnce();
    clock.advance(10_000);
    expect((await p.pollOnce()).devices[0]).toMatchObject({ state: 'up', rates: 2 });
    expect(p.interfaces('native-sw')?.[1]?.rates?.inBps).toBe(100e6);
  });
});
