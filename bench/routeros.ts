// Desired-state sync against the simulated router with the real client (node-routeros through
// RouterConnection, syncRouter): 100,000 address-list entries to one router, the no-op resync,
// a 1% change, the config backup of that router over SSH, and 50 routers with 10,000 entries
// each at once. The simulators run in this process, so RSS and CPU time cover client and
// simulators together; `commands` are the API sentences the simulators received (login, prints,
// writes). Run: npx tsx bench/routeros.ts
import os from 'node:os';
import { type RouterSim, startRouterSim } from '../src/lab/routeros/server.js';
import { RouterConnection } from '../src/routeros/connection.js';
import type { DesiredState, Entry } from '../src/routeros/desired.js';
import { Semaphore } from '../src/routeros/limiter.js';
import { syncRouter, type SyncResult } from '../src/routeros/sync.js';
import { startRouterSsh } from '../src/lab/routeros/ssh.js';
import { fetchCommand } from '../src/backup/fetch.js';
import { maskSecrets } from '../src/backup/mask.js';
import { canonicalExport, comparableExport } from '../src/backup/export-text.js';
import { changedLines } from '../src/backup/diff.js';

const AL = '/ip/firewall/address-list';
const USER = 'bench';
const PASSWORD = 'bench-pw';

/** n distinct addresses in 10.0.0.0/8, deterministic; `salt` shifts a share of them. */
function entries(n: number, salt = 0, changedShare = 0): Entry[] {
  const out: Entry[] = [];
  const changeEvery = changedShare > 0 ? Math.round(1 / changedShare) : 0;
  for (let i = 0; i < n; i++) {
    const v = changeEvery && i % changeEvery === 0 ? i + 16_000_000 + salt : i;
    out.push({ list: 'simpul-block', address: `10.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`, comment: 'simpul:block:bench' });
  }
  return out;
}
const desired = (list: Entry[]): DesiredState => ({ menus: { [AL]: list } });

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
const resetPeak = () => (peakRss = process.memoryUsage().rss);
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;

interface Row {
  scenario: string;
  wallMs: number;
  /** CPU time of this process (client and simulators): the work, whatever else shares the cores. */
  cpuMs: number;
  /** API sentences the simulators received; -1 for the SSH backup row. */
  sentences: number;
  writes: number;
  result: string;
  peakRss: number;
}
const rows: Row[] = [];

function connect(sim: RouterSim, id: string): RouterConnection {
  return new RouterConnection(
    { id, host: '127.0.0.1', port: sim.port, user: USER, password: PASSWORD },
    { requestTimeoutMs: 600_000, keepaliveMs: 0, autoReconnect: false },
  );
}

async function measure(scenario: string, sims: RouterSim[], run: () => Promise<SyncResult[]>): Promise<SyncResult[]> {
  const before = sims.map((s) => ({ ...s.stats }));
  resetPeak();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const results = await run();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const sentences = sims.reduce((n, s, i) => n + s.stats.sentences - (before[i]?.sentences ?? 0), 0);
  const writes = sims.reduce((n, s, i) => n + s.stats.writes - (before[i]?.writes ?? 0), 0);
  const byResult = new Map<string, number>();
  for (const r of results) byResult.set(r.result, (byResult.get(r.result) ?? 0) + 1);
  const result = [...byResult].map(([k, v]) => `${k}${results.length > 1 ? ` x${v}` : ''}`).join(', ');
  rows.push({ scenario, wallMs, cpuMs, sentences, writes, result, peakRss });
  console.error(`${scenario}: ${(wallMs / 1000).toFixed(2)} s (cpu ${(cpuMs / 1000).toFixed(2)} s), ${sentences} sentences, ${writes} writes, ${result}`);
  for (const r of results) if (r.errors.length) console.error('  errors:', r.errors.slice(0, 3));
  return results;
}

