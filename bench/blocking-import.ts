// Site blocking, import half (the router push half is bench/blocking-push.ts):
// a list of LINES lines (default 1,000,000: plain names, hosts lines, AdBlock rules, addresses;
// a few invalid lines) streamed through POST /api/v1/blocklists/judi/import on a real SQLite file,
// while /healthz is asked every 10 ms to show the server keeps answering. Then the same file again
// (nothing to write), a file with a tenth of its names changed (a real refresh), and the effective
// list of one OPD built from it.
// Prints time, lines/s, /healthz p50/p99/max during each import, and peak RSS.
// Run: npx tsx bench/blocking-import.ts [lines]     (smoke: 100000)
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { startDaemon } from '../src/daemon.js';

const LINES = Number(process.argv[2] ?? 1_000_000);
const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'simpul-bench-blocking-'));
const TOKEN = 'bench-blocking-admin-token-0000';
const file = join(dir, 'list.txt');

// The list: mostly names as national lists hold them, some in other formats, 0.01% invalid.
// `changed`: one plain name in ten renamed, as a refresh of a national list does.
async function writeList(path: string, changed: boolean): Promise<number> {
  const out = createWriteStream(path);
  for (let i = 0; i < LINES; i++) {
    const r = i % 100;
    const line =
      i % 10_000 === 9_999
        ? `bad..name-${i}`
        : r < 80
          ? `${changed && r % 10 === 0 ? 'baru' : 'situs'}-${i}.judi${i % 997}.example`
          : r < 90
            ? `0.0.0.0 host-${i}.example`
            : r < 97
              ? `||ads-${i}.example^`
              : `203.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}
const size = await writeList(file, false);
const changedFile = join(dir, 'list-changed.txt');
await writeList(changedFile, true);

// Lab mode: every device endpoint is a simulator on 127.0.0.1. Enforcement off: this measures the
// import; pushing the result to routers is bench/blocking-push.ts. The lab's simulated switches
// answer SNMP on this same event loop (in production they are devices elsewhere): polled once at
// start, then hourly, so a poll round does not land in the middle of a measurement.
const config = loadConfig({
  env: { SIMPUL_ADMIN_TOKEN: TOKEN },
  lab: true,
  defaults: {
    host: '127.0.0.1',
    port: 0,
    dataDir: join(dir, 'data'),
    inventory: join(ROOT, 'inventory'),
    log: { level: 'error' },
    blocking: { enforce: false },
    snmp: { intervalSeconds: 3600 },
  },
});
const d = await startDaemon(config);
// Start-up work (the first poll of the lab switches) done: the event loop keeps 10 ms timers on time for a second.
for (let quiet = 0, tries = 0; quiet < 100 && tries < 3000; tries++) {
  const t = performance.now();
  await new Promise((res) => setTimeout(res, 10));
  quiet = performance.now() - t < 30 ? quiet + 1 : 0;
}
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const rssBefore = process.memoryUsage.rss();
let rssPeak = rssBefore;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function importOnce(path: string): Promise<{ ms: number; report: Record<string, unknown>; health: number[] }> {
  const health: number[] = [];
  let running = true;
  const pinger = (async () => {
    while (running) {
      const t = performance.now();
      const r = await fetch(`${d.url}/healthz`);
      await r.text();
      health.push(performance.now() - t);
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  const t0 = performance.now();
  const r = await fetch(`${d.url}/api/v1/blocklists/judi/import?source=national`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain', 'content-length': String(statSync(path).size) },
    body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
  const report = (await r.json()) as Record<string, unknown>;
  const ms = performance.now() - t0;
  running = false;
  await pinger;
  if (r.status !== 200) throw new Error(`import answered ${r.status}: ${JSON.stringify(report)}`);
  return { ms, report, health: health.sort((a, b) => a - b) };
}

const show = (label: string, x: Awaited<ReturnType<typeof importOnce>>) => {
  const { lines, accepted, added, removed, unchanged, invalid, duplicates, redundant } = x.report as Record<string, number>;
  console.log(`${label}: ${(x.ms / 1000).toFixed(1)} s, ${Math.round(LINES / (x.ms / 1000)).toLocaleString('en')} lines/s, changed ${x.report.changed}`);
  console.log(
    `  lines ${lines}, accepted ${accepted}, added ${added}, removed ${removed}, unchanged ${unchanged}, invalid ${invalid}, duplicates ${duplicates}, redundant ${redundant}`,
  );
  const h = x.health;
  console.log(
    `  /healthz during the import: ${h.length} answers, p50 ${pct(h, 50).toFixed(1)} ms, p99 ${pct(h, 99).toFixed(1)} ms, max ${h[h.length - 1]!.toFixed(1)} ms`,
  );
};

console.log(`list: ${LINES.toLocaleString('en')} lines, ${mb(size)}; node ${process.version}`);
show('first import', await importOnce(file));
show('re-import, same file', await importOnce(file));
show('re-import, a tenth of the names changed', await importOnce(changedFile));
const rssImports = rssPeak;
const t = performance.now();
const svcList = await fetch(`${d.url}/api/v1/opds/DINKES/blocklist`, { headers: { authorization: `Bearer ${TOKEN}` } });
const eff = (await svcList.json()) as { domains: unknown[]; prefixes: unknown[] };
console.log(
  `effective list of DINKES over HTTP (cold): ${(performance.now() - t).toFixed(0)} ms, ${eff.domains.length} names, ${eff.prefixes.length} addresses`,
);
console.log(
  `RSS before the imports ${mb(rssBefore)}, peak sampled during them ${mb(rssImports)}; process maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} (with the effective list; file ${mb(size)}; the daemon and this client share the process)`,
);
await d.close();
rmSync(dir, { recursive: true, force: true });
