// GET /api/v1/opds (authenticated, 34 OPDs from SQLite, serialized by schema) against a bare
// Fastify hello-world, both in their own process, loaded by autocannon from this one.
// Run: npx tsx bench/http.ts [seconds]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';

const ROOT = resolve(import.meta.dirname, '..');
const seconds = Number(process.argv[2] ?? 10);
const TOKEN = 'bench-admin-token-0123456789';

function start(args: string[], env: Record<string, string> = {}): Promise<{ url: string; stop: () => void }> {
  const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    let out = '';
    p.stdout!.on('data', (c) => {
      out += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) res({ url: m[1]!, stop: () => p.kill('SIGTERM') });
    });
    p.on('exit', (c) => rej(new Error(`exited ${c}: ${out}`)));
  });
}

async function load(url: string, headers: Record<string, string> = {}) {
  await autocannon({ url, connections: 10, duration: 2, headers }); // warm-up (JIT, caches)
  const r = await autocannon({ url, connections: 10, pipelining: 1, duration: seconds, headers });
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, non2xx: r.non2xx, errors: r.errors };
}

const data = mkdtempSync(join(tmpdir(), 'simpul-bench-'));
const daemon = await start(['src/cli/main.ts', 'serve'], { SIMPUL_PORT: '0', SIMPUL_DATA_DIR: data, SIMPUL_ADMIN_TOKEN: TOKEN, SIMPUL_LOG_LEVEL: 'warn' });
const auth = { authorization: `Bearer ${TOKEN}` };
const body = await (await fetch(`${daemon.url}/api/v1/opds`, { headers: auth })).text();
const hello = await start(['bench/hello-fastify.ts', body]);
try {
  const base = await load(hello.url);
  const same = await load(`${hello.url}/payload`);
  const opds = await load(`${daemon.url}/api/v1/opds`, auth);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}, ${seconds}s per run, 10 connections`);
  console.log(`hello-world fastify     ${base.rps.toFixed(0)} req/s  p50 ${base.p50} ms  p99 ${base.p99} ms  errors ${base.errors} non2xx ${base.non2xx}`);
  console.log(`fastify, same ${body.length} B body ${same.rps.toFixed(0)} req/s  p50 ${same.p50} ms  p99 ${same.p99} ms`);
  console.log(`GET /api/v1/opds        ${opds.rps.toFixed(0)} req/s  p50 ${opds.p50} ms  p99 ${opds.p99} ms  errors ${opds.errors} non2xx ${opds.non2xx}`);
  console.log(`ratio opds/hello        ${(opds.rps / base.rps).toFixed(2)} of the throughput, p99 x${(opds.p99 / Math.max(base.p99, 1)).toFixed(1)}`);
  console.log(`ratio opds/same-body    ${(opds.rps / same.rps).toFixed(2)} of the throughput, p99 x${(opds.p99 / Math.max(same.p99, 1)).toFixed(1)}`);
} finally {
  daemon.stop();
  hello.stop();
  rmSync(data, { recursive: true, force: true });
}
