import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { ManualClock } from '../../../src/common/clock.js';
import { SimulatedSwitch, type SimSwitchOptions } from '../../../src/lab/snmp/switch.js';
import { Poller, type DevicePollResult } from '../../../src/snmp/poller.js';
import type { PollTarget } from '../../../src/snmp/session.js';

const sims: SimulatedSwitch[] = [];
const pollers: Poller[] = [];
afterEach(async () => {
  for (const p of pollers.splice(0)) p.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(clock: ManualClock, o: Partial<SimSwitchOptions> & Pick<SimSwitchOptions, 'name' | 'ports'>): Promise<SimulatedSwitch> {
  const s = await SimulatedSwitch.start({ clock, ...o });
  sims.push(s);
  return s;
}
function poller(clock: ManualClock, extra: ConstructorParameters<typeof Poller>[0] = {}): Poller {
  const p = new Poller({ clock, concurrency: 8, ...extra });
  pollers.push(p);
  return p;
}
const v2 = (id: string, s: SimulatedSwitch, o: Partial<PollTarget> = {}): PollTarget => ({
  id,
  host: '127.0.0.1',
  port: s.port,
  credentials: { version: '2c', community: 'public' },
  timeoutMs: 1000,
  retries: 0,
  ...o,
});

const ports = [
  { ifIndex: 1, name: 'ge-0/0/1', alias: 'uplink core', speedMbps: 1000, inBps: 100e6, outBps: 20e6, errorsPerSec: 2 },
  { ifIndex: 2, name: 'ge-0/0/2', speedMbps: 1000, inBps: 0, outBps: 0, operUp: false },
];

describe('poller against simulated switches over UDP', () => {
  it('polls a v2c 64-bit switch: names, status, rates over the agent interval, totals', async () => {
    const clock = new ManualClock();
    const s = await sim(clock, { name: 'core-sw1', ports });
    const p = poller(clock);
    p.setDevices([v2('core-sw1', s, { opd: 'DISKOMINFO' })]);
    const r1 = await p.pollOnce();
    expect(r1.devices[0]).toMatchObject({ deviceId: 'core-sw1', state: 'up', rates: 0, discontinuities: 2 });
    expect(p.deviceState('core-sw1')).toMatchObject({ state: 'up', sysName: 'core-sw1', hasIfXTable: true, interfaceCount: 2, opd: 'DISKOMINFO' });
    let ifs = p.interfaces('core-sw1') ?? [];
    expect(ifs.map((i) => [i.ifIndex, i.name, i.alias, i.operUp, i.speedBps, i.counterBits])).toEqual([
      [1, 'ge-0/0/1', 'uplink core', true, 1e9, 64],
      [2, 'ge-0/0/2', '', false, 1e9, 64],
    ]);
    expect(ifs[0]?.rates).toBeUndefined();

    clock.advance(30_000);
    const r2 = await p.pollOnce();
    expect(r2.devices[0]).toMatchObject({ state: 'up', rates: 2, rejected: 0 });
    ifs = p.interfaces('core-sw1') ?? [];
    expect(ifs[0]?.rates).toMatchObject({ inBps: 100e6, outBps: 20e6, inErrorsPerSec: 2, outErrorsPerSec: 2 });
    expect(ifs[0]?.totals.inOctets).toBe(375_000_000n);
    expect(ifs[1]?.rates).toMatchObject({ inBps: 0, outBps: 0 });
  });

  it('polls over SNMPv3 authPriv (SHA-256, AES)', async () => {
    const clock = new ManualClock();
    const s = await sim(clock, {
      name: 'sw-v3',
      ports,
      v3Users: [{ name: 'simpul', authKey: 'auth-secret-1', privKey: 'priv-secret-1' }],
      community: 'not-this-one',
    });
    const p = poller(clock);
    p.setDevices([v2('sw-v3', s, { credentials: { version: '3', user: 'simpul', authKey: 'auth-secret-1', privKey: 'priv-secret-1' } })]);
    await p.pollOnce();
    clock.advance(10_000);
    await p.pollOnce();
    expect(p.deviceState('sw-v3')).toMatchObject({ state: 'up', sysName: 'sw-v3' });
    expect(p.interfaces('sw-v3')?.[0]?.rates?.inBps).toBe(100e6);

    // wrong key: the device is down with a reason, not a crash
    const bad = poller(clock);
    bad.setDevices([v2('sw-v3', s, { credentials: { version: '3', user: 'simpul', authKey: 'wrong-key-000', privKey: 'priv-secret-1' }, timeoutMs: 300 })]);
    const r = await bad.pollOnce();
    expect(r.devices[0]?.state).toBe('down');
    expect(bad.deviceState('sw-v3')?.reason).toMatch(/system group/);
  });

  it('falls back to 32-bit counters without ifXTable and gets the rate right across a Counter32 wrap', async () => {
    const clock = new ManualClock();
    const s = await sim(clock, {
      name: 'old-sw',
      ifXTable: false,
      ports: [{ ifIndex: 1, name: 'port1', speedMbps: 100, inBps: 80e6, outBps: 1e6, startOctets: 2n ** 32n - 1000n }],
    });
    const p = poller(clock);
    p.setDevices([v2('old-sw', s)]);
    await p.pollOnce();
    clock.advance(30_000); // 300 MB at 80 Mb/s: the Counter32 wraps
    await p.pollOnce();
    const [i] = p.interfaces('old-sw') ?? [];
    expect(p.deviceState('old-sw')?.hasIfXTable).toBe(false);
    expect(i).toMatchObject({ name: 'port1', counterBits: 32, speedBps: 100e6 });
    expect(i?.rates?.inBps).toBe(80e6);
    expect(i?.totals.inOctets).toBe(300_000_000n);
  });

  it('sees a reboot: no spike, totals stay monotonic, then rates again', async () => {
    const clock = new ManualClock();
    const s = await sim(clock, { name: 'sw-reboot', ports, uptimeStartTicks: 50_000_000 });
    const p = poller(clock);
    p.setDevices([v2('sw', s)]);
    await p.pollOnce();
    clock.advance(30_000);
    await p.pollOnce();
    const before = p.interfaces('sw')?.[0]?.totals.inOctets ?? 0n;
    clock.advance(10_000);
    s.reboot();
    clock.advance(20_000);
    const r = await p.pollOnce();
    const [i] = p.interfaces('sw') ?? [];
    expect(r.devices[0]).toMatchObject({ rates: 0, discontinuities: 2, rejected: 0 });
    expect(i?.lastDiscontinuity).toBe('reboot');
    expect(i?.rates).toBeUndefined();
    expect(i?.totals.inOctets).toBe(before);
    clock.advance(30_000);
    await p.pollOnce();
    const [j] = p.interfaces('sw') ?? [];
    expect(j?.rates?.inBps).toBe(100e6);
    expect(j?.totals.inOctets).toBe(before + 375_000_000n);
  });

  it('treats the 497-day sysUpTime wrap as time passing, not as a reboot', async () => {
    const clock = new ManualClock();
    const s = await sim(clock, { name: 'old-timer', ports, uptimeStartTicks: 2 ** 32 - 1000 });
    const p = poller(clock);
    p.setDevices([v2('sw', s)]);
    await p.pollOnce();
    clock.advance(30_000);
    await p.pollOnce();
    expect(p.deviceState('sw')?.uptimeTicks).toBe(2000);
    expect(p.interfaces('sw')?.[0]?.rates?.inBps).toBe(100e6);
    expect(p.interfaces('sw')?.[0]?.lastDiscontinuity).toBe('first_sample');
  });

  it('re-baselines on ifCounterDiscontinuityTime and rejects rates above the port speed', async () => {
    const clock = new ManualClock();
    const s = await sim(clock, { name: 'sw', ports: [{ ifIndex: 1, name: 'p1', speedMbps: 10, inBps: 5e6 }] });
    const p = poller(clock);
    p.setDevices([v2('sw', s)]);
    await p.pollOnce();
    clock.advance(10_000);
    s.resetCounters(1);
    clock.advance(10_000);
    await p.pollOnce();
    expect(p.interfaces('sw')?.[0]).toMatchObject({ lastDiscontinuity: 'discontinuity_time' });
    expect(p.interfaces('sw')?.[0]?.rates).toBeUndefined();
    s.setPort(1, { inBps: 50e6 }); // impossible on a 10 Mb/s port
    clock.advance(10_000);
    const r = await p.pollOnce();
    expect(r.devices[0]?.rejected).toBe(1);
    expect(p.interfaces('sw')?.[0]?.lastRejected).toBe('above_speed');
    expect(p.deviceState('sw')?.rejected).toEqual({ above_speed: 1 });
  });

  it('re-reads names and aliases only when ifNumber or sysUpTime says they may have changed', async () => {
    const clock = new ManualClock();
    const s = await sim(clock, { name: 'sw', ports });
    const p = poller(clock);
    p.setDevices([v2('sw', s)]);
    await p.pollOnce();
    s.setPort(1, { alias: 'renamed' });
    clock.advance(10_000);
    await p.pollOnce();
    expect(p.interfaces('sw')?.[0]?.alias).toBe('uplink core');
    s.addPort({ ifIndex: 3, name: 'ge-0/0/3', speedMbps: 100 });
    clock.advance(10_000);
    await p.pollOnce();
    const ifs = p.interfaces('sw') ?? [];
    expect(ifs.map((i) => i.name)).toEqual(['ge-0/0/1', 'ge-0/0/2', 'ge-0/0/3']);
    expect(ifs[0]?.alias).toBe('renamed');
    s.removePort(2);
    clock.advance(10_000);
    await p.pollOnce();
    expect(p.interfaces('sw')?.map((i) => i.ifIndex)).toEqual([1, 3]);
    // an alias edited live shows up when the names grow old (1 h by default)
    s.setPort(3, { alias: 'new office' });
    clock.advance(10_000);
    await p.pollOnce();
    expect(p.interfaces('sw')?.[1]?.alias).toBe('');
    clock.advance(3_600_000);
    await p.pollOnce();
    expect(p.interfaces('sw')?.[1]?.alias).toBe('new office');
  });

  it("works with net-snmp's native GETBULK and with truncated responses", async () => {
    const clock = new ManualClock();
    const many = Array.from({ length: 30 }, (_, k) => ({ ifIndex: k + 1, name: `port${k + 1}`, speedMbps: 1000, inBps: (k + 1) * 1e6 }));
    const native = await sim(clock, { name: 'native', ports: many, bulk: { conformant: false } });
    const small = await sim(clock, { name: 'small', ports: many, bulk: { maxVarbinds: 17 } });
    const p = poller(clock);
    p.setDevices([v2('native', native, { maxRepetitions: 10 }), v2('small', small, { maxRepetitions: 50 })]);
    await p.pollOnce();
    clock.advance(10_000);
    await p.pollOnce();
    for (const id of ['native', 'small']) {
      const ifs = p.interfaces(id) ?? [];
      expect([p.deviceState(id)?.state, p.deviceState(id)?.reason]).toEqual(['up', undefined]);
      expect(ifs).toHaveLength(30);
      expect(ifs.map((i) => i.rates?.inBps)).toEqual(many.map((m) => m.inBps));
    }
  });

  it('a dead device is down with a reason and does not hold back the others', async () => {
    const clock = new ManualClock();
    const a = await sim(clock, { name: 'a', ports });
    const b = await sim(clock, { name: 'b', ports });
    const mute = await sim(clock, { name: 'mute', ports });
    mute.mute();
    // a port with nothing listening
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const closedPort = sock.address().port;
    await new Promise<void>((r) => sock.close(() => r()));

    const order: DevicePollResult[] = [];
    const p = poller(clock, { concurrency: 4, onSample: (r) => order.push(r) });
    p.setDevices([v2('mute', mute, { timeoutMs: 400 }), { ...v2('nobody', a, { timeoutMs: 400 }), port: closedPort }, v2('a', a), v2('b', b)]);
    const r = await p.pollOnce();
    expect(Object.fromEntries(r.devices.map((d) => [d.deviceId, d.state]))).toEqual({ mute: 'down', nobody: 'down', a: 'up', b: 'up' });
    expect(p.deviceState('mute')?.errors).toEqual({ timeout: 1 });
    expect(p.deviceState('mute')?.reason).toMatch(/timeout/);
    // the healthy devices finished first although they were listed last
    expect(
      order
        .slice(0, 2)
        .map((o) => o.deviceId)
        .sort(),
    ).toEqual(['a', 'b']);

    mute.mute(false);
    await p.pollOnce();
    expect(p.deviceState('mute')?.state).toBe('up');
  });

  it('closes the session of a removed device and forgets it', async () => {
    const clock = new ManualClock();
    const a = await sim(clock, { name: 'a', ports });
    const p = poller(clock);
    p.setDevices([v2('a', a), v2('b', a)]);
    await p.pollOnce();
    p.setDevices([v2('a', a)]);
    expect(p.deviceState('b')).toBeUndefined();
    expect(p.interfaces('b')).toBeUndefined();
    const r = await p.pollOnce();
    expect(r.devices.map((d) => d.deviceId)).toEqual(['a']);
  });

  it('start() polls on each device interval until stop()', async () => {
    const a = await SimulatedSwitch.start({ name: 'a', ports });
    sims.push(a);
    const seen: string[] = [];
    const p = new Poller({ onSample: (r) => seen.push(r.state) });
    pollers.push(p);
    p.setDevices([v2('a', a, { intervalMs: 20 })]);
    p.start();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (seen.length >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    p.stop();
    expect(seen.slice(0, 3)).toEqual(['up', 'up', 'up']);
  });
});
