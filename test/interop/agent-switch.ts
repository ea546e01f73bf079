/**
 * Run inside the agent's network namespace (`ip netns exec`) by agent-netns.test.ts: Simpul's
 * simulated 48-port switch on that namespace's own loopback, so only the agent can reach it.
 * Port 1 carries no traffic until stdin says `on <bits/s>`; `off` stops it and prints the counter,
 * which stays there from then on. Every answer is one JSON line on stdout.
 * Usage: agent-switch.ts <udp port> <community>
 */
import { createInterface } from 'node:readline';
import { SimulatedSwitch } from '../../src/lab/snmp/switch.js';

const [port, community] = process.argv.slice(2);
const sim = await SimulatedSwitch.start({
  name: 'agent-test-switch',
  port: Number(port),
  community: community ?? 'public',
  ports: Array.from({ length: 48 }, (_, i) => ({ ifIndex: i + 1, name: `Gi1/0/${i + 1}`, speedMbps: 1000, inBps: 0, outBps: 0, operUp: true })),
});
const port1 = () => sim.model.port(1)?.inOctets.base.toString();
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
say({ ready: true, inOctets: port1() });
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(' ');
  if (cmd === 'on') {
    sim.setPort(1, { inBps: Number(arg) });
    say({ on: Number(arg) });
  } else if (cmd === 'off') {
    // with no traffic the model's counter no longer moves: its base is the value served from now on
    sim.setPort(1, { inBps: 0 });
    say({ off: true, inOctets: port1() });
  } else if (cmd === 'exit') {
    void sim.close().then(() => process.exit(0));
  }
});
