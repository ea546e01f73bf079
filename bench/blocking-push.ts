// Router half of the blocking benchmark: a 50,000-entry block list (domains, wildcards, addresses,
// prefixes) pushed to 30 simulated OPD routers at once with the real client (syncRouter over
// node-routeros, at most 8 routers at a time as the reconciler's default), then the no-op resync.
// The simulators run in a child process so the client's peak RSS is its own. Per round it prints
// the client's CPU with and without the contributor's share (computing the desired states), per
// written entry for the push and per router for the no-op resync, and the peak RSS of both sides.
// Run: npx tsx bench/blocking-push.ts [routers=30] [entries=50000] [concurrency=8]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { blockingContributor } from '../src/blocking/contributor.js';
import type { EffectiveBlocklist } from '../src/blocking/effective.js';
import { systemClock } from '../src/common/clock.js';
import type { Device, Inventory } from '../src/inventory/model.js';
import { startRouterSim, type RouterSim } from '../src/lab/routeros/server.js';
import { RouterConnection } from '../src/routeros/connection.js';
import { DesiredRegistry } from '../src/routeros/contributors.js';
import { Semaphore } from '../src/routeros/limiter.js';
import { syncRouter, type SyncResult } from '../src/routeros/sync.js';

const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** Child: N simulators on 127.0.0.1; prints their ports, answers `stats` and `rss` lines on stdin. */
async function simulators(n: number): Promise<void> {
  const sims: RouterSim[] = [];
  for (let i = 0; i < n; i++) sims.push(await startRouterSim({ password: 'pw', state: { identity: `opd${i}-rtr01`, version: '7.19.1' } }));
  for (const s of sims)
    s.state.insert('/ip/firewall/filter', { chain: 'forward', action: 'accept', 'connection-state': 'established,related', comment: 'defconf' });
  process.stdout.write(`${JSON.stringify(sims.map((s) => s.port))}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stats') {
      const sum = (k: 'writes' | 'sentences') => sims.reduce((a, s) => a + s.stats[k], 0);
      const rows = sims.map((s) => ['/ip/dns/static', '/ip/firewall/address-list', '/ip/firewall/filter'].reduce((a, m) => a + s.state.list(m).length, 0));
      const cpu = process.cpuUsage();
      process.stdout.write(
        `${JSON.stringify({ writes: sum('writes'), sentences: sum('sentences'), rowsMin: Math.min(...rows), rowsMax: Math.max(...rows), peakRss: peakRss(), cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
      );
    }
  }
  await Promise.all(sims.map((s) => s.stop()));
}

/** Deterministic list: 60% domains (a fifth of them wildcards), 40% IPv4 addresses and prefixes. */
function blocklist(entries: number): EffectiveBlocklist {
  const nDomains = Math.round(entries * 0.6);
  const domains = Array.from({ length: nDomains }, (_, i) => ({
    name: `site${i}.judi${i % 97}.example`,
    subdomains: i % 5 === 0,
    category: i % 2 ? 'judi' : 'pornografi',
  }));
  // public-looking space away from the lab's 10.x, 100.64/10, 192.0.2/24 and 203.0.113/24
  const prefixes = Array.from({ length: entries - nDomains }, (_, i) => {
    const a = 11 + Math.floor(i / 4096);
    const b = Math.floor(i / 16) % 256;
    const c = (i % 16) * 16;
    return { prefix: i % 4 === 0 ? `${a}.${b}.${c}.0/24` : `${a}.${b}.${c}.${i % 4}`, category: 'malware' };
  });
  return { opd: '', domains, prefixes };
}

async function main(): Promise<void> {
  const nRouters = Number(process.argv[2] ?? 30);
  const nEntries = Number(process.argv[3] ?? 50000);
  const concurrency = Number(process.argv[4] ?? 8);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'sims', String(nRouters)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await lines.next()).value)) as unknown;
  const ports = (await next()) as number[];

  const routers = ports.map(
    (_, i) =>
      ({
        id: `opd${i}-rtr01`,
        name: `Router ${i}`,
        role: 'router',
        vendor: 'MikroTik',
        model: 'RB5009UG+S+IN',
        site: `opd${i}-hq`,
        mgmt: `10.255.${i}.1`,
        opd: `OPD${i}`,
        routeros: { credentials: 'lab', version: '7.19.1' },
      }) as Device,
  );
  const inv = { regency: { name: 'Kabupaten Contoh', province: 'Contoh' }, opds: [], sites: [], devices: routers, links: [] } as unknown as Inventory;
  const list = blocklist(nEntries);
  const registry = new DesiredRegistry();
  // 50,000 entries exceed the default per-model limit of 20,000: raised for this run
  registry.register(
    blockingContributor(
      { effective: (opd) => ({ ...list, opd }) },
      { config: { blocking: { dropForeignDns: true, modelLimits: { default: 20000, 'RB5009UG+S+IN': 60000 } } }, clock: systemClock },
    ),
  );
  const conns = ports.map(
    (port, i) => new RouterConnection({ id: `opd${i}-rtr01`, host: '127.0.0.1', port, user: 'admin', password: 'pw' }, { requestTimeoutMs: 120000 }),
  );
  const limiter = new Semaphore(concurrency);

  let simCpuMs = 0;
  async function round(label: string): Promise<void> {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let tDesired = 0;
    let cpuDesired = 0;
    // as the reconciler does: a router's desired state is computed when its turn comes
    const results: SyncResult[] = await Promise.all(
      conns.map((c, i) =>
        limiter.run(async () => {
          const t = performance.now();
          const c0 = process.cpuUsage();
          const desired = registry.desiredFor(routers[i]!, inv);
          tDesired += performance.now() - t;
          const dc = process.cpuUsage(c0);
          cpuDesired += (dc.user + dc.system) / 1e6;
          return syncRouter(c, desired);
        }),
      ),
    );
    const wall = performance.now() - t0;
    child.stdin.write('stats\n');
    const cpu = process.cpuUsage(cpu0);
    const s = (await next()) as { writes: number; sentences: number; rowsMin: number; rowsMax: number; peakRss: number; cpuMs: number };
    const bad = results.filter((r) => r.result !== 'ok');
    const writes = results.reduce((a, r) => a + r.writes, 0);
    const per = results.map((r) => r.durationMs).sort((a, b) => a - b);
    console.log(
      `${label.padEnd(14)} wall ${(wall / 1000).toFixed(1)} s (of which computing desired states ${(tDesired / 1000).toFixed(1)} s), writes ${writes}, ` +
        `sentences at the routers so far ${s.sentences}, per router median ${(per[per.length >> 1]! / 1000).toFixed(1)} s max ${(per[per.length - 1]! / 1000).toFixed(1)} s, ` +
        `rows per router ${s.rowsMin}..${s.rowsMax}, not ok ${bad.length}${bad.length ? ` (${bad[0]?.errors[0]?.message})` : ''}`,
    );
    const cpuS = (cpu.user + cpu.system) / 1e6;
    // the desired states are the contributor's work (synchronous, so its CPU time is measured apart)
    const pushCpuS = cpuS - cpuDesired;
    const cost = writes > 0 ? `${((pushCpuS * 1e6) / writes).toFixed(1)} µs per written entry` : `${((pushCpuS * 1000) / nRouters).toFixed(0)} ms per router`;
    console.log(
      `${''.padEnd(14)} CPU: client ${cpuS.toFixed(1)} s (${(pushCpuS).toFixed(1)} s without computing desired states: ${cost}), simulators ${((s.cpuMs - simCpuMs) / 1000).toFixed(1)} s; peak RSS: client ${mib(peakRss())}, simulators ${mib(s.peakRss)}`,
    );
    simCpuMs = s.cpuMs;
  }

  console.log(
    `machine: ${process.arch}, node ${process.version}; ${nRouters} routers, ${nEntries} entries (60% domains, 40% IPv4), ${concurrency} routers at a time`,
  );
  await round('first push');
  await round('no-op resync');
  for (const c of conns) await c.close();
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
}

if (process.argv[2] === 'sims') await simulators(Number(process.argv[3] ?? 30));
else await main();
