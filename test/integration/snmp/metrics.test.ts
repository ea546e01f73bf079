import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../../src/common/clock.js';
import { SimulatedSwitch } from '../../../src/lab/snmp/switch.js';
import { Poller } from '../../../src/snmp/poller.js';
import { registerSnmpMetrics } from '../../../src/snmp/metrics.js';
import type { BackboneLink } from '../../../src/snmp/backbone.js';

const sims: SimulatedSwitch[] = [];
let poller: Poller | undefined;
afterEach(async () => {
  poller?.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const target = (id: string, s: SimulatedSwitch, opd: string) => ({
  id,
  opd,
  host: '127.0.0.1',
  port: s.port,
  credentials: { version: '2c' as const, community: 'public' },
  timeoutMs: 1000,
  retries: 0,
});

/** Value of one series in the text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('SNMP metrics', () => {
  it('exports monotonic totals, status, links and poll health; a removed device disappears', async () => {
    const clock = new ManualClock();
    const core = await SimulatedSwitch.start({
      clock,
      name: 'core',
      ports: [{ ifIndex: 1, name: 'Gi1/0/1', alias: 'to DINKES', speedMbps: 1000, inBps: 8e6, outBps: 40e6, errorsPerSec: 1 }],
    });
    const rtr = await SimulatedSwitch.start({ clock, name: 'rtr', ports: [{ ifIndex: 1, name: 'ether1', speedMbps: 1000, inBps: 40e6, outBps: 8e6 }] });
    sims.push(core, rtr);
    poller = new Poller({ clock });
    poller.setDevices([target('core', core, 'DISKOMINFO'), target('dinkes-rtr', rtr, 'DINKES')]);
    const links: BackboneLink[] = [
      { id: 'core-dinkes', a: { device: 'core', port: 'Gi1/0/1' }, b: { device: 'dinkes-rtr', port: 'ether1' }, capacityMbps: 50, opd: 'DINKES' },
    ];
    const registry = new Registry();
    registerSnmpMetrics(registry, poller, { links: () => links });

    await poller.pollOnce();
    clock.advance(10_000);
    await poller.pollOnce();
    let text = await registry.metrics();
    const coreIf = { device: 'core', opd: 'DISKOMINFO', interface: 'Gi1/0/1', alias: 'to DINKES' };
    expect(sample(text, 'simpul_interface_receive_bytes_total', coreIf)).toBe(10_000_000);
    expect(sample(text, 'simpul_interface_transmit_bytes_total', coreIf)).toBe(50_000_000);
    expect(sample(text, 'simpul_interface_errors_total', { ...coreIf, direction: 'in' })).toBe(10);
    expect(sample(text, 'simpul_interface_oper_up', coreIf)).toBe(1);
    expect(sample(text, 'simpul_device_up', { device: 'dinkes-rtr', opd: 'DINKES' })).toBe(1);
    expect(sample(text, 'simpul_link_up', { link: 'core-dinkes' })).toBe(1);
    expect(sample(text, 'simpul_link_receive_bits_per_second', { link: 'core-dinkes' })).toBe(8e6);
    expect(sample(text, 'simpul_link_transmit_bits_per_second', { link: 'core-dinkes' })).toBe(40e6);
    expect(sample(text, 'simpul_link_utilization_ratio', { link: 'core-dinkes', opd: 'DINKES' })).toBe(0.8);
    expect(text).toMatch(/simpul_snmp_poll_duration_seconds_count 4/);
    // no error yet: every device has every reason at 0 (a panel or increase() has a baseline), nothing else
    for (const device of ['core', 'dinkes-rtr']) {
      expect(sample(text, 'simpul_snmp_poll_errors_total', { device, reason: 'timeout' })).toBe(0);
      expect(sample(text, 'simpul_snmp_rejected_samples_total', { device, reason: 'above_speed' })).toBe(0);
      expect(sample(text, 'simpul_snmp_rejected_samples_total', { device, reason: 'wrong_type' })).toBe(0);
    }
    expect(text.split('\n').filter((l) => l.startsWith('simpul_snmp_poll_errors_total{')).length).toBe(2 * 12);
    expect(text.split('\n').filter((l) => l.startsWith('simpul_snmp_rejected_samples_total{')).length).toBe(2 * 2);

    // reboot: the exported total does not go backwards
    core.reboot();
    clock.advance(10_000);
    await poller.pollOnce();
    clock.advance(10_000);
    await poller.pollOnce();
    text = await registry.metrics();
    expect(sample(text, 'simpul_interface_receive_bytes_total', coreIf)).toBe(20_000_000);

    // a dead device: down, and its errors counted by reason
    rtr.mute();
    poller.setDevices([target('core', core, 'DISKOMINFO'), { ...target('dinkes-rtr', rtr, 'DINKES'), timeoutMs: 300 }]);
    await poller.pollOnce();
    text = await registry.metrics();
    expect(sample(text, 'simpul_device_up', { device: 'dinkes-rtr' })).toBe(0);
    expect(sample(text, 'simpul_snmp_poll_errors_total', { device: 'dinkes-rtr', reason: 'timeout' })).toBe(1);

    // removal: every series of the device disappears
    poller.setDevices([target('core', core, 'DISKOMINFO')]);
    text = await registry.metrics();
    expect(text).not.toMatch(/device="dinkes-rtr"/);
    expect(text).toMatch(/device="core"/);
  });

  it('counts rejected samples by reason', async () => {
    const clock = new ManualClock();
    const sw = await SimulatedSwitch.start({ clock, name: 'sw', ports: [{ ifIndex: 1, name: 'p1', speedMbps: 10, inBps: 1e6 }] });
    sims.push(sw);
    poller = new Poller({ clock });
    poller.setDevices([target('sw', sw, 'X')]);
    const registry = new Registry();
    const m = registerSnmpMetrics(registry, poller);
    await poller.pollOnce();
    sw.setPort(1, { inBps: 100e6 });
    clock.advance(5_000);
    await poller.pollOnce();
    expect(sample(await registry.metrics(), 'simpul_snmp_rejected_samples_total', { device: 'sw', reason: 'above_speed' })).toBe(1);
    m.unregister();
    expect(await registry.metrics()).not.toMatch(/simpul_/);
  });
});
