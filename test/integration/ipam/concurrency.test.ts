import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestDaemon, tempDir, EXAMPLE_INVENTORY } from '../../helpers/daemon.js';
import { simpulDaemon } from '../../helpers/cli.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every pair of live prefixes in the same pool and parent must be disjoint. */
function overlaps(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT id, pool_id, parent_id, network, last, cidr FROM ipam_prefixes WHERE state <> 'released' ORDER BY pool_id, parent_id, network")
    .all() as Json[];
  const bad: string[] = [];
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) {
      const [a, b] = [rows[i]!, rows[j]!];
      if (a.pool_id === b.pool_id && a.parent_id === b.parent_id && a.network <= b.last && b.network <= a.last) bad.push(`${a.cidr} / ${b.cidr}`);
    }
  return bad;
}

describe('allocation under concurrency', () => {
  it('200 concurrent approvals over HTTP: one block each, no overlap, no 5xx', async () => {
    const d = await startTestDaemon({ config: { log: { level: 'warn' } } });
    try {
      await d.api('/api/v1/pools', { method: 'POST', json: { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' } });
      const opds = ((await (await d.api('/api/v1/opds')).json()) as Json[]).map((o) => o.code as string);
      const ids: number[] = [];
      for (let i = 0; i < 200; i++) {
        const r = await d.api('/api/v1/requests', {
          method: 'POST',
          json: { type: 'ip-block', opd: opds[i % opds.length], prefixLength: [26, 27, 28, 29][i % 4], purpose: `LAN ${i}`, justification: 'load' },
        });
        ids.push(((await r.json()) as Json).id);
      }
      // every request approved twice at once: the second must lose with 409
      const all = await Promise.all([...ids, ...ids].map((id) => d.api(`/api/v1/requests/${id}/approve`, { method: 'POST', json: {} })));
      const statuses = all.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.filter((s) => s === 200)).toHaveLength(200);
      expect(statuses.filter((s) => s === 409)).toHaveLength(200);
      const db = d.services.store.db;
      expect(overlaps(db)).toEqual([]);
      const perRequest = db.prepare("SELECT json_extract(result_json, '$.prefix.id') AS p FROM requests WHERE state = 'approved'").pluck().all();
      expect(perRequest).toHaveLength(200);
      expect(new Set(perRequest).size).toBe(200);
      expect(db.prepare('SELECT count(*) FROM ipam_prefixes').pluck().get()).toBe(200);
    } finally {
      await d.stop();
    }
  });

  it('two daemon processes allocating from the same database never hand out the same block', async () => {
    const { dir, cleanup } = tempDir();
    const env = {
      SIMPUL_DATA_DIR: join(dir, 'data'),
      SIMPUL_INVENTORY: EXAMPLE_INVENTORY,
      SIMPUL_PORT: '0',
      SIMPUL_ADMIN_TOKEN: 'two-process-admin-token-000',
      SIMPUL_LOG_LEVEL: 'warn',
    };
    const a = await simpulDaemon(['serve'], env);
    const b = await simpulDaemon(['serve'], env);
    const H = { authorization: 'Bearer two-process-admin-token-000', 'content-type': 'application/json' };
    try {
      const pool = (await (
        await fetch(`${a.url}/api/v1/pools`, {
          method: 'POST',
          headers: H,
          body: JSON.stringify({ name: 'lan', scope: 'private', cidr: '10.30.0.0/20', role: 'opd-lan' }),
        })
      ).json()) as Json;
      // b built its mirror before a's writes; data_version makes it notice.
      const sizes = [28, 29, 27, 30, 26, 29, 28, 30];
      const results = await Promise.all(
        Array.from({ length: 160 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/api/v1/pools/${pool.id}/allocations`, {
            method: 'POST',
            headers: H,
            body: JSON.stringify({ opd: 'DINKES', purpose: `p${i}`, prefixLength: sizes[i % sizes.length] }),
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json })),
        ),
      );
      expect(results.filter((r) => r.status >= 500)).toEqual([]);
      expect(results.every((r) => r.status === 201)).toBe(true);
      const cidrs = results.map((r) => r.body.cidr as string);
      expect(new Set(cidrs).size).toBe(160);
      const db = new Database(join(dir, 'data', 'simpul.db'), { readonly: true });
      expect(overlaps(db)).toEqual([]);
      db.close();
    } finally {
      await a.stop();
      await b.stop();
      cleanup();
    }
  });
});
