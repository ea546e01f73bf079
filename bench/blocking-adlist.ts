// Site blocking, router-fetched lists (RouterOS 7.15+ /ip/dns/adlist): a NAMES-name policy
// (default 1,000,000) reaching every OPD router of the example regency (33; each simulated as
// RouterOS 7.19.1, counting the names it fetches over HTTPS from Simpul rather than keeping them;
// the simulated routers run in a child process, so their parsing is not the daemon's CPU or RSS).
// Measures: the hosts file build (hash + write) for NAMES names on its own; then, in the daemon
// (lab mode), the time from an import's answer to every router having fetched the new version
// (its own name-count), and from one more entry to every router having reloaded; peak RSS.
// Run: npx tsx bench/blocking-adlist.ts [names]     (smoke: 20000)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { startDaemon } from '../src/daemon.js';
import { LAB_STARTERS } from '../src/lab/lab.js';
import { LAB_SIMPUL_CERT } from '../src/lab/lab-tls.js';
import { RouterSim } from '../src/lab/routeros/server.js';
import { AdlistFiles } from '../src/blocking/adlist-files.js';
import type { Endpoint } from '../src/module.js';

// ---- child: the simulated routers ----------------------------------------------------------------
if (process.argv[2] === '--routers') {
  const sims = new Map<string, RouterSim>();
  process.on('message', async (m: { start?: { devices: { id: string; model: string }[]; user: string; password: string }; counts?: true; stop?: true }) => {
    if (m.start) {
      for (const dev of m.start.devices) {
        // every router on 7.19.1: all of them fetch their list
        const sim = new RouterSim({
          user: m.start.user,
          password: m.start.password,
          emptyReplies: true,
          keepAdlistNames: false,
          trustedCa: LAB_SIMPUL_CERT,
          state: { identity: dev.id, version: '7.19.1', board: dev.model },
        });
        await sim.start();
        sims.set(dev.id, sim);
      }
      process.send?.({ endpoints: [...sims].map(([id, sim]) => [id, sim.port]) });
    }
    if (m.counts)
      process.send?.({
        counts: Object.fromEntries([...sims].map(([id, sim]) => [id, Number(sim.state.list('/ip/dns/adlist')[0]?.['name-count'] ?? -1)])),
        fetches: [...sims.values()].reduce((n, x) => n + x.adlist.fetches, 0),
        rss: process.memoryUsage().rss,
      });
    if (m.stop) {
      await Promise.all([...sims.values()].map((x) => x.stop()));
      process.exit(0);
    }
  });
} else await main();

