// The NOC's pages against the API's JSON for the same data, in one lab daemon, same run:
// the backbone page (/noc/backbone vs GET /api/v1/backbone) and the request queue with 40
// pending requests (/noc/requests vs GET /api/v1/requests?state=pending). Runs alternate page
// and JSON; median and range of each, and the ratio of the medians (aim: a page costs at most 2x).
// Run: npx tsx bench/web.ts [seconds per run] [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';

const ROOT = resolve(import.meta.dirname, '..');
const seconds = Number(process.argv[2] ?? 5);
const runs = Number(process.argv[3] ?? 5);
const QUEUE_PAGE = process.env.QUEUE_PAGE ?? '/noc/requests';
const BACKBONE_PAGE = process.env.BACKBONE_PAGE ?? '/noc/backbone';

interface Lab {
  url: string;
  token: string;
  noc: { username: string; password: string };
  stop: () => void;
}

/** `simpul lab` in its own process and data directory; its banner gives the URL, the admin token and the NOC login. */
function startLab(dataDir: string): Promise<Lab> {
  const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'lab'], {
    cwd: ROOT,
    env: { ...process.env, SIMPUL_PORT: '0', SIMPUL_DATA_DIR: dataDir, SIMPUL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    let out = '';
    p.stdout!.on('data', (c) => {
      out += c;
      const url = /URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const token = /Admin token\s+(\S+)/.exec(out)?.[1];
      const noc = /noc-operator\s+NOC\s+user (\S+)\s+password (\S+)/.exec(out);
      if (url && token && noc) res({ url, token, noc: { username: noc[1]!, password: noc[2]! }, stop: () => p.kill('SIGTERM') });
    });
    p.on('exit', (c) => rej(new Error(`lab exited ${c}: ${out}`)));
  });
}

/** Logs in through the login form as a browser does (CSRF cookie and token), returning the Cookie header. */
async function login(url: string, username: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${url}/login`, { redirect: 'manual' });
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const r = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password }),
  });
  keep(r);
  if (r.status !== 303) throw new Error(`login answered ${r.status}`);
  return cookie();
}

async function load(url: string, headers: Record<string, string>) {
  const r = await autocannon({ url, connections: 10, pipelining: 1, duration: seconds, headers });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, bytes: r.throughput.average / Math.max(r.requests.average, 1) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;

const data = mkdtempSync(join(tmpdir(), 'simpul-bench-web-'));
const lab = await startLab(data);
try {
  const api = { authorization: `Bearer ${lab.token}` };
  // 40 pending requests in the queue, from four offices.
  for (const opd of ['DINKES', 'DISDIK', 'BAPPEDA', 'BPKAD']) {
    const t = (await (
      await fetch(`${lab.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { ...api, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench ${opd}`, role: 'opd-admin', opd }),
      })
    ).json()) as { token: string };
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${lab.url}/api/v1/requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'ip-block', prefixLength: 28, purpose: `Ruang ${i} <lantai ${i % 3}>`, justification: 'perangkat baru untuk pelayanan' }),
      });
      if (r.status !== 201) throw new Error(`filing answered ${r.status}`);
    }
  }
  const cookie = { cookie: await login(lab.url, lab.noc.username, lab.noc.password) };
  // Wait until the switches have been polled, so the backbone carries rates.
  await new Promise((r) => setTimeout(r, 5000));
  const pairs = [
    { name: 'backbone', page: `${lab.url}${BACKBONE_PAGE}`, json: `${lab.url}/api/v1/backbone` },
    { name: 'request queue', page: `${lab.url}${QUEUE_PAGE}`, json: `${lab.url}/api/v1/requests?state=pending` },
  ];
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${runs} alternating runs of ${seconds}s, 10 connections`,
  );
  for (const p of pairs) {
    await load(p.page, cookie); // warm-up (JIT, template cache)
    await load(p.json, api);
    const pages: number[] = [];
    const jsons: number[] = [];
    let pageBytes = 0;
    let jsonBytes = 0;
    let bad = 0;
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always runs on a warmer or cooler machine.
      const order = i % 2 === 0 ? (['page', 'json'] as const) : (['json', 'page'] as const);
      for (const which of order) {
        const r = which === 'page' ? await load(p.page, cookie) : await load(p.json, api);
        bad += r.non2xx + r.errors;
        if (which === 'page') pages.push(r.rps), (pageBytes = r.bytes);
        else jsons.push(r.rps), (jsonBytes = r.bytes);
      }
    }
    const ratio = median(jsons) / median(pages);
    console.log(
      `${p.name.padEnd(14)} page ${median(pages).toFixed(0)} req/s (${range(pages)}, ~${(pageBytes / 1024).toFixed(1)} KiB)  json ${median(jsons).toFixed(0)} req/s (${range(jsons)}, ~${(jsonBytes / 1024).toFixed(1)} KiB)  page costs ${ratio.toFixed(2)}x its JSON  non-2xx/errors ${bad}`,
    );
  }
} finally {
  lab.stop();
  rmSync(data, { recursive: true, force: true });
}
