// IPAM through the service and over HTTP, on a real SQLite file (WAL, synchronous=FULL):
// a /8 filled with 100,000 allocations of mixed sizes, then
//  - next free /29 through the service (each its own transaction, audit entry and fsync), median and p99
//  - the index lookup alone for the same (what the service adds on top is SQLite and the audit log)
//  - next free address in a /16 that is 90% assigned
//  - allocations per second through the service and through HTTP (16 in flight)
//  - a utilization read of all pools
// Run: npx tsx bench/ipam.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { startDaemon } from '../src/daemon.js';
import type { Actor } from '../src/auth/actor.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'simpul-bench-ipam-'));
const TOKEN = 'bench-ipam-admin-token-000000';
const config = loadConfig({
  env: { SIMPUL_ADMIN_TOKEN: TOKEN },
  defaults: { host: '127.0.0.1', port: 0, dataDir: dir, inventory: join(ROOT, 'inventory'), log: { level: 'warn' } },
});
// IPAM alone: no router or SNMP module (they would react to every commit and contact no one anyway).
const d = await startDaemon(config, { modules: [] });
const { ipam, store } = d.services;
const actor: Actor = { id: 'bench', role: 'noc-admin', opd: null };
const opds = d.services.inventory.listOpds(actor).map((o) => o.code);

const now = () => process.hrtime.bigint();
const us = (a: bigint, b: bigint) => Number(b - a) / 1000;
function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const f = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(1)} µs`);
  return `median ${f(q(0.5))}, p99 ${f(q(0.99))} (n=${s.length})`;
}

// Fill: one transaction (the store's write path is re-entrant), 100,000 allocations /24../30, 39% of the /8.
const pool = ipam.createPool(actor, { name: 'big', scope: 'private', cidr: '10.0.0.0/8', role: 'opd-lan' });
let t0 = now();
store.write(actor, () => {
  for (let i = 0; i < 100_000; i++)
    ipam.allocate(actor, pool.id, { opd: opds[i % opds.length]!, purpose: `fill ${i}`, prefixLength: [24, 26, 27, 28, 29, 30, 25, 28][i % 8]! });
});
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
console.log(`fill: 100,000 allocations in one transaction: ${(us(t0, now()) / 1e6).toFixed(1)} s`);

// Next free /29, each through the service in its own transaction (fsync per commit).
const service: number[] = [];
for (let i = 0; i < 2000; i++) {
  const a = now();
  ipam.allocate(actor, pool.id, { opd: 'DINKES', purpose: `svc ${i}`, prefixLength: 29 });
  service.push(us(a, now()));
}
console.log(`next free /29 via service (own transaction + audit + fsync): ${stats(service)}`);
const index = ipam.mirror.pool(store.db.prepare('SELECT * FROM ipam_pools WHERE id = ?').get(pool.id) as never);
const lookups: number[] = [];
for (let i = 0; i < 20000; i++) {
  const a = now();
  index.find(29);
  lookups.push(us(a, now()));
}
console.log(`next free /29 lookup in the kept index: ${stats(lookups)}`);

// Next free address in a /16 that is 90% assigned.
const hostsPool = ipam.createPool(actor, { name: 'hosts', scope: 'private', cidr: '172.16.0.0/12', role: 'dc-server' });
const p16 = ipam.allocate(actor, hostsPool.id, { opd: 'DISKOMINFO', purpose: 'campus', prefixLength: 16 }).prefix;
t0 = now();
store.write(actor, () => {
  for (let i = 0; i < 58_982; i++) ipam.assignAddress(actor, p16.id, {});
});
console.log(`fill /16 to 90% (58,982 addresses, one transaction): ${(us(t0, now()) / 1e6).toFixed(1)} s`);
const addr: number[] = [];
for (let i = 0; i < 1000; i++) {
  const a = now();
  ipam.assignAddress(actor, p16.id, { hostname: `h${i}` });
  addr.push(us(a, now()));
}
console.log(`next free address in the 90% /16 via service (own transaction): ${stats(addr)}`);

// Throughput through the service, one transaction each.
t0 = now();
let n = 0;
while (us(t0, now()) < 5e6) {
  ipam.allocate(actor, pool.id, { opd: 'BAPPEDA', purpose: 'rate', prefixLength: 30 });
  n++;
}
console.log(`allocations/s through the service: ${(n / (us(t0, now()) / 1e6)).toFixed(0)}`);

// Throughput over HTTP, 16 requests in flight.
let done = 0;
t0 = now();
const worker = async () => {
  while (us(t0, now()) < 5e6) {
    const r = await fetch(`${d.url}/api/v1/pools/${pool.id}/allocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ opd: 'DISDIK', purpose: 'http', prefixLength: 30 }),
    });
    if (r.status !== 201) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
    done++;
  }
};
await Promise.all(Array.from({ length: 16 }, worker));
console.log(`allocations/s over HTTP (16 in flight, client in the same process): ${(done / (us(t0, now()) / 1e6)).toFixed(0)}`);

const reads: number[] = [];
for (let i = 0; i < 200; i++) {
  const a = now();
  ipam.utilization(actor);
  reads.push(us(a, now()));
}
console.log(`utilization read of all pools and OPDs: ${stats(reads)}`);
const rss = process.memoryUsage().rss;
console.log(
  `rss ${(rss / 1048576).toFixed(0)} MiB, database ${((Number(store.db.prepare('PRAGMA page_count').pluck().get()) * 4096) / 1048576).toFixed(0)} MiB`,
);
await d.close();
rmSync(dir, { recursive: true, force: true });
