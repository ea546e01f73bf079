import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { macBytes, SimulatedSwitch } from '../../../src/lab/snmp/switch.js';
import { Poller } from '../../../src/snmp/poller.js';

const sims: SimulatedSwitch[] = [];
const pollers: Poller[] = [];
afterEach(async () => {
  for (const p of pollers.splice(0)) p.close();
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const target = (id: string, s: SimulatedSwitch) => ({
  id,
  host: '127.0.0.1',
  port: s.port,
  credentials: { version: '2c' as const, community: 'public' },
  timeoutMs: 1000,
  retries: 0,
});

describe('LLDP neighbors from simulated switches', () => {
  it('decodes neighbors, maps local ports by ifName, and walks again only when the table changed', async () => {
    const clock = new ManualClock();
    const core = await SimulatedSwitch.start({
      clock,
      name: 'core-sw1',
      ports: [
        { ifIndex: 10, name: 'Gi1/0/1', speedMbps: 1000 },
        { ifIndex: 11, name: 'Gi1/0/2', speedMbps: 1000 },
      ],
      lldp: {
        neighbors: [
          {
            localPortNum: 10,
            chassisIdSubtype: 4,
            chassisId: macBytes('4c:5e:0c:11:22:33'),
            portIdSubtype: 5,
            portId: 'ether1',
            sysName: 'DINKES-RTR01',
            portDesc: 'to core',
          },
          {
            localPortNum: 11,
            chassisIdSubtype: 5,
            chassisId: Buffer.from([1, 10, 1, 2, 3]),
            portIdSubtype: 3,
            portId: macBytes('4c:5e:0c:aa:bb:cc'),
            sysName: 'BAPPEDA-RTR01',
          },
        ],
      },
      // port numbers 1 and 2 are the ifIndexes 10 and 11: the default local port table numbers by ifIndex
    });
    sims.push(core);
    const p = new Poller({ clock });
    pollers.push(p);
    p.setDevices([target('core', core)]);
    await p.pollOnce();
    expect(p.neighbors('core')).toEqual([
      {
        localPortNum: 10,
        ifIndex: 10,
        ifName: 'Gi1/0/1',
        remIndex: 1,
        timeMark: 0,
        chassisIdSubtype: 4,
        chassisId: '4c:5e:0c:11:22:33',
        portIdSubtype: 5,
        portId: 'ether1',
        portDesc: 'to core',
        sysName: 'DINKES-RTR01',
      },
      {
        localPortNum: 11,
        ifIndex: 11,
        ifName: 'Gi1/0/2',
        remIndex: 2,
        timeMark: 0,
        chassisIdSubtype: 5,
        chassisId: '10.1.2.3',
        portIdSubtype: 3,
        portId: '4c:5e:0c:aa:bb:cc',
        sysName: 'BAPPEDA-RTR01',
      },
    ]);

    clock.advance(10_000);
    let before = core.responsesSent;
    await p.pollOnce();
    const unchanged = core.responsesSent - before;

    clock.advance(10_000);
    core.setNeighbors([{ localPortNum: 11, chassisIdSubtype: 7, chassisId: 'local-chassis', portIdSubtype: 7, portId: '24', sysName: 'new-sw' }]);
    clock.advance(10_000);
    before = core.responsesSent;
    await p.pollOnce();
    const changed = core.responsesSent - before;
    expect(changed).toBeGreaterThan(unchanged);
    expect(p.neighbors('core')).toEqual([
      {
        localPortNum: 11,
        ifIndex: 11,
        ifName: 'Gi1/0/2',
        remIndex: 1,
        timeMark: 2000,
        chassisIdSubtype: 7,
        chassisId: 'local-chassis',
        portIdSubtype: 7,
        portId: '24',
        sysName: 'new-sw',
      },
    ]);
  });

  it('maps bridge port numbers through BRIDGE-MIB dot1dBasePortIfIndex', async () => {
    const clock = new ManualClock();
    const sw = await SimulatedSwitch.start({
      clock,
      name: 'access-sw',
      ports: [
        { ifIndex: 10101, name: 'Gi1/0/1', speedMbps: 1000 },
        { ifIndex: 10102, name: 'Gi1/0/2', speedMbps: 1000 },
      ],
      bridgePorts: [
        { basePort: 1, ifIndex: 10101 },
        { basePort: 2, ifIndex: 10102 },
      ],
      lldp: {
        localPorts: [
          { portNum: 1, portIdSubtype: 3, portId: macBytes('00:11:22:33:44:01') },
          { portNum: 2, portIdSubtype: 3, portId: macBytes('00:11:22:33:44:02') },
        ],
        neighbors: [{ localPortNum: 2, chassisIdSubtype: 4, chassisId: macBytes('aa:bb:cc:dd:ee:ff'), portIdSubtype: 5, portId: 'eth0', sysName: 'ap-1' }],
      },
    });
    sims.push(sw);
    const p = new Poller({ clock });
    pollers.push(p);
    p.setDevices([target('sw', sw)]);
    await p.pollOnce();
    expect(p.neighbors('sw')).toMatchObject([
      { localPortNum: 2, ifIndex: 10102, ifName: 'Gi1/0/2', chassisId: 'aa:bb:cc:dd:ee:ff', portId: 'eth0', sysName: 'ap-1' },
    ]);
  });

  it('stops asking a device without LLDP-MIB', async () => {
    const clock = new ManualClock();
    const sw = await SimulatedSwitch.start({ clock, name: 'no-lldp', ports: [{ ifIndex: 1, name: 'p1', speedMbps: 100 }] });
    sims.push(sw);
    const p = new Poller({ clock });
    pollers.push(p);
    p.setDevices([target('sw', sw)]);
    await p.pollOnce();
    expect(p.neighbors('sw')).toEqual([]);
    expect(p.deviceState('sw')?.state).toBe('up');
  });
});
