import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ManualClock } from '../../../src/common/clock.js';
import { loadInventory } from '../../../src/inventory/load.js';
import type { Inventory } from '../../../src/inventory/model.js';
import { SnmpLab } from '../../../src/lab/snmp/fleet.js';
import { backboneHealth } from '../../../src/snmp/backbone.js';
import { Poller } from '../../../src/snmp/poller.js';
import { ROOT } from '../../helpers/daemon.js';

describe('lab fleet from the example inventory', () => {
  const clock = new ManualClock();
  let inv: Inventory;
  let lab: SnmpLab;
  let poller: Poller;

  beforeAll(async () => {
    const r = loadInventory(join(ROOT, 'inventory'));
    if (!r.inventory) throw new Error(`example inventory does not load: ${JSON.stringify(r.problems.slice(0, 3))}`);
    inv = r.inventory;
    lab = await SnmpLab.start(inv, { clock });
    poller = new Poller({ clock, concurrency: 16 });
    poller.setDevices(lab.targets());
    await poller.pollOnce();
    clock.advance(30_000);
    await poller.pollOnce();
  });
  afterAll(async () => {
    poller?.close();
    await lab?.close();
  });

  it('starts one agent per device with SNMP, all of them answering', () => {
    const withSnmp = inv.devices.filter((d) => d.snmp);
    expect(lab.sims.size).toBe(withSnmp.length);
    expect(poller.devicesState().filter((d) => d.state !== 'up')).toEqual([]);
  });

  it('shows live, consistent backbone traffic within the contracted capacity', () => {
    const both = inv.links.filter((l) => lab.sims.has(l.a.device) && lab.sims.has(l.b.device));
    expect(both.length).toBeGreaterThan(0);
    for (const h of backboneHealth(both, poller)) {
      expect(h.status, h.id).toBe('up');
      expect(h.utilization, h.id).toBeGreaterThan(0);
      expect(h.utilization, h.id).toBeLessThan(1);
      // what A receives, B sent
      expect(h.receiveBps).toBeCloseTo(h.b.rates?.outBps ?? NaN, -2);
    }
  });

  it('gives LLDP neighbors that match the cabling', () => {
    const l = inv.links.find((x) => lab.sims.has(x.a.device) && lab.sims.has(x.b.device));
    if (!l) throw new Error('no simulated link');
    const far = inv.devices.find((d) => d.id === l.b.device);
    const n = poller.neighbors(l.a.device)?.find((x) => x.ifName === l.a.port);
    expect(n).toMatchObject({ portId: l.b.port, sysName: far?.name });
  });
});
