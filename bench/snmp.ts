/**
 * SNMP polling cost: Simpul's Poller vs Debian's prometheus-snmp-exporter on the same agents.
 *
 *   npx tsx bench/snmp.ts [sizes...]      (default 100 500 1000)
 *
 * For each size, N simulated 48-port switches (net-snmp agents, SimulatedSwitch) run in a few
 * child processes on 127.0.0.1 (their CPU is not counted). Simpul polls them all with the Poller
 * (concurrency 32): cycle 1 reads names too, cycles 2-3 are the steady state; CPU-seconds come
 * from process.cpuUsage() of this process and include one render of /metrics per cycle. Then
 * prometheus-snmp-exporter, with an if_mib-like module over the same columns (ifXTable HC
 * counters, ifHighSpeed, ifName/ifAlias/ifDescr lookups, ifOperStatus, ifAdminStatus, errors,
 * discards; v2c, max-repetitions 25), is scraped at /snmp?target=...&module=simpul_if_mib with the
 * same concurrency; its CPU-seconds come from /proc/<pid>/stat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { SimulatedSwitch } from '../src/lab/snmp/switch.js';
import { registerSnmpMetrics } from '../src/snmp/metrics.js';
import { Poller } from '../src/snmp/poller.js';
import type { PollTarget } from '../src/snmp/session.js';

const PORTS = 48;
const CONCURRENCY = 32;
const COMMUNITY = 'bench';
const AGENT_PROCS = 4;
const EXPORTER = '/usr/bin/prometheus-snmp-exporter';

interface Agents {
  ports: number[];
  stop: () => Promise<void>;
}

async function startAgents(n: number): Promise<Agents> {
  const procs = Math.min(AGENT_PROCS, n);
  const children: ChildProcess[] = [];
  const parts = await Promise.all(Array.from({ length: procs }, (_, k) => {
    const from = Math.floor((n * k) / procs);
    const to = Math.floor((n * (k + 1)) / procs);
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'agents', String(to - from), String(from)], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    return new Promise<number[]>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`agent process exited ${code}`)));
      createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as number[]));
    });
  }));
  return {
    ports: parts.flat(),
    async stop() {
      await Promise.all(children.map((c) => new Promise<void>((resolve) => {
        c.removeAllListeners('exit');
        c.once('exit', () => resolve());
        c.stdin?.end();
      })));
    },
  };
}

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

interface SimpulRun {
  firstCycleSeconds: number;
  steadyCycleSeconds: number;
  steadyCpuSeconds: number;
  exposeCpuSeconds: number;
  samples: number;
  failedDevices: number;
}

async function benchSimpul(ports: number[]): Promise<SimpulRun> {
  const poller = new Poller({ concurrency: CONCURRENCY });
  const targets: PollTarget[] = ports.map((port, i) => ({ id: `sw${i}`, opd: `OPD${i % 40}`, host: '127.0.0.1', port, credentials: { version: '2c', community: COMMUNITY }, timeoutMs: 5000, retries: 1, maxRepetitions: 25, lldp: false }));
  poller.setDevices(targets);
  const registry = new Registry();
  registerSnmpMetrics(registry, poller);
  let t0 = performance.now();
  const first = await poller.pollOnce();
  const firstCycleSeconds = (performance.now() - t0) / 1000;
  let steadyCycle = 0;
  let steadyCpu = 0;
  let exposeCpu = 0;
  let samples = 0;
  let failed = first.devices.filter((d) => d.state !== 'up').length;
  for (let c = 0; c < 2; c++) {
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    const report = await poller.pollOnce();
    steadyCycle += (performance.now() - t0) / 1000;
    const cpu1 = process.cpuUsage();
    const text = await registry.metrics();
    exposeCpu += cpuSeconds(process.cpuUsage(cpu1));
    steadyCpu += cpuSeconds(process.cpuUsage(cpu0));
    if (text.length === 0) throw new Error('empty /metrics');
    samples += report.devices.reduce((s, d) => s + d.rates, 0);
    failed = Math.max(failed, report.devices.filter((d) => d.state !== 'up').length);
  }
  poller.close();
  return { firstCycleSeconds, steadyCycleSeconds: steadyCycle / 2, steadyCpuSeconds: steadyCpu / 2, exposeCpuSeconds: exposeCpu / 2, samples: samples / 2, failedDevices: failed };
}

function exporterConfig(): string {
  const col = (entry: string, c: number) => `${entry}.${c}`;
  const IF = '1.3.6.1.2.1.2.2.1';
  const IFX = '1.3.6.1.2.1.31.1.1.1';
  const lookups = [
    { labelname: 'ifName', oid: col(IFX, 1) },
    { labelname: 'ifAlias', oid: col(IFX, 18) },
    { labelname: 'ifDescr', oid: col(IF, 2) },
  ];
  const metric = (name: string, oid: string, type: string) => ({ name, oid, type, help: name, indexes: [{ labelname: 'ifIndex', type: 'gauge' }], lookups: lookups.map((l) => ({ labels: ['ifIndex'], ...l, type: 'DisplayString' })) });
  const metrics = [
    metric('ifOperStatus', col(IF, 8), 'gauge'),
    metric('ifAdminStatus', col(IF, 7), 'gauge'),
    metric('ifSpeed', col(IF, 5), 'gauge'),
    metric('ifInErrors', col(IF, 14), 'counter'),
    metric('ifOutErrors', col(IF, 20), 'counter'),
    metric('ifInDiscards', col(IF, 13), 'counter'),
    metric('ifOutDiscards', col(IF, 19), 'counter'),
    metric('ifHCInOctets', col(IFX, 6), 'counter'),
    metric('ifHCOutOctets', col(IFX, 10), 'counter'),
    metric('ifHighSpeed', col(IFX, 15), 'gauge'),
  ];
  const module = {
    // one walk per column, as snmp_exporter's generator emits for a list of objects
    walk: [...metrics.map((m) => m.oid), ...lookups.map((l) => l.oid)],
    get: ['1.3.6.1.2.1.1.3.0'],
    metrics: [{ name: 'sysUpTime', oid: '1.3.6.1.2.1.1.3', type: 'gauge', help: 'sysUpTime' }, ...metrics],
    version: 2,
    max_repetitions: 25,
    retries: 1,
    timeout: '5s',
    auth: { community: COMMUNITY },
  };
  // snmp_exporter 0.21 (Debian 12): modules at the top level; JSON is valid YAML
  return JSON.stringify({ simpul_if_mib: module }, null, 1);
}

function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (USER_HZ = 100 on Linux)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface ExporterRun {
  scrapeCycleSeconds: number;
  cpuSeconds: number;
  samples: number;
  failedScrapes: number;
}

async function benchExporter(ports: number[], listen: number, configFile: string): Promise<ExporterRun> {
  const child = spawn(EXPORTER, [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${listen}`, '--log.level=error'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  try {
    const base = `http://127.0.0.1:${listen}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/metrics`)).ok) break;
      } catch {
        if (i > 100) throw new Error(`snmp_exporter did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const scrapeAll = async () => {
      let samples = 0;
      let failed = 0;
      let next = 0;
      const worker = async () => {
        while (next < ports.length) {
          const port = ports[next++] as number;
          const r = await fetch(`${base}/snmp?target=127.0.0.1:${port}&module=simpul_if_mib`);
          const text = await r.text();
          if (!r.ok || !/^ifHCInOctets\{/m.test(text)) failed++;
          samples += (text.match(/^ifHCInOctets\{/gm) ?? []).length;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return { samples, failed };
    };
    await scrapeAll(); // warm-up, as Simpul's first cycle
    let cycle = 0;
    let cpu = 0;
    let samples = 0;
    let failed = 0;
    for (let c = 0; c < 2; c++) {
      await new Promise((r) => setTimeout(r, 1000));
      const cpu0 = procCpuSeconds(child.pid as number);
      const t0 = performance.now();
      const r = await scrapeAll();
      cycle += (performance.now() - t0) / 1000;
      cpu += procCpuSeconds(child.pid as number) - cpu0;
      samples += r.samples;
      failed = Math.max(failed, r.failed);
    }
    return { scrapeCycleSeconds: cycle / 2, cpuSeconds: cpu / 2, samples: samples / 2, failedScrapes: failed };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const runSizes = sizes.length ? sizes : [100, 500, 1000];
  let haveExporter = true;
  try {
    readFileSync(EXPORTER);
  } catch {
    haveExporter = false;
  }
  const dir = mkdtempSync(join(tmpdir(), 'simpul-bench-snmp-'));
  const configFile = join(dir, 'snmp.yml');
  writeFileSync(configFile, exporterConfig());
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}; ${PORTS}-port switches, ${AGENT_PROCS} agent processes, concurrency ${CONCURRENCY}`);
  console.log('per 1k = CPU-seconds per 1,000 interface samples (steady-state cycle; Simpul includes one /metrics render)');
  try {
    for (const n of runSizes) {
      const t0 = performance.now();
      const agents = await startAgents(n);
      const startSeconds = (performance.now() - t0) / 1000;
      try {
        const s = await benchSimpul(agents.ports);
        const per1kS = s.steadyCpuSeconds / (s.samples / 1000);
        console.log(`${String(n).padStart(5)} switches (agents up in ${startSeconds.toFixed(1)} s)`);
        console.log(`  simpul        cycle ${s.steadyCycleSeconds.toFixed(2)} s (first, with names: ${s.firstCycleSeconds.toFixed(2)} s)  cpu ${s.steadyCpuSeconds.toFixed(2)} s (of which /metrics ${s.exposeCpuSeconds.toFixed(2)} s)  samples ${s.samples}  per 1k ${per1kS.toFixed(4)} s  devices not up ${s.failedDevices}`);
        if (haveExporter) {
          const e = await benchExporter(agents.ports, 19116 + n, configFile);
          const per1kE = e.cpuSeconds / (e.samples / 1000);
          console.log(`  snmp_exporter cycle ${e.scrapeCycleSeconds.toFixed(2)} s  cpu ${e.cpuSeconds.toFixed(2)} s  samples ${e.samples}  per 1k ${per1kE.toFixed(4)} s  failed scrapes ${e.failedScrapes}`);
          console.log(`  ratio simpul/snmp_exporter CPU per sample ${(per1kS / per1kE).toFixed(2)}, cycle time ${(s.steadyCycleSeconds / e.scrapeCycleSeconds).toFixed(2)}`);
        } else {
          console.log(`  snmp_exporter: ${EXPORTER} not installed (scripts/install-interop-peers.sh)`);
        }
      } finally {
        await agents.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- child mode: host `count` agents, print their UDP ports, serve until stdin closes ----
async function serveAgents(): Promise<void> {
  const count = Number(process.argv[3]);
  const offset = Number(process.argv[4]);
  const sims: SimulatedSwitch[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    sims.push(await SimulatedSwitch.start({
      name: `sw${n}`,
      community: COMMUNITY,
      ports: Array.from({ length: PORTS }, (_, p) => ({
        ifIndex: p + 1,
        name: `Gi1/0/${p + 1}`,
        alias: p === 0 ? 'uplink' : `desk ${n}-${p + 1}`,
        speedMbps: 1000,
        inBps: 1e6 + ((n * 7 + p * 13) % 97) * 1e5,
        outBps: 5e5 + ((n * 11 + p * 3) % 89) * 1e5,
        operUp: p % 5 !== 4,
        errorsPerSec: p % 17 === 0 ? 0.2 : 0,
      })),
    }));
  }
  process.stdout.write(`${JSON.stringify(sims.map((s) => s.port))}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await Promise.all(sims.map((s) => s.close()));
    process.exit(0);
  });
}

if (process.argv[2] === 'agents') await serveAgents();
else await main();
