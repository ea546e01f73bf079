/**
 * SNMP polling cost, equal work: Simpul's Poller vs Debian's prometheus-snmp-exporter.
 *
 *   npx tsx bench/snmp.ts [--runs 5] [--agents sim,snmpsim,v3] [sizes...]     (default 100 500 1000)
 *   CPU_PROF=/tmp/prof npx tsx bench/snmp.ts --runs 1 --agents sim 50          (profile Simpul's side)
 *
 * Both sides read the same columns every cycle, names included (ifName, ifAlias, ifDescr: Simpul
 * with namesMaxAgeMs 0, no LLDP), at concurrency 32, max-repetitions 25, and both are scraped over
 * HTTP as Prometheus would: snmp_exporter once per switch (/snmp?target=...), Simpul once per cycle
 * (/metrics, after the cycle's poll, which a child process runs on request). Each side runs in its
 * own process, started fresh for each run; CPU is that process' utime+stime (/proc/<pid>/stat), peak
 * RSS its VmHWM. A run is a first cycle (cold) then two steady cycles; runs alternate which side
 * goes first. Samples are interface rows in the scraped text (Simpul's receive-bytes series,
 * snmp_exporter's ifOperStatus), so both count the same thing.
 *
 * Agents, in their own processes (their CPU is not counted):
 *   sim      Simpul's simulated 48-port switches (src/lab), v2c, 4 processes
 *   snmpsim  Debian snmpsim's recorded Cisco 3750 (59 interfaces), one community per switch
 *   v3       Simpul's simulated switches, SNMPv3 authPriv (SHA-256, AES-128); smallest size only
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { createRegistry } from '../src/metrics/registry.js';
import { registerSnmpMetrics } from '../src/snmp/metrics.js';
import { Poller } from '../src/snmp/poller.js';
import type { PollTarget, SnmpCredentials } from '../src/snmp/session.js';
import { isRoot, startPeer, waitFor, which } from '../test/interop/peers.js';
import { startAgents } from '../test/helpers/snmp-agents.js';

const CONCURRENCY = 32;
const MAX_REP = 25;
const COMMUNITY = 'bench';
const V3 = { name: 'bench', authKey: 'bench-auth-key', privKey: 'bench-priv-key' };
const AGENT_PROCS = 4;
const EXPORTER = which('prometheus-snmp-exporter');
const SNMPSIMD = which('snmpsimd');
const CISCO = '/usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz';

interface Target {
  port: number;
  credentials: SnmpCredentials;
  /** snmp_exporter module for these credentials. */
  module: string;
}

interface Cycle {
  cpu: number;
  samples: number;
  failed: number;
}
interface SideRun {
  first: Cycle;
  steady: Cycle;
  peakRssMb: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15, in clock ticks (USER_HZ = 100 on Linux)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const peakRssMb = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Cycles 1 (first) and 2-3 (steady, averaged) of one side, measured by `cycle`. */
async function measure(pid: number, cycle: () => Promise<Omit<Cycle, 'cpu'>>): Promise<SideRun> {
  const one = async (): Promise<Cycle> => {
    const c0 = procCpuSeconds(pid);
    const r = await cycle();
    return { ...r, cpu: procCpuSeconds(pid) - c0 };
  };
  const first = await one();
  const steady: Cycle = { cpu: 0, samples: 0, failed: 0 };
  for (let i = 0; i < 2; i++) {
    await sleep(1000);
    const c = await one();
    steady.cpu += c.cpu / 2;
    steady.samples += c.samples / 2;
    steady.failed = Math.max(steady.failed, c.failed);
  }
  return { first, steady, peakRssMb: peakRssMb(pid) };
}

// ---- Simpul: a child process with the Poller and the daemon's registry, served over HTTP ----

async function runSimpul(targets: Target[]): Promise<SideRun> {
  // CPU_PROF=<dir>: a V8 CPU profile of the Simpul process per run, to see where its CPU goes
  const prof = process.env.CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', import.meta.filename, 'simpul'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    child.stdin.write(`${JSON.stringify(targets)}\n`);
    const base = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`simpul process exited ${code}`)));
      createInterface({ input: child.stdout }).once('line', resolve);
    });
    return await measure(child.pid as number, async () => {
      const poll = (await (await fetch(`${base}/poll`, { method: 'POST' })).json()) as { notUp: number };
      const text = await (await fetch(`${base}/metrics`)).text();
      return { samples: (text.match(/^simpul_interface_receive_bytes_total\{/gm) ?? []).length, failed: poll.notUp };
    });
  } finally {
    await stopChild(child);
  }
}

