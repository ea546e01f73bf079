/**
 * Remote site agents at scale: one daemon ingesting A agents, each polling S simulated 48-port
 * switches, after every agent built a backlog of C cycles (60 s apart in simulated time, an hour
 * at C = 60) released at once; then the daemon polls the same switches itself (central polling),
 * in the same run, for comparison.
 *
 *   npx tsx bench/agents.ts [--agents 50] [--switches 10] [--cycles 60] [--rounds 3] [--interval 10]
 *
 * The daemon is `simpul serve` in a child process (its CPU from /proc/<pid>/stat); the switches
 * (Simpul's lab fleet, src/lab/snmp/fleet.ts) in two more, and the agents (Simpul's agent parts:
 * DeviceReader poll loop, SQLite queue, uploader over HTTPS with the lab certificate) in this
 * one, all on 127.0.0.1. The daemon's idle CPU (measured for 3 s first) is taken out of both figures. The
 * switches and the agents' poll reads share one clock that jumps 60 s per backlog
 * cycle, so counters and uptimes move as they would in an hour; every poll is dated in the past.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { enroll, queueCycle } from '../agents/agent.js';
import { SimpulClient } from '../agents/client.js';
import type { AgentConfig } from '../agents/config.js';
import { readIdentity } from '../agents/identity.js';
import { PollLoop } from '../agents/poll-loop.js';
import { BatchQueue } from '../agents/queue.js';
import { Uploader } from '../agents/uploader.js';
import { agentAuthorization } from '../src/agents/protocol.js';
import type { Clock } from '../src/common/clock.js';
import type { Device } from '../src/inventory/model.js';
import { LAB_SIMPUL_CERT, LAB_SIMPUL_KEY } from '../src/lab/lab-tls.js';
import { SnmpLab } from '../src/lab/snmp/fleet.js';
import type { PollTarget } from '../src/snmp/session.js';
import { freeTcpPort } from '../test/interop/peers.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    agents: { type: 'string', default: '50' },
    switches: { type: 'string', default: '10' },
    cycles: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
    interval: { type: 'string', default: '10' },
  },
});
const A = Number(args.agents);
const S = Number(args.switches);
const CYCLES = Number(args.cycles);
const ROUNDS = Number(args.rounds);
const INTERVAL = Number(args.interval);
const PORTS = 48;
const ADMIN = 'bench-admin-token-0123456789abcdef';
const COMMUNITY = 'bench';

/** Real time plus an offset the backlog moves forward by 60 s a cycle, ending in the past. */
class SteppedClock implements Clock {
  offsetMs = -(CYCLES + 1) * 60_000;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (USER_HZ = 100 on Linux)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const pad = (n: number) => String(n + 1).padStart(2, '0');
const agentId = (a: number) => `agent-${pad(a)}`;
const deviceId = (a: number, s: number) => `opd${pad(a)}-sw${pad(s)}`;

function opdFile(a: number, ports: Map<string, number>, withAgent: boolean): string {
  const devices = Array.from({ length: S }, (_, s) =>
    [
      `  - id: ${deviceId(a, s)}`,
      `    name: "Switch ${s + 1}"`,
      '    role: switch',
      '    vendor: Cisco',
      '    model: C1000-48T-4G-L',
      `    site: opd${pad(a)}-hq`,
      '    mgmt: 127.0.0.1',
      `    ports: ${PORTS}`,
      ...(withAgent ? [`    agent: ${agentId(a)}`] : []),
      `    snmp: { version: "2c", credentials: snmp-bench, port: ${ports.get(deviceId(a, s))} }`,
    ].join('\n'),
  );
  return [
    `opd: { code: OPD${pad(a)}, name: "Office ${a + 1}", kind: dinas }`,
    'sites:',
    `  - { id: opd${pad(a)}-hq, name: "Office ${a + 1}", address: "Jl. Bench ${a + 1}", floors: 1 }`,
    'agents:',
    `  - { id: ${agentId(a)} }`,
    'devices:',
    ...devices,
    '',
  ].join('\n');
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const devices = Array.from({ length: A * S }, (_, i) => {
  const a = Math.floor(i / S);
  return {
    id: deviceId(a, i % S),
    opd: `OPD${pad(a)}`,
    name: `Switch ${i}`,
    vendor: 'Cisco',
    model: 'C1000-48T-4G-L',
    ports: PORTS,
    snmp: { version: '2c', credentials: 'snmp-bench' },
  } as Device;
});

/** One JSON line at a time from a child's stdout. */
function lineReader(input: NodeJS.ReadableStream): () => Promise<string> {
  const queue: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  createInterface({ input }).on('line', (l) => (waiting.length ? waiting.shift()!(l) : queue.push(l)));
  return () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r)));
}

