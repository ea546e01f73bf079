// Database backup to the DRC: a database of the given size (default 1 GiB) backed up while the
// daemon serves (snapshot, gzip, AES-256-GCM, shipped to a directory target), then restore-tested
// (fetched back, authenticated, unpacked, integrity_check, audit chain, invariants).
// The bulk is the audit log, the table that grows in production: valid hash-chained entries of
// about 1 KiB each (so the restore test verifies a real chain), plus a pool and its allocations.
// Prints the times, the backup size, the slowest /healthz answer during the snapshot, peak RSS.
// Run: npx tsx bench/db-backup.ts [MiB]
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { startDaemon } from '../src/daemon.js';
import { openDb } from '../src/store/db.js';
import { entryHash, GENESIS, type AuditFields } from '../src/audit/chain.js';

const MIB = Number(process.argv[2] ?? 1024);
const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'simpul-bench-dbbackup-'));
const dataDir = join(dir, 'data');
const drc = join(dir, 'drc');
mkdirSync(drc);
const TOKEN = 'bench-dbbackup-admin-token-0000';
const auditKey = randomBytes(32);
mkdirSync(dataDir, { recursive: true });
writeFileSync(join(dataDir, 'audit.key'), auditKey.toString('hex') + '\n', { mode: 0o600 });

// Build the database before the daemon starts: one transaction per 10,000 entries.
let t = performance.now();
const db = openDb(dataDir);
const insert = db.prepare(
  `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, opd, before_json, after_json, prev_hash, hash)
   VALUES (@seq, @at, @actor_id, @actor_role, @action, @object_type, @object_id, @opd, @before_json, @after_json, @prev_hash, @hash)`,
);
let prev = GENESIS;
let seq = 0;
const filler = () => JSON.stringify({ note: randomBytes(384).toString('base64'), purpose: 'LAN kantor', by: 'bench' });
const batch = db.transaction((n: number) => {
  for (let i = 0; i < n; i++) {
    const row: AuditFields = {
      seq: ++seq,
      at: new Date(Date.UTC(2025, 0, 1) + seq * 1000).toISOString(),
      actor_id: 'token:bench',
      actor_role: 'noc-admin',
      action: 'bench.entry',
      object_type: 'bench',
      object_id: String(seq),
      opd: null,
      before_json: null,
      after_json: filler(),
      prev_hash: prev,
    };
    const hash = entryHash(auditKey, row);
    insert.run({ ...row, hash });
    prev = hash;
  }
});
const pageSize = db.pragma('page_size', { simple: true }) as number;
while ((db.pragma('page_count', { simple: true }) as number) * pageSize < MIB * 1024 * 1024) batch(10_000);
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
const built = (performance.now() - t) / 1000;
const dbSize = statSync(join(dataDir, 'simpul.db')).size;

const config = loadConfig({
  env: { SIMPUL_ADMIN_TOKEN: TOKEN },
  defaults: {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    inventory: join(ROOT, 'inventory'),
    log: { level: 'error' },
    backup: { intervalHours: 0, database: { intervalHours: 0, restoreTestHours: 0, target: { type: 'dir', path: drc } } },
  },
});
const d = await startDaemon(config);
const api = (path: string, method = 'GET', json?: unknown) =>
  fetch(d.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });

// Some IPAM state so the invariants have rows to check.
const pool = (await (await api('/api/v1/pools', 'POST', { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' })).json()) as { id: number };
for (let i = 0; i < 200; i++) await api(`/api/v1/pools/${pool.id}/allocations`, 'POST', { opd: 'DINKES', prefixLength: 28, purpose: `lan ${i}` });

// /healthz every 20 ms while the backup, then the restore test, runs
function probeHealthz() {
  const o = { slowest: 0, probes: 0, stop: async () => {} };
  let on = true;
  const loop = (async () => {
    while (on) {
      const s = performance.now();
      await fetch(d.url + '/healthz');
      o.slowest = Math.max(o.slowest, performance.now() - s);
      o.probes++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  o.stop = async () => {
    on = false;
    await loop;
  };
  return o;
}
let probe = probeHealthz();
t = performance.now();
const b = (await (await api('/api/v1/backups', 'POST')).json()) as { id: string; size: number; state: string; error: string | null };
const backupSeconds = (performance.now() - t) / 1000;
await probe.stop();
const duringBackup = probe;
if (b.state !== 'stored') throw new Error(`backup failed: ${JSON.stringify(b)}`);

probe = probeHealthz();
t = performance.now();
const test = (await (await api('/api/v1/backups/restore-tests', 'POST', {})).json()) as { ok: boolean; durationMs: number; failures: unknown[] };
const testSeconds = (performance.now() - t) / 1000;
await probe.stop();
const duringTest = probe;
await d.close();
rmSync(dir, { recursive: true, force: true });

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
console.log(`database: ${mib(dbSize)} MiB (${seq.toLocaleString('en')} audit entries, built in ${built.toFixed(1)} s)`);
console.log(`backup (snapshot + gzip + AES-256-GCM + ship to dir): ${backupSeconds.toFixed(1)} s, ${mib(b.size)} MiB on the target`);
console.log(`slowest /healthz during the backup: ${duringBackup.slowest.toFixed(1)} ms over ${duringBackup.probes} probes`);
console.log(
  `restore test (fetch, authenticate, unpack, integrity_check, audit chain, invariants): ${testSeconds.toFixed(1)} s, ${test.ok ? 'passed' : `FAILED ${JSON.stringify(test.failures)}`}; slowest /healthz meanwhile ${duringTest.slowest.toFixed(1)} ms`,
);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
