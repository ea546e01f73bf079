/**
 * Run inside a network namespace (`ip netns exec`) by lldpd.test.ts: polls the namespace's own
 * snmpd on 127.0.0.1 with Simpul's Poller until LLDP neighbors appear (or time runs out) and
 * prints the device state, interfaces and neighbors as JSON on stdout.
 * Usage: lldp-probe.ts <port> <community> <timeout ms>
 */
import { Poller } from '../../src/snmp/poller.js';

const [port, community, timeout] = process.argv.slice(2);
const poller = new Poller();
poller.setDevices([
  { id: 'ns', host: '127.0.0.1', port: Number(port), credentials: { version: '2c', community: community ?? 'public' }, timeoutMs: 1000, retries: 1 },
]);
const end = Date.now() + Number(timeout ?? 20_000);
for (;;) {
  await poller.pollOnce();
  const neighbors = poller.neighbors('ns') ?? [];
  if (neighbors.length > 0 || Date.now() > end) {
    const interfaces = (poller.interfaces('ns') ?? []).map((i) => ({ ifIndex: i.ifIndex, name: i.name }));
    process.stdout.write(JSON.stringify({ device: poller.deviceState('ns'), interfaces, neighbors }));
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}
poller.close();