/** `/export` over SSH, canonical, masked: what a backup stores. */
async function backupText(port: number): Promise<string> {
  const { output } = await fetchCommand({ host: '127.0.0.1', port, username: USER, password: PASSWORD }, '/export show-sensitive terse', {
    pinned: null,
    timeoutMs: 600_000,
    maxBytes: 1 << 30,
  });
  return maskSecrets(canonicalExport(output), Buffer.from('bench')).text;
}

/** Fetch, mask and count changed lines against the previous version, as BackupService does. */
async function measureBackup(scenario: string, fetch: () => Promise<string>, previous: string): Promise<void> {
  resetPeak();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const text = await fetch();
  const lines = changedLines(comparableExport(previous), comparableExport(text));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const result = `${(text.length / 1048576).toFixed(1)} MiB export, ${lines ? `+${lines.added} -${lines.removed} lines` : 'diff gave up'}`;
  rows.push({
    scenario,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    sentences: -1,
    writes: -1,
    result,
    peakRss: Math.max(peakRss, process.memoryUsage().rss),
  });
  console.error(`${scenario}: ${(wallMs / 1000).toFixed(2)} s, ${result}`);
}

async function main(): Promise<void> {
  console.error(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  // 1. one router, 100,000 entries
  const N = 100_000;
  const sim = await startRouterSim({ user: USER, password: PASSWORD, emptyReplies: true });
  const conn = connect(sim, 'bench-r1');
  const full = entries(N);
  await measure(`initial sync, 1 router x ${N.toLocaleString('en')}`, [sim], async () => [await syncRouter(conn, desired(full))]);
  if (sim.state.list(AL).length !== N) throw new Error(`router holds ${sim.state.list(AL).length} entries, expected ${N}`);
  await measure('no-op resync', [sim], async () => [await syncRouter(conn, desired(full))]);
  const ssh = await startRouterSsh({ state: sim.state, user: USER, password: PASSWORD });
  const backup = () => backupText(ssh.port);
  const before = await backup();
  const changed = entries(N, 1, 0.01);
  await measure('1% changed resync', [sim], async () => [await syncRouter(conn, desired(changed))]);
  await measureBackup(`config backup of that router over SSH`, backup, before);
  await ssh.stop();
  await conn.close();
  await sim.stop();

  // 2. fifty routers, 10,000 entries each, at once (the daemon's default cap of 8 in flight)
  const R = 50;
  const M = 10_000;
  const sims = await Promise.all(Array.from({ length: R }, () => startRouterSim({ user: USER, password: PASSWORD, emptyReplies: true })));
  const conns = sims.map((s, i) => connect(s, `bench-r${i + 1}`));
  const list = entries(M);
  const limiter = new Semaphore(8);
  await measure(`initial sync, ${R} routers x ${M.toLocaleString('en')} (8 at once)`, sims, () =>
    Promise.all(conns.map((c) => syncRouter(c, desired(list), { limiter }))),
  );
  await measure(`no-op resync, ${R} routers`, sims, () => Promise.all(conns.map((c) => syncRouter(c, desired(list), { limiter }))));
  await Promise.all(conns.map((c) => c.close()));
  await Promise.all(sims.map((s) => s.stop()));
  clearInterval(sampler);

  const w = Math.max(...rows.map((r) => r.scenario.length));
  console.log(
    `${'scenario'.padEnd(w)}  ${'wall'.padStart(9)}  ${'cpu'.padStart(9)}  ${'commands'.padStart(9)}  ${'writes'.padStart(7)}  ${'peak RSS'.padStart(8)}  result`,
  );
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(w)}  ${`${(r.wallMs / 1000).toFixed(2)} s`.padStart(9)}  ${`${(r.cpuMs / 1000).toFixed(2)} s`.padStart(9)}  ${(r.sentences < 0 ? '-' : String(r.sentences)).padStart(9)}  ${(r.writes < 0 ? '-' : String(r.writes)).padStart(7)}  ${mib(r.peakRss).padStart(8)}  ${r.result}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
