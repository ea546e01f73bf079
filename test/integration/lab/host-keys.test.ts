// Lab mode twice on one data directory (as `npm start` twice in a row keeps ./data/lab): the
// simulated routers answer SSH with the keys the daemon pinned the first time, so a restart raises
// no host-key alarm; a key file that cannot be read is replaced with a warning (issue 15 item 3).
import { describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ssh2 from 'ssh2';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { labHostKey, labHostKeyDir } from '../../../src/lab/routeros/host-keys.js';
import { ADMIN, copyInventory, tempDir, testConfig } from '../../helpers/daemon.js';

const R = 'dinkes-rtr01';

async function labDaemon(dir: string): Promise<{ d: Daemon; logs: () => string }> {
  const config = testConfig(dir, { inventory: join(dir, 'inventory'), log: { level: 'warn' }, backup: { intervalHours: 0 }, routeros: { autoApply: false } });
  config.lab = true;
  const stream = new PassThrough();
  let logs = '';
  stream.on('data', (c) => (logs += c.toString()));
  return { d: await startDaemon(config, { logStream: stream }), logs: () => logs };
}
const call = async (d: Daemon, method: string, path: string) => {
  const r = await fetch(d.url + path, { method, headers: { authorization: `Bearer ${ADMIN}` } });
  const text = await r.text();
  return { status: r.status, text, body: (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : null };
};

describe('lab routers keep their SSH host keys with the lab data', () => {
  it('a second lab daemon on the same data directory shows no host-key alarm', async () => {
    const { dir, cleanup } = tempDir();
    copyInventory(dir);
    try {
      const first = await labDaemon(dir);
      try {
        expect((await call(first.d, 'POST', `/api/v1/routers/${R}/backups`)).status).toBe(201);
      } finally {
        await first.d.close();
      }
      const keyFile = join(labHostKeyDir(join(dir, 'data')), `${R}.key`);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      const second = await labDaemon(dir);
      try {
        const again = await call(second.d, 'POST', `/api/v1/routers/${R}/backups`);
        expect(again.status, again.text).toBe(200);
        expect(again.body).toMatchObject({ result: 'unchanged', version: 1 });
        const list = await call(second.d, 'GET', `/api/v1/routers/${R}/backups`);
        expect(list.body.hostKey).toMatchObject({ refusedFingerprint: null });
        const metrics = (await call(second.d, 'GET', '/metrics')).text;
        expect(metrics.split('\n').filter((l) => l.startsWith('simpul_backup_host_key_mismatch{') && l.endsWith(' 1'))).toEqual([]);
        expect(metrics).not.toMatch(/simpul_backup_total\{[^}]*result="host_key_changed"[^}]*\} [1-9]/);
        expect(second.logs()).not.toMatch(/host.?key/i);
      } finally {
        await second.d.close();
      }
    } finally {
      cleanup();
    }
  }, 90_000);

  it('reads a kept key back, and replaces an unreadable key file with a warning', () => {
    const { dir, cleanup } = tempDir();
    try {
      const warnings: string[] = [];
      const warn = (m: string) => warnings.push(m);
      const key = labHostKey(dir, 'r1', warn);
      expect(ssh2.utils.parseKey(key)).not.toBeInstanceOf(Error);
      expect(statSync(join(dir, 'r1.key')).mode & 0o777).toBe(0o600);
      expect(labHostKey(dir, 'r1', warn)).toBe(key);
      expect(warnings).toEqual([]);

      writeFileSync(join(dir, 'r1.key'), 'not a key\n');
      const replaced = labHostKey(dir, 'r1', warn);
      expect(replaced).not.toBe(key);
      expect(ssh2.utils.parseKey(replaced)).not.toBeInstanceOf(Error);
      expect(readFileSync(join(dir, 'r1.key'), 'utf8')).toBe(replaced);
      expect(warnings).toEqual([expect.stringContaining(`r1.key is not a private key ssh2 can read; replaced`)]);
    } finally {
      cleanup();
    }
  });
});
