/**
 * What Simpul exports at /metrics, for the promtool and dashboard tests: the daemon in lab
 * mode (its SNMP module polling the simulated switches), and registerSnmpMetrics over a
 * Poller against a SimulatedSwitch with a backbone link (independent of module wiring).
 */
import { PassThrough } from 'node:stream';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { SimulatedSwitch } from '../../src/lab/snmp/switch.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { registerSnmpMetrics } from '../../src/snmp/metrics.js';
import { Poller } from '../../src/snmp/poller.js';
import { ADMIN, tempDir, testConfig } from '../helpers/daemon.js';
import { sleep, waitFor } from './peers.js';

/**
 * The exposition text of the SNMP collectors after two polls of a two-switch backbone, as the
 * daemon's registry writes it (the per-interface families through snmp/exposition.ts).
 */
export async function snmpMetricsText(): Promise<string> {
  const core = await SimulatedSwitch.start({
    name: 'core',
    ports: [{ ifIndex: 1, name: 'Gi1/0/1', alias: 'to "DINKES" \\ backbone', speedMbps: 1000, inBps: 8e6, outBps: 40e6, errorsPerSec: 1 }],
  });
  const rtr = await SimulatedSwitch.start({ name: 'rtr', ports: [{ ifIndex: 1, name: 'ether1', speedMbps: 1000, inBps: 40e6, outBps: 8e6 }] });
  const poller = new Poller();
  try {
    const t = (id: string, s: SimulatedSwitch, opd: string) => ({
      id,
      opd,
      host: '127.0.0.1',
      port: s.port,
      credentials: { version: '2c' as const, community: 'public' },
      timeoutMs: 1000,
      retries: 0,
    });
    poller.setDevices([t('core', core, 'DISKOMINFO'), t('dinkes-rtr', rtr, 'DINKES')]);
    const registry = createRegistry();
    registerSnmpMetrics(registry, poller, {
      links: () => [
        { id: 'core-dinkes', a: { device: 'core', port: 'Gi1/0/1' }, b: { device: 'dinkes-rtr', port: 'ether1' }, capacityMbps: 50, opd: 'DINKES' },
      ],
    });
    await poller.pollOnce();
    await sleep(1100);
    await poller.pollOnce();
    // the SNMP families only: the process metrics are the lab daemon's test
    const snmp = registry
      .getMetricsAsArray()
      .map((m) => m.name)
      .filter((n) => n.startsWith('simpul_'));
    return `${(await Promise.all(snmp.map((n) => registry.getSingleMetricAsString(n)))).join('\n\n')}\n`;
  } finally {
    poller.close();
    await Promise.all([core.close(), rtr.close()]);
  }
}

/**
 * Start the daemon in lab mode; resolves once /metrics shows polled SNMP devices (or after 20 s).
 * `config(dir)` adds settings (the daemon's temporary directory is given for paths).
 */
export async function labDaemonMetrics(
  config: (dir: string) => Record<string, unknown> = () => ({}),
): Promise<{ text: string; url: string; dir: string; stop: () => Promise<void> }> {
  const { dir, cleanup } = tempDir('simpul-metrics-');
  const cfg = testConfig(dir, config(dir));
  cfg.lab = true;
  const logs = new PassThrough();
  logs.resume();
  const d: Daemon = await startDaemon(cfg, { logStream: logs });
  const fetchText = async () => {
    const r = await fetch(`${d.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return r.text();
  };
  const text = await waitFor(
    'SNMP series in /metrics',
    async () => {
      const t = await fetchText();
      return /^simpul_device_up\{.*\} 1$/m.test(t) ? t : undefined;
    },
    20_000,
    500,
  ).catch(fetchText);
  return {
    text,
    url: d.url,
    dir,
    async stop() {
      await d.close();
      cleanup();
    },
  };
}

/** Metric family names with their TYPE, from an exposition text. */
export function metricFamilies(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1] as string, m[2] as string);
  return out;
}

/** Every series name a family exposes (a histogram's _bucket, _sum and _count). */
export function seriesNames(families: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [name, type] of families) {
    out.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) out.add(name + s);
  }
  return out;
}
