/**
 * /metrics and the poller share one event loop: a scrape landing mid-cycle must not hold it so
 * long that an SNMP reply waits past its timeout. The registry carries the interface series of
 * 1,000 48-port switches (48,000 interfaces, as plain data: polling that many here would take
 * minutes); while it is scraped back to back, 12 devices are polled over SNMP with a 1.5 s
 * timeout and no retry, and may count no timeout that a quiet cycle did not. The switches run
 * in a child process, as real ones are elsewhere. (prom-client's own formatting of the same
 * series, registered without the writer's text, holds the loop for seconds per scrape and fails
 * this: at 300 switches, 7 s and every probe timed out.)
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metric } from 'prom-client';
import { createRegistry } from '../../../src/metrics/registry.js';
import { InterfaceExposition, type InterfaceSource } from '../../../src/snmp/exposition.js';
import { Poller, type InterfaceView } from '../../../src/snmp/poller.js';
import { startAgents, type Agents } from '../../helpers/snmp-agents.js';

const SWITCHES = 1000;
const port = (n: number, i: number): InterfaceView => ({
  ifIndex: i + 1,
  name: `Gi1/0/${i + 1}`,
  descr: `GigabitEthernet1/0/${i + 1}`,
  alias: `desk ${n}-${i + 1}`,
  operStatus: 1,
  operUp: true,
  speedBps: 1e9,
  totals: { inOctets: BigInt(n * 1e9 + i), outOctets: 12345678901n, inErrors: 0n, outErrors: 0n, inDiscards: 0n, outDiscards: 0n },
});
const ports = new Map(Array.from({ length: SWITCHES }, (_, n) => [`opd${n % 40}-sw${n}`, Array.from({ length: 48 }, (_, i) => port(n, i))]));
const fleet: InterfaceSource = {
  devicesState: () => [...ports.keys()].map((id) => ({ id, opd: id.slice(0, id.indexOf('-')), state: 'up' })),
  // byte counters move between scrapes, as they do between polls
  interfaces: (id) => ports.get(id)?.map((p) => ({ ...p, totals: { ...p.totals, inOctets: p.totals.inOctets + 1500n } })),
  findInterface: () => undefined,
};

let agents: Agents | undefined;
const probe = new Poller({ concurrency: 32 });
const registry = createRegistry();
for (const m of new InterfaceExposition(fleet).metrics()) registry.registerMetric(m as unknown as Metric);

beforeAll(async () => {
  agents = await startAgents({ count: 4 });
  const sims = agents.ports;
  probe.setDevices(
    Array.from({ length: 12 }, (_, i) => ({
      id: `probe${i}`,
      host: '127.0.0.1',
      port: sims[i % sims.length] as number,
      credentials: { version: '2c', community: 'public' },
      timeoutMs: 1500,
      retries: 0,
      lldp: false,
    })),
  );
  await probe.pollOnce();
}, 30_000);
afterAll(async () => {
  probe.close();
  await agents?.stop();
});

const timeouts = (): number => probe.devicesState().reduce((n, d) => n + (d.errors.timeout ?? 0), 0);

describe('a scrape during a poll cycle', () => {
  it('pushes no SNMP request past its timeout: back-to-back scrapes of 48,000 interfaces count no more timeouts than a quiet cycle', async () => {
    const before = timeouts();
    await probe.pollOnce();
    const quiet = timeouts() - before;

    let scrapes = 0;
    let polling = true;
    const cycle = probe.pollOnce().finally(() => (polling = false));
    while (polling) {
      const text = await registry.metrics();
      expect(text).toContain('simpul_interface_receive_bytes_total{device="opd39-sw999"');
      scrapes++;
      // scrapes come in as separate requests: without this turn prom-client's path would never let the cycle end
      await yieldToLoop();
    }
    await cycle;
    const busy = timeouts() - before - quiet;

    expect(scrapes).toBeGreaterThan(0);
    expect(busy, `quiet cycle: ${quiet} timeouts`).toBeLessThanOrEqual(quiet);
  }, 30_000);
});
