import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import snmp from 'net-snmp';
import { ManualClock } from '../../../src/common/clock.js';
import { SimulatedSwitch } from '../../../src/lab/snmp/switch.js';
import { Poller } from '../../../src/snmp/poller.js';
import { IFX, IFX_ENTRY, col } from '../../../src/snmp/oids.js';

const sims: SimulatedSwitch[] = [];
const sockets: dgram.Socket[] = [];
let poller: Poller | undefined;
afterEach(async () => {
  poller?.close();
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
const target = (id: string, port: number, timeoutMs = 1000) => ({
  id,
  host: '127.0.0.1',
  port,
  credentials: { version: '2c' as const, community: 'public' },
  timeoutMs,
  retries: 0,
});
const ports = [
  { ifIndex: 1, name: 'p1', speedMbps: 1000, inBps: 1e6 },
  { ifIndex: 2, name: 'p2', speedMbps: 1000, inBps: 2e6 },
];

describe('agents that misbehave', () => {
  it('wrong value types are rejected samples, counted, and no rate is invented', async () => {
    const clock = new ManualClock();
    const sw = await SimulatedSwitch.start({ clock, name: 'sw', ports });
    sims.push(sw);
    poller = new Poller({ clock });
    poller.setDevices([target('sw', sw.port)]);
    await poller.pollOnce();
    sw.setColumnFault(col(IFX_ENTRY, IFX.hcInOctets), { type: snmp.ObjectType.OctetString, value: 'not a counter' });
    clock.advance(10_000);
    const r = await poller.pollOnce();
    expect(r.devices[0]).toMatchObject({ state: 'degraded', rejected: 2, rates: 0 });
    expect(poller.deviceState('sw')?.rejected).toEqual({ wrong_type: 2 });
    expect(poller.interfaces('sw')?.every((i) => i.rates === undefined && i.lastRejected === 'wrong_type')).toBe(true);
    // healed: the next poll falls back to 32-bit counters for a cycle or uses 64 again, never a spike
    sw.setColumnFault(col(IFX_ENTRY, IFX.hcInOctets), undefined);
    clock.advance(10_000);
    await poller.pollOnce();
    clock.advance(10_000);
    await poller.pollOnce();
    expect(poller.interfaces('sw')?.map((i) => i.rates?.inBps)).toEqual([1e6, 2e6]);
    expect(poller.deviceState('sw')?.state).toBe('up');
  });

  it('an agent answering garbage is down (timeout) and the others are polled', async () => {
    const clock = new ManualClock();
    const sw = await SimulatedSwitch.start({ clock, name: 'ok', ports });
    sims.push(sw);
    const junk = dgram.createSocket('udp4');
    sockets.push(junk);
    junk.on('message', (_m, rinfo) => {
      junk.send(Buffer.from([0x30, 0x82, 0xff, 0xff, 0x02, 0x01]), rinfo.port, rinfo.address);
      junk.send(Buffer.from('definitely not BER'), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => junk.bind(0, '127.0.0.1', r));
    poller = new Poller({ clock });
    poller.setDevices([target('junk', junk.address().port, 300), target('ok', sw.port)]);
    const r = await poller.pollOnce();
    expect(Object.fromEntries(r.devices.map((d) => [d.deviceId, d.state]))).toEqual({ junk: 'down', ok: 'up' });
    expect(Object.keys(poller.deviceState('junk')?.errors ?? {})).toHaveLength(1);
  });

  it('the simulated agent survives garbage packets and keeps answering', async () => {
    const sw = await SimulatedSwitch.start({ name: 'sw', ports });
    sims.push(sw);
    const s = dgram.createSocket('udp4');
    sockets.push(s);
    await new Promise<void>((r) => s.send(Buffer.from([0x30, 0x03, 0x02, 0x01]), sw.port, '127.0.0.1', () => r()));
    poller = new Poller();
    poller.setDevices([target('sw', sw.port)]);
    await poller.pollOnce();
    expect(poller.deviceState('sw')?.state).toBe('up');
  });
});