async function serveSimpul(): Promise<void> {
  const targets = JSON.parse(await new Promise<string>((r) => createInterface({ input: process.stdin }).once('line', r))) as Target[];
  const poller = new Poller({ concurrency: CONCURRENCY, namesMaxAgeMs: 0 });
  poller.setDevices(
    targets.map(
      (t, i): PollTarget => ({
        id: `sw${i}`,
        opd: `OPD${i % 40}`,
        host: '127.0.0.1',
        port: t.port,
        credentials: t.credentials,
        timeoutMs: 5000,
        retries: 1,
        maxRepetitions: MAX_REP,
        lldp: false,
      }),
    ),
  );
  const registry = createRegistry();
  registerSnmpMetrics(registry, poller);
  const server = createServer(async (req, res) => {
    if (req.url === '/poll') {
      const r = await poller.pollOnce();
      res.end(JSON.stringify({ notUp: r.devices.filter((d) => d.state !== 'up').length }));
    } else {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
    }
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    process.stdout.write(`http://127.0.0.1:${addr.port}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
}

// ---- prometheus-snmp-exporter ----

function exporterConfig(): string {
  const IF = '1.3.6.1.2.1.2.2.1';
  const IFX = '1.3.6.1.2.1.31.1.1.1';
  const lookups = [
    { labelname: 'ifName', oid: `${IFX}.1` },
    { labelname: 'ifAlias', oid: `${IFX}.18` },
    { labelname: 'ifDescr', oid: `${IF}.2` },
  ];
  const metric = (name: string, oid: string, type: string) => ({
    name,
    oid,
    type,
    help: name,
    indexes: [{ labelname: 'ifIndex', type: 'gauge' }],
    lookups: lookups.map((l) => ({ labels: ['ifIndex'], ...l, type: 'DisplayString' })),
  });
  // the columns Simpul reads: status, speeds, errors, discards, HC octets, discontinuity time, names
  const metrics = [
    metric('ifOperStatus', `${IF}.8`, 'gauge'),
    metric('ifAdminStatus', `${IF}.7`, 'gauge'),
    metric('ifSpeed', `${IF}.5`, 'gauge'),
    metric('ifInErrors', `${IF}.14`, 'counter'),
    metric('ifOutErrors', `${IF}.20`, 'counter'),
    metric('ifInDiscards', `${IF}.13`, 'counter'),
    metric('ifOutDiscards', `${IF}.19`, 'counter'),
    metric('ifHCInOctets', `${IFX}.6`, 'counter'),
    metric('ifHCOutOctets', `${IFX}.10`, 'counter'),
    metric('ifHighSpeed', `${IFX}.15`, 'gauge'),
    metric('ifCounterDiscontinuityTime', `${IFX}.19`, 'gauge'),
  ];
  const module = (auth: object) => ({
    // one walk per column, as snmp_exporter's generator emits for a list of objects
    walk: [...metrics.map((m) => m.oid), ...lookups.map((l) => l.oid)],
    get: ['1.3.6.1.2.1.1.3.0'],
    metrics: [{ name: 'sysUpTime', oid: '1.3.6.1.2.1.1.3', type: 'gauge', help: 'sysUpTime' }, ...metrics],
    max_repetitions: MAX_REP,
    retries: 1,
    timeout: '5s',
    ...auth,
  });
  // snmp_exporter 0.21 (Debian 12): modules at the top level, auth inside each; JSON is valid YAML
  return JSON.stringify({
    v2c: module({ version: 2, auth: { community: COMMUNITY } }),
    v3: module({
      version: 3,
      auth: { security_level: 'authPriv', username: V3.name, password: V3.authKey, auth_protocol: 'SHA256', priv_protocol: 'AES', priv_password: V3.privKey },
    }),
    // snmpsim: the community is the recording's name, so one module per switch is not needed: see target()
  });
}

async function runExporter(targets: Target[], configFile: string): Promise<SideRun> {
  const listen = 19_100 + Math.floor(Math.random() * 800);
  const peer = startPeer(EXPORTER as string, [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${listen}`, '--log.level=error']);
  const base = `http://127.0.0.1:${listen}`;
  try {
    await waitFor('snmp_exporter to listen', async () => ((await fetch(`${base}/metrics`).catch(() => undefined))?.ok ? true : undefined), 20_000, 100).catch(
      (e: unknown) => {
        throw new Error(`${String(e)}\n${peer.output()}`);
      },
    );
    return await measure(peer.child.pid as number, async () => {
      let samples = 0;
      let failed = 0;
      let next = 0;
      const worker = async () => {
        while (next < targets.length) {
          const t = targets[next++] as Target;
          const r = await fetch(`${base}/snmp?target=127.0.0.1:${t.port}&module=${t.module}`);
          const text = await r.text();
          const n = (text.match(/^ifOperStatus\{/gm) ?? []).length;
          if (!r.ok || n === 0) failed++;
          samples += n;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return { samples, failed };
    });
  } finally {
    await peer.stop();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.stdin?.end();
  });
}

// ---- agents ----

interface AgentSet {
  targets: Target[];
  stop(): Promise<void>;
}

async function simAgents(n: number, v3: boolean): Promise<AgentSet> {
  const procs = Math.min(AGENT_PROCS, n);
  const sets = await Promise.all(
    Array.from({ length: procs }, (_, k) => {
      const from = Math.floor((n * k) / procs);
      return startAgents({ count: Math.floor((n * (k + 1)) / procs) - from, offset: from, community: COMMUNITY, ...(v3 ? { v3User: V3 } : {}) });
    }),
  );
  const credentials: SnmpCredentials = v3
    ? { version: '3', user: V3.name, authKey: V3.authKey, privKey: V3.privKey, authProtocol: 'sha256', privProtocol: 'aes' }
    : { version: '2c', community: COMMUNITY };
  return {
    targets: sets.flatMap((s) => s.ports).map((port) => ({ port, credentials, module: v3 ? 'v3' : 'v2c' })),
    stop: async () => void (await Promise.all(sets.map((s) => s.stop()))),
  };
}

/** snmpsimd serving the Cisco 3750 recording under n community names (one per switch), on one UDP port. */
async function snmpsimAgents(n: number, dir: string, configFile: string): Promise<AgentSet> {
  const data = join(dir, `data${n}`);
  mkdirSync(data, { recursive: true });
  mkdirSync(join(dir, 'cache'), { recursive: true });
  writeFileSync(join(data, 'cisco3750.snmprec'), gunzipSync(readFileSync(CISCO)));
  for (let i = 0; i < n; i++) symlinkSync('cisco3750.snmprec', join(data, `c${i}.snmprec`));
  for (const p of [dir, data]) chmodSync(p, 0o755);
  chmodSync(join(dir, 'cache'), 0o777);
  // snmp_exporter needs a module per community
  const config = JSON.parse(exporterConfig()) as Record<string, { auth: object }>;
  for (let i = 0; i < n; i++) config[`c${i}`] = { ...config.v2c, auth: { community: `c${i}` } } as { auth: object };
  writeFileSync(configFile, JSON.stringify(config));
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const user = isRoot() ? ['--process-user=nobody', '--process-group=nogroup'] : [];
  const peer = startPeer(SNMPSIMD as string, [
    `--data-dir=${data}`,
    `--cache-dir=${join(dir, 'cache')}`,
    `--agent-udpv4-endpoint=127.0.0.1:${port}`,
    '--logging-method=null',
    ...user,
  ]);
  const probe = new Poller();
  probe.setDevices([{ id: 'probe', host: '127.0.0.1', port, credentials: { version: '2c', community: 'c0' }, timeoutMs: 2000, retries: 0, lldp: false }]);
  try {
    await waitFor('snmpsimd to answer', async () => ((await probe.pollOnce()).devices[0]?.state === 'up' ? true : undefined), 60_000, 500);
  } catch (e) {
    throw new Error(`${String(e)}\n${peer.output()}`);
  } finally {
    probe.close();
  }
  return {
    targets: Array.from({ length: n }, (_, i) => ({ port, credentials: { version: '2c', community: `c${i}` }, module: `c${i}` })),
    stop: () => peer.stop(),
  };
}

// ---- report ----

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const per1k = (c: Cycle): number => (c.samples > 0 ? c.cpu / (c.samples / 1000) : NaN);
const stat = (xs: number[], digits = 4): string => `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}]`;

function report(label: string, simpul: SideRun[], exporter: SideRun[]): void {
  const s = simpul.map((r) => per1k(r.steady));
  const e = exporter.map((r) => per1k(r.steady));
  const sf = simpul.map((r) => per1k(r.first));
  const ef = exporter.map((r) => per1k(r.first));
  const failed = (rs: SideRun[]) => Math.max(...rs.map((r) => Math.max(r.first.failed, r.steady.failed)));
  console.log(
    `  ${label}: samples/cycle ${simpul[0]?.steady.samples} vs ${exporter[0]?.steady.samples}; CPU-s per 1k interface samples, median [range] of ${s.length} runs`,
  );
  console.log(`    steady        simpul ${stat(s)}   snmp_exporter ${stat(e)}   ratio ${(median(s) / median(e)).toFixed(2)}`);
  console.log(`    first cycle   simpul ${stat(sf)}   snmp_exporter ${stat(ef)}   ratio ${(median(sf) / median(ef)).toFixed(2)}`);
  console.log(
    `    peak RSS MB   simpul ${stat(
      simpul.map((r) => r.peakRssMb),
      0,
    )}   snmp_exporter ${stat(
      exporter.map((r) => r.peakRssMb),
      0,
    )}`,
  );
  console.log(`    failed devices/scrapes (max): simpul ${failed(simpul)}, snmp_exporter ${failed(exporter)}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, def: string): string => {
    const i = args.indexOf(name);
    return i >= 0 ? (args.splice(i, 2)[1] ?? def) : def;
  };
  const runs = Number(opt('--runs', '5'));
  const kinds = opt('--agents', 'sim,snmpsim,v3').split(',');
  const sizes = args.map(Number).filter((n) => n > 0);
  const runSizes = sizes.length ? sizes : [100, 500, 1000];
  if (!EXPORTER) throw new Error('prometheus-snmp-exporter is not installed (scripts/install-interop-peers.sh)');
  const version = startPeer(EXPORTER, ['--version']);
  await new Promise((r) => version.child.once('exit', r));
  const dir = mkdtempSync(join(tmpdir(), 'simpul-bench-snmp-'));
  chmodSync(dir, 0o755);
  const configFile = join(dir, 'snmp.yml');
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}; ${version.output().split('\n')[0]}`);
  console.log(`concurrency ${CONCURRENCY}, max-repetitions ${MAX_REP}, names read every cycle by both, ${runs} runs per row (order alternating)`);
  try {
    for (const kind of kinds) {
      for (const n of kind === 'v3' ? [Math.min(...runSizes)] : runSizes) {
        if (kind === 'snmpsim' && !SNMPSIMD) {
          console.log(`${kind} ${n}: skipped, snmpsimd not installed`);
          continue;
        }
        writeFileSync(configFile, exporterConfig());
        const agents = kind === 'snmpsim' ? await snmpsimAgents(n, join(dir, `sim${n}`), configFile) : await simAgents(n, kind === 'v3');
        try {
          const simpul: SideRun[] = [];
          const exporter: SideRun[] = [];
          for (let r = 0; r < runs; r++) {
            if (r % 2 === 0) {
              simpul.push(await runSimpul(agents.targets));
              exporter.push(await runExporter(agents.targets, configFile));
            } else {
              exporter.push(await runExporter(agents.targets, configFile));
              simpul.push(await runSimpul(agents.targets));
            }
          }
          report(`${kind}, ${n} switches`, simpul, exporter);
        } finally {
          await agents.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'simpul') await serveSimpul();
else await main();
