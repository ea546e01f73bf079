// The pure IPAM core on its own (no SQLite, no HTTP): a /8 filled with 100,000 allocations of
// mixed sizes, then next-free /29 latency while allocating; next free address in a /16 that is
// 90% used; memory of the index. Run: npx tsx bench/ipam-core.ts [seed]
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Prefix, blockSize, parsePrefix } from '../src/common/net/cidr.js';
import { FreeSpaceIndex, type UsedBlock } from '../src/ipam/core/free-space.js';
import { HostIndex, type UsedHost } from '../src/ipam/core/hosts.js';
import { utilizationOf } from '../src/ipam/core/utilization.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let seed = Number(process.argv[2] ?? 2024) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const ns = () => process.hrtime.bigint();
const ms = (d: bigint) => Number(d) / 1e6;
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `median ${(at(0.5) * 1000).toFixed(1)} µs, p99 ${(at(0.99) * 1000).toFixed(1)} µs, max ${(s[s.length - 1]! * 1000).toFixed(1)} µs (n=${s.length})`;
}
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

// Sizes an intranet hands out: many small p2p and server blocks, some OPD LANs.
const MIX: Array<[number, number]> = [
  [24, 10],
  [25, 10],
  [26, 15],
  [27, 15],
  [28, 15],
  [29, 15],
  [30, 10],
  [31, 10],
];
const pickLength = () => {
  let r = random() * 100;
  for (const [len, w] of MIX) if ((r -= w) < 0) return len;
  return 31;
};

const pool = parsePrefix('10.0.0.0/8');
const N = 100_000;

// 1. Fill: half first-fit, a quarter best-fit, a quarter at random free places (fragmentation,
// as imported spreadsheets leave it). Each step is find + add, as the service would do.
gc();
const heap0 = process.memoryUsage().heapUsed;
const ix = new FreeSpaceIndex(pool);
const blocks: Prefix[] = [];
const addSamples: number[] = [];
let t0 = ns();
while (blocks.length < N) {
  const len = pickLength();
  const r = random();
  let b: Prefix | null;
  if (r < 0.5) b = ix.find(len);
  else if (r < 0.75) b = ix.find(len, 'best-fit');
  else {
    const slot = BigInt(Math.floor(random() * 2 ** (len - pool.length)));
    const candidate = { network: pool.network + slot * blockSize(4, len), length: len };
    b = ix.isFree(candidate) ? { ...candidate, family: 4, text: '' } : null;
  }
  if (b === null) continue;
  const s = ns();
  ix.add(b);
  addSamples.push(ms(ns() - s));
  blocks.push(b);
}
const fillMs = ms(ns() - t0);
gc();
const heapIndex = process.memoryUsage().heapUsed - heap0;
const u = utilizationOf(ix);
console.log(
  `pool ${pool.text}: ${N} allocations (${MIX.map(([l]) => '/' + l).join(' ')}), ${[...ix.freeBlocks()].length} maximal free blocks, used ${(u.approx.usedRatio * 100).toFixed(1)}%`,
);
console.log(`fill (find + add) total ${fillMs.toFixed(0)} ms; add alone: ${stats(addSamples)}`);
console.log(`index memory (heap, after GC): ${mib(heapIndex)} for ${ix.blockCount} blocks`);

// 2. Bulk build from the same blocks, as the daemon does at start from the database.
const used: UsedBlock[] = blocks.map((b) => ({ network: b.network, length: b.length }));
t0 = ns();
const rebuilt = new FreeSpaceIndex(pool, used);
console.log(
  `bulk build of the index from ${used.length} blocks: ${ms(ns() - t0).toFixed(0)} ms (free ${rebuilt.freeAddresses() === ix.freeAddresses() ? 'matches' : 'DIFFERS'})`,
);

// 3. Next free /29 on the filled index. Each one found is allocated and every other step
// releases a random block, so every query sees a changed index.
const live = [...blocks];
const removeSamples: number[] = [];
for (const strategy of ['first-fit', 'best-fit'] as const) {
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const s = ns();
    const b = ix.find(29, strategy);
    samples.push(ms(ns() - s));
    if (b === null) break;
    ix.add(b);
    live.push(b);
    if (i % 2 === 0) {
      const k = Math.floor(random() * live.length);
      const gone = live[k]!;
      live[k] = live[live.length - 1]!;
      live.pop();
      const r = ns();
      ix.remove(gone);
      removeSamples.push(ms(ns() - r));
    }
  }
  console.log(`next free /29 (${strategy}) in the filled /8: ${stats(samples)}`);
}
console.log(`remove (release) of a block: ${stats(removeSamples)}`);

// 4. Hosts: a /16 that is 90% used at random addresses.
const lan = parsePrefix('172.16.0.0/16');
const taken = new Set<bigint>();
const size = 65536;
while (taken.size < size * 0.9) taken.add(lan.network + BigInt(Math.floor(random() * size)));
const hostsUsed: UsedHost[] = [...taken].map((value) => ({ value }));
gc();
const heap1 = process.memoryUsage().heapUsed;
t0 = ns();
const hosts = new HostIndex(lan, hostsUsed);
const hostBuild = ms(ns() - t0);
gc();
const heapHosts = process.memoryUsage().heapUsed - heap1;
const hostSamples: number[] = [];
for (let i = 0; i < 5_000; i++) {
  const s = ns();
  const a = hosts.next();
  hostSamples.push(ms(ns() - s));
  if (a === null) break;
  hosts.add(a.value);
}
console.log(`next free address in ${lan.text} 90% used (${taken.size} used): ${stats(hostSamples)}`);
console.log(`  host index build from ${taken.size} addresses: ${hostBuild.toFixed(0)} ms; memory ${mib(heapHosts)}`);
const oneShot: number[] = [];
for (let i = 0; i < 5; i++) {
  const s = ns();
  new HostIndex(lan, hostsUsed).next();
  oneShot.push(ms(ns() - s));
}
console.log(`  one-shot (build + next, no kept index): median ${oneShot.sort((a, b) => a - b)[2]!.toFixed(1)} ms`);

const rss = process.memoryUsage();
console.log(`process: rss ${mib(rss.rss)}, heap used ${mib(rss.heapUsed)}`);
