// Site blocking, import half (the router push half is bench/blocking-push.ts):
// a 1,000,000-line list (plain names, hosts lines, AdBlock rules, addresses; a few invalid lines)
// streamed through POST /api/v1/blocklists/judi/import on a real SQLite file, while /healthz is
// asked every 100 ms to show the server keeps answering. Then the same file again (a refresh that
// changes nothing), and the effective list of one OPD built from it.
// Prints time, lines/s, the slowest /healthz answer during the import, and peak RSS.
// Run: npx tsx bench/blocking-import.ts [lines]
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
const out = createWriteStream(file);
for (let i = 0; i < LINES; i++) {
  const r = i % 100;
  const line =
    i % 10_000 === 9_999 ? `bad..name-${i}` : r < 80 ? `situs-${i}.judi${i % 997}.example` : r < 90 ? `0.0.0.0 host-${i}.example` : r < 97 ? `||ads-${i}.example^` : `203.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
const size = statSync(file).size;

// Lab mode: every device endpoint is a simulator on 127.0.0.1. Enforcement off: this measures the
// import; pushing the result to routers is bench/blocking-push.ts.
const config = loadConfig({
  env: { SIMPUL_ADMIN_TOKEN: TOKEN },
  lab: true,
  defaults: { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), inventory: join(ROOT, 'inventory'), log: { level: 'error' }, blocking: { enforce: false } },
});
const d = await startDaemon(config);
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;

async function importOnce(): Promise<{ ms: number; report: Record<string, unknown>; worstHealthMs: number; healthAnswers: number }> {
  let worst = 0;
  let answers = 0;
  let running = true;
  const pinger = (async () => {
    while (running) {
      const t = performance.now();
      const r = await fetch(`${d.url}/healthz`);
      await r.text();
      worst = Math.max(worst, performance.now() - t);
      answers++;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  const t0 = performance.now();
  const r = await fetch(`${d.url}/api/v1/blocklists/judi/import?source=national`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain', 'content-length': String(size) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
  const report = (await r.json()) as Record<string, unknown>;
  const ms = performance.now() - t0;
  running = false;
  await pinger;
  if (r.status !== 200) throw new Error(`import answered ${r.status}: ${JSON.stringify(report)}`);
  return { ms, report, worstHealthMs: worst, healthAnswers: answers };
}

const show = (label: string, x: Awaited<ReturnType<typeof importOnce>>) => {
  const { lines, accepted, added, removed, unchanged, invalid, duplicates, redundant } = x.report as Record<string, number>;
  console.log(`${label}: ${(x.ms / 1000).toFixed(1)} s, ${Math.round(LINES / (x.ms / 1000)).toLocaleString('en')} lines/s`);
  console.log(`  lines ${lines}, accepted ${accepted}, added ${added}, removed ${removed}, unchanged ${unchanged}, invalid ${invalid}, duplicates ${duplicates}, redundant ${redundant}`);
  console.log(`  /healthz during the import: ${x.healthAnswers} answers, slowest ${x.worstHealthMs.toFixed(0)} ms`);
};

console.log(`list: ${LINES.toLocaleString('en')} lines, ${mb(size)}; node ${process.version}`);
show('first import', await importOnce());
show('re-import, same file', await importOnce());
const t = performance.now();
const svcList = await fetch(`${d.url}/api/v1/opds/DINKES/blocklist`, { headers: { authorization: `Bearer ${TOKEN}` } });
const eff = (await svcList.json()) as { domains: unknown[]; prefixes: unknown[] };
console.log(`effective list of DINKES over HTTP (cold): ${(performance.now() - t).toFixed(0)} ms, ${eff.domains.length} names, ${eff.prefixes.length} addresses`);
rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
console.log(`RSS before the imports ${mb(rssBefore)}, peak sampled ${mb(rssPeak)}, process maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} (file ${mb(size)}; the daemon and this client share the process)`);
await d.close();
rmSync(dir, { recursive: true, force: true });