/** Child mode (`sims <from> <to>`): serve a slice of the switches on the stepped clock; `step` on stdin moves it 60 s. */
if (positionals[0] === 'sims') {
  const clock = new SteppedClock();
  const lab = await SnmpLab.start({ devices: devices.slice(Number(positionals[1]), Number(positionals[2])), links: [] }, { clock, community: COMMUNITY });
  process.stdout.write(`${JSON.stringify(lab.targets())}\n`);
  createInterface({ input: process.stdin })
    .on('line', () => {
      clock.offsetMs += 60_000;
      process.stdout.write('ok\n');
    })
    .on('close', () => void lab.close().then(() => process.exit(0)));
  await new Promise(() => undefined);
}

/** The switches in two child processes (their CPU is neither the daemon's nor the agents'), on clocks stepped together. */
async function startSims(): Promise<{ targets: PollTarget[]; step(): Promise<void>; stop(): Promise<void> }> {
  const cut = Math.ceil(devices.length / 2);
  const children = [
    [0, cut],
    [cut, devices.length],
  ]
    .filter(([from, to]) => (to as number) > (from as number))
    .map(([from, to]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'sims', String(from), String(to), ...process.argv.slice(2)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      return { child, next: lineReader(child.stdout) };
    });
  const targets = (await Promise.all(children.map(async (c) => JSON.parse(await c.next()) as PollTarget[]))).flat();
  return {
    targets,
    async step() {
      for (const c of children) c.child.stdin.write('step\n');
      await Promise.all(children.map((c) => c.next()));
    },
    async stop() {
      await Promise.all(children.map((c) => new Promise((r) => (c.child.once('exit', r), c.child.stdin.end()))));
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'simpul-bench-agents-'));
const clock = new SteppedClock();
console.log(
  `bench/agents: ${A} agents x ${S} switches x ${PORTS} ports, backlog ${CYCLES} cycles of 60 s; central polling every ${INTERVAL} s for ${ROUNDS} rounds`,
);
const sims = await startSims();
const targets = sims.targets;
const simPorts = new Map(targets.map((t) => [t.id, t.port as number]));

// the daemon: inventory, config, HTTPS with the lab certificate on 127.0.0.1
const inv = join(dir, 'inventory');
mkdirSync(join(inv, 'opds'), { recursive: true });
writeFileSync(join(inv, 'regency.yaml'), 'regency: { name: "Kabupaten Bench", province: "Kalimantan Barat" }\n');
writeFileSync(join(inv, 'backbone.yaml'), 'links: []\n');
const writeInventory = (withAgent: boolean) => {
  for (let a = 0; a < A; a++) writeFileSync(join(inv, 'opds', `OPD${pad(a)}.yaml`), opdFile(a, simPorts, withAgent));
};
writeInventory(true);
writeFileSync(join(dir, 'cert.pem'), LAB_SIMPUL_CERT);
writeFileSync(join(dir, 'key.pem'), LAB_SIMPUL_KEY);
writeFileSync(join(dir, 'community'), COMMUNITY);
const [port, tlsPort] = [await freeTcpPort(), await freeTcpPort()];
writeFileSync(
  join(dir, 'simpul.yaml'),
  JSON.stringify({
    host: '127.0.0.1',
    port,
    dataDir: join(dir, 'data'),
    inventory: inv,
    log: { level: 'warn' },
    credentials: { 'snmp-bench': { community: { file: join(dir, 'community') } } },
    snmp: { intervalSeconds: INTERVAL, maxConcurrent: 32 },
    http: { bodyLimitBytes: 8 * 1024 * 1024, tls: { host: '127.0.0.1', port: tlsPort, certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } },
  }),
);
const daemon = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
  env: { ...process.env, SIMPUL_CONFIG: join(dir, 'simpul.yaml'), SIMPUL_ADMIN_TOKEN: ADMIN },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
const server = `https://127.0.0.1:${tlsPort}`;
const api = (path: string, init: RequestInit = {}) => fetch(base + path, { ...init, headers: { authorization: `Bearer ${ADMIN}` } });
const metric = async (name: string): Promise<number> => {
  const text = await (await api('/metrics')).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
};

try {
  await waitUntil('the daemon', async () => (await fetch(`${base}/readyz`)).ok, 60_000);

  // enroll every agent, then let each build its backlog with Simpul's own agent parts
  const agents = await Promise.all(
    Array.from({ length: A }, async (_, a) => {
      const id = agentId(a);
      const config = { server, ca: LAB_SIMPUL_CERT, agentId: id, dataDir: join(dir, 'agents', id) } as AgentConfig;
      const { code } = (await (await api(`/api/v1/agents/${id}/enrollment-code`, { method: 'POST' })).json()) as { code: string };
      await enroll(config, code);
      const queue = new BatchQueue(join(config.dataDir, 'queue.db'), { maxAgeSeconds: 7 * 86_400, maxBytes: 512 * 1024 * 1024 });
      const loop = new PollLoop((polls, at) => void queueCycle(queue, polls, at), { clock });
      loop.setTargets(
        targets.filter((t) => t.id.startsWith(`opd${pad(a)}-`)),
        60,
      );
      return { id, config, queue, loop };
    }),
  );
  const tb = performance.now();
  for (let c = 0; c < CYCLES; c++) {
    clock.offsetMs += 60_000;
    await sims.step();
    await Promise.all(agents.map((g) => g.loop.cycle()));
  }
  const backlogBytes = agents.reduce((n, g) => n + g.queue.status().backlogBytes, 0);
  console.log(`backlog built in ${((performance.now() - tb) / 1000).toFixed(1)} s: ${A * CYCLES} batches, ${(backlogBytes / 2 ** 20).toFixed(1)} MiB queued`);

  // what the daemon burns doing nothing (timers, GC, background jobs), taken out of both figures below
  const i0 = procCpuSeconds(daemon.pid as number);
  const ti = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const idlePerS = (procCpuSeconds(daemon.pid as number) - i0) / ((performance.now() - ti) / 1000);
  console.log(`daemon idle: ${(idlePerS * 1000).toFixed(1)} CPU-ms per second`);

  // the link comes back: every agent uploads its backlog at once
  const polls0 = await metric('simpul_snmp_poll_duration_seconds_count');
  const cpu0 = procCpuSeconds(daemon.pid as number);
  const t0 = performance.now();
  const uploaders = agents.map((g) => {
    const identity = readIdentity(g.config.dataDir);
    if (!identity) throw new Error(`${g.id} not enrolled`);
    const client = new SimpulClient(server, LAB_SIMPUL_CERT);
    const u = new Uploader(client, g.queue, {
      agentId: g.id,
      authorization: agentAuthorization(identity.agentId, identity.secret),
      agentVersion: 'bench',
      retryMaxMs: 1000,
      onConfigVersion: () => undefined,
      log: (level, msg) => console.error(`${g.id}: ${level}: ${msg}`),
    });
    return { u, client, running: u.run() };
  });
  await waitUntil('the backlog to drain', async () => agents.every((g) => g.queue.status().backlogBatches === 0), 3_600_000);
  const drainS = (performance.now() - t0) / 1000;
  const drainCpu = procCpuSeconds(daemon.pid as number) - cpu0 - idlePerS * drainS;
  for (const x of uploaders) {
    x.u.stop();
    x.client.close();
    await x.running;
  }
  const applied = (await metric('simpul_snmp_poll_duration_seconds_count')) - polls0;
  const rejected = await metric('simpul_snmp_rejected_samples_total');
  const samples = A * S * CYCLES * PORTS;
  console.log(
    `backlog drain: ${drainS.toFixed(1)} s wall, daemon ${drainCpu.toFixed(2)} CPU-s (net of idle) for ${samples} interface samples (${applied} of ${A * S * CYCLES} polls applied, ${rejected} samples rejected)`,
  );
  console.log(`  agent ingest: ${((drainCpu / samples) * 1e6).toFixed(1)} CPU-ms per 1,000 interface samples`);
  for (const g of agents) {
    await g.loop.stop();
    g.queue.close();
  }

  // the same switches polled by the daemon itself
  writeInventory(false);
  daemon.kill('SIGHUP');
  const perRound = A * S;
  const c0 = await metric('simpul_snmp_poll_duration_seconds_count');
  await waitUntil('the first central round', async () => (await metric('simpul_snmp_poll_duration_seconds_count')) >= c0 + perRound, 600_000);
  const c1 = await metric('simpul_snmp_poll_duration_seconds_count');
  const ccpu0 = procCpuSeconds(daemon.pid as number);
  const tc = performance.now();
  // a fixed window, read at its edges only: rendering /metrics to watch it would be counted as polling
  await new Promise((r) => setTimeout(r, ROUNDS * INTERVAL * 1000));
  const centralCpu = procCpuSeconds(daemon.pid as number) - ccpu0 - idlePerS * ((performance.now() - tc) / 1000);
  const centralSamples = ((await metric('simpul_snmp_poll_duration_seconds_count')) - c1) * PORTS;
  console.log(
    `central polling: daemon ${centralCpu.toFixed(2)} CPU-s (net of idle) for ${centralSamples} interface samples in ${ROUNDS * INTERVAL} s (steady rounds, names cached)`,
  );
  console.log(`  central polling: ${((centralCpu / centralSamples) * 1e6).toFixed(1)} CPU-ms per 1,000 interface samples`);
} finally {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  await sims.stop();
  rmSync(dir, { recursive: true, force: true });
}