async function main(): Promise<void> {
  const NAMES = Number(process.argv[2] ?? 1_000_000);
  const ROOT = resolve(import.meta.dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'simpul-bench-adlist-'));
  const TOKEN = 'bench-adlist-admin-token-00000000';
  const name = (i: number) => `situs-${i}.judi${i % 997}.example`;

  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
  const now = () => performance.now();

  // ---- the hosts file alone ---------------------------------------------------------------------
  const domains = Array.from({ length: NAMES }, (_, i) => ({ name: name(i), subdomains: false, category: 'judi' }));
  const files = new AdlistFiles(join(dir, 'files'), (opd) => ({ opd, domains, prefixes: [] }));
  let t = now();
  const v = files.version('BENCH');
  const buildMs = now() - t;
  console.log(
    `hosts file: ${NAMES} names, ${mb(statSync(v.path).size)}, built in ${buildMs.toFixed(0)} ms (hash + write); asked again: ${(((t = now()), files.version('BENCH'), now() - t)).toFixed(2)} ms`,
  );
  domains.length = 0;

  // ---- the daemon and its routers (in a child process) ------------------------------------------
  let child: ChildProcess | undefined;
  const ask = async <T>(m: object, key: string): Promise<T> => {
    const reply = once(child as ChildProcess, 'message');
    child?.send(m);
    return ((await reply)[0] as Record<string, T>)[key] as T;
  };
  let last: { counts: Record<string, number>; fetches: number; rss: number } = { counts: {}, fetches: 0, rss: 0 };
  LAB_STARTERS.splice(0, LAB_STARTERS.length, async (inv, cred) => {
    child = fork(import.meta.filename, ['--routers'], { execArgv: ['--import', 'tsx'] });
    const devices = inv.devices.filter((x) => x.routeros).map((x) => ({ id: x.id, model: x.model }));
    const ports = await ask<[string, number][]>({ start: { devices, user: cred.username, password: cred.password } }, 'endpoints');
    const endpoints = new Map<string, Endpoint>(ports.map(([id, port]) => [`${id}/routeros`, { host: '127.0.0.1', port }]));
    return { name: 'routeros', endpoints, stop: async () => void child?.send({ stop: true }) };
  });
  const config = loadConfig({
    env: { SIMPUL_ADMIN_TOKEN: TOKEN },
    defaults: {
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'data'),
      inventory: join(ROOT, 'inventory'),
      log: { level: 'error' },
      blocking: { maxImportBytes: 2147483647, adlist: { enabled: true, reloadWaitSeconds: 120 } },
    },
  });
  config.lab = true;
  const d = await startDaemon(config);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(d.url + path, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });
  const opdRouters: string[] = [];
  async function poll(): Promise<void> {
    const r = await new Promise<typeof last>((resolve) => {
      child?.once('message', (m) => resolve(m as typeof last));
      child?.send({ counts: true });
    });
    last = r;
    peakChild = Math.max(peakChild, r.rss);
  }
  let peakChild = 0;
  const count = (id: string) => last.counts[id] ?? -1;
  async function allHold(n: number, timeoutMs: number): Promise<number> {
    const start = now();
    await poll();
    if (!opdRouters.length) opdRouters.push(...Object.keys(last.counts).filter((id) => !id.startsWith('diskominfo-')));
    while (opdRouters.some((id) => count(id) !== n)) {
      if (now() - start > timeoutMs)
        throw new Error(`routers without ${n} names after ${timeoutMs} ms: ${opdRouters.filter((id) => count(id) !== n).join(' ')}`);
      await new Promise((r) => setTimeout(r, 20));
      await poll();
    }
    return now() - start;
  }
  await allHold(0, 120_000);
  console.log(`${opdRouters.length} OPD routers in adlist mode, empty list held`);

  function* lines(): Generator<string> {
    const CHUNK = 10_000;
    for (let i = 0; i < NAMES; i += CHUNK) yield Array.from({ length: Math.min(CHUNK, NAMES - i) }, (_, k) => name(i + k)).join('\n') + '\n';
  }
  t = now();
  const imp = await api('/api/v1/blocklists/judi/import?source=bench', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: Readable.toWeb(Readable.from(lines())) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (imp.status !== 200) throw new Error(`import: ${imp.status} ${await imp.text()}`);
  const importMs = now() - t;
  const reachMs = await allHold(NAMES, 600_000);
  console.log(`import of ${NAMES} names: ${(importMs / 1000).toFixed(1)} s; then every router fetched the list in ${(reachMs / 1000).toFixed(2)} s`);

  t = now();
  const one = await api('/api/v1/blocklists/judi/entries', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value: 'satu-lagi.judi.example' }),
  });
  if (one.status !== 201) throw new Error(`entry: ${one.status} ${await one.text()}`);
  const oneMs = await allHold(NAMES + 1, 600_000);
  console.log(
    `one more entry: every router reloaded ${NAMES + 1} names in ${((now() - t) / 1000).toFixed(2)} s (${(oneMs / 1000).toFixed(2)} s after the answer)`,
  );
  const fetches = last.fetches;
  console.log(`fetches by all routers: ${fetches}; peak RSS of the daemon ${mb(peak)}, of the simulated routers' process ${mb(peakChild)} (sampled)`);
  console.log(
    JSON.stringify({
      names: NAMES,
      routers: opdRouters.length,
      buildMs: Math.round(buildMs),
      importMs: Math.round(importMs),
      reachMs: Math.round(reachMs),
      oneMoreMs: Math.round(oneMs),
      fetches,
      peakRssMb: Math.round(peak / 1048576),
      routersRssMb: Math.round(peakChild / 1048576),
    }),
  );
  clearInterval(sampler);
  await d.close();
  rmSync(dir, { recursive: true, force: true });
}
