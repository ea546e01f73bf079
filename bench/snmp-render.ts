/**
 * Cost of one /metrics render of the per-interface series: the writer (snmp/exposition.ts) in the
 * daemon's registry vs prom-client formatting the same series (what every scrape did before).
 *
 *   npx tsx bench/snmp-render.ts [switches]      (default 1000: 48,000 interfaces)
 *
 * The interfaces are plain data (no polling); byte counters move between renders, the other
 * values do not, as between two polls. CPU is process.cpuUsage() around registry.metrics()
 * (median of 5 renders after a first one); allocation is V8's sampling heap profiler counting
 * objects already collected too (one render); the longest stretch the event loop was held is
 * the largest gap between setImmediate turns during the render.
 */
import { Session } from 'node:inspector/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Metric } from 'prom-client';
import { createRegistry } from '../src/metrics/registry.js';
import { InterfaceExposition, type InterfaceSource } from '../src/snmp/exposition.js';
import type { InterfaceView } from '../src/snmp/poller.js';

const switches = Number(process.argv[2] ?? 1000);
const ports = new Map(
  Array.from({ length: switches }, (_, n) => [
    `opd${n % 40}-sw${n}`,
    Array.from(
      { length: 48 },
      (_, i): InterfaceView => ({
        ifIndex: i + 1,
        name: `Gi1/0/${i + 1}`,
        descr: `GigabitEthernet1/0/${i + 1}`,
        alias: i === 0 ? 'uplink' : `desk ${n}-${i + 1}`,
        operStatus: i % 5 === 4 ? 2 : 1,
        operUp: i % 5 !== 4,
        speedBps: 1e9,
        totals: { inOctets: BigInt(n) * 10n ** 9n, outOctets: 123456789012n, inErrors: BigInt(i % 3), outErrors: 0n, inDiscards: 1n, outDiscards: 0n },
      }),
    ),
  ]),
);
let tick = 0n;
const fleet: InterfaceSource = {
  devicesState: () => [...ports.keys()].map((id) => ({ id, opd: id.slice(0, id.indexOf('-')), state: 'up' })),
  interfaces: (id) =>
    ports.get(id)?.map((p) => ({ ...p, totals: { ...p.totals, inOctets: p.totals.inOctets + tick * 1500n, outOctets: p.totals.outOctets + tick * 64n } })),
  findInterface: () => undefined,
};

async function measure(label: string, text: boolean): Promise<void> {
  const registry = createRegistry();
  const metrics = new InterfaceExposition(fleet).metrics();
  for (const m of metrics) {
    const { exposition, ...values } = m;
    registry.registerMetric((text ? { ...values, exposition } : values) as unknown as Metric);
  }
  const render = async () => {
    tick++;
    return (await Promise.all(metrics.map((m) => registry.getSingleMetricAsString(m.name)))).join('\n\n');
  };
  await render();
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    bytes = (await render()).length;
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  let longest = 0;
  let last = performance.now();
  let done = false;
  const rendered = render().finally(() => (done = true));
  while (!done) {
    await yieldToLoop();
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }
  await rendered;
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
  session.disconnect();
  cpu.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(26)} cpu ${cpu[2]?.toFixed(0)} ms [${cpu[0]?.toFixed(0)}-${cpu[4]?.toFixed(0)}]  allocated ${(allocated(profile.head) / 1e6).toFixed(0)} MB (text ${(bytes / 1e6).toFixed(0)} MB)  loop held at most ${longest.toFixed(0)} ms`,
  );
}

interface Node {
  selfSize: number;
  children: Node[];
}
const allocated = (n: Node): number => n.selfSize + n.children.reduce((s, c) => s + allocated(c), 0);

console.log(`${switches} switches x 48 = ${switches * 48} interfaces, node ${process.version}`);
await measure('writer (daemon registry)', true);
await measure('prom-client formatting', false);
