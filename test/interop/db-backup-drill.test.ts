// The disaster-recovery drill: a daemon filled through its API backs up to a real SFTP server
// (while 200 approvals run), its data directory is deleted, `simpul backup restore` brings the
// backup into a fresh directory, and a daemon started there has every object, a verified audit
// chain, and lost only the write made after the backup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDaemon, tempDir, type TestDaemon } from '../helpers/daemon.js';
import { simpul } from '../helpers/cli.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { ROOT } from '../helpers/daemon.js';

const skip = sshdMissing();
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sshd: Sshd;
let work: { dir: string; cleanup: () => void };

beforeAll(async () => {
  if (skip) return;
  sshd = await startSshd();
  work = tempDir('simpul-drill-');
});
afterAll(async () => {
  await sshd?.stop();
  work?.cleanup();
});

describe.skipIf(skip)(`disaster-recovery drill over SFTP${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('back up while serving, lose the data directory, restore, start: everything but the last write is there', async () => {
    const safe = join(work.dir, 'drc-safe'); // what the DRC keeps apart from the backups
    mkdirSync(safe, { mode: 0o700 });
    writeFileSync(join(safe, 'client_key'), sshd.clientKey, { mode: 0o600 });
    const dbConfig = (dataDir: string) => ({
      dataDir,
      log: { level: 'warn' },
      credentials: { drc: { username: sshd.user, privateKey: { file: join(safe, 'client_key') } } },
      backup: {
        database: {
          intervalHours: 0,
          restoreTestHours: 0,
          target: { type: 'sftp', host: '127.0.0.1', port: sshd.port, credentials: 'drc', path: sshd.root, hostKey: sshd.fingerprint },
        },
      },
    });
    const dataDir = join(work.dir, 'data');
    let d: TestDaemon = await startTestDaemon({ config: dbConfig(dataDir) });
    const call = async (path: string, method = 'GET', json?: unknown, token?: string) => {
      const r = await d.api(path, { method, json, ...(token ? { token } : {}) });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : null) as Json };
    };
    const tokenFor = async (role: string, opd?: string) =>
      (await call('/api/v1/tokens', 'POST', { name: role, role, ...(opd ? { opd } : {}) })).body.token as string;

    // fill: pools, allocations, requests approved and rejected, an exception, a diagram
    const pool = (await call('/api/v1/pools', 'POST', { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' })).body;
    for (const opd of ['DINKES', 'BAPPEDA'])
      expect((await call(`/api/v1/pools/${pool.id}/allocations`, 'POST', { opd, prefixLength: 24, purpose: 'server farm' })).status).toBe(201);
    const dinkes = await tokenFor('opd-admin', 'DINKES');
    expect(
      (await d.api('/api/v1/blocklists/judi/import?source=national', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'judi.example\n' }))
        .status,
    ).toBe(200);
    const until = new Date(Date.now() + 20 * 86_400_000).toISOString();
    const unblock = (
      await call('/api/v1/requests', 'POST', { type: 'unblock', domain: 'judi.example', duty: 'pengawasan', justification: 'laporan', until }, dinkes)
    ).body;
    expect((await call(`/api/v1/requests/${unblock.id}/approve`, 'POST', {})).body.state).toBe('approved');
    const drawio = readFileSync(join(ROOT, 'topology/DINKES.drawio'));
    const diagram = await d.api('/api/v1/opds/DINKES/diagrams?filename=DINKES.drawio', {
      method: 'POST',
      body: drawio,
      headers: { 'content-type': 'application/xml' },
    });
    expect(diagram.status).toBeLessThan(300);
    const rejected = (await call('/api/v1/requests', 'POST', { type: 'ip-block', prefixLength: 20, purpose: 'semua', justification: 'ingin' }, dinkes)).body;
    expect((await call(`/api/v1/requests/${rejected.id}/reject`, 'POST', { reason: 'too large' })).status).toBe(200);

    // 200 requests approved at the same time as the backup is taken
    const filed: number[] = [];
    for (let i = 0; i < 200; i++)
      filed.push(
        (await call('/api/v1/requests', 'POST', { type: 'ip-block', prefixLength: 28, purpose: `lan ${i}`, justification: 'drill' }, dinkes)).body.id as number,
      );
    const approvals = Promise.all(filed.map((id) => call(`/api/v1/requests/${id}/approve`, 'POST', {})));
    const during = await call('/api/v1/backups', 'POST');
    expect(during.status).toBe(201);
    expect((await approvals).every((a) => a.status === 200)).toBe(true);
    // a consistent cut: every approval in the copy has its allocation (the restore test's invariants)
    expect((await call('/api/v1/backups/restore-tests', 'POST', { backupId: during.body.id })).body).toMatchObject({ ok: true, failures: [] });

    // the drill's backup, then a restore test fetched back over SFTP
    const backup = await call('/api/v1/backups', 'POST');
    expect(backup.status).toBe(201);
    expect((await call('/api/v1/backups/restore-tests', 'POST', {})).body).toMatchObject({ backupId: backup.body.id, ok: true, failures: [] });

    // a write after the backup: the one loss the drill must report
    const late = await call(`/api/v1/pools/${pool.id}/allocations`, 'POST', { opd: 'DISDIK', prefixLength: 24, purpose: 'after the backup' });
    expect(late.status).toBe(201);
    const before = {
      audit: (await call('/api/v1/audit?limit=1000')).body as Json[],
      prefixes: (await call('/api/v1/prefixes?limit=1000')).body as Json[],
    };
    // the keys go to the DRC safe, apart from the backups; then the machine is lost
    copyFileSync(join(dataDir, 'backup.key'), join(safe, 'backup.key'));
    copyFileSync(join(dataDir, 'audit.key'), join(safe, 'audit.key'));
    await d.close();
    rmSync(dataDir, { recursive: true, force: true });

    const config = join(work.dir, 'simpul.yaml');
    const fresh = join(work.dir, 'restored');
    writeFileSync(config, JSON.stringify({ ...dbConfig(fresh), inventory: join(ROOT, 'inventory') }));
    const refused = simpul([
      'backup',
      'restore',
      backup.body.id,
      '--data-dir',
      safe,
      '-c',
      config,
      '--key',
      join(safe, 'backup.key'),
      '--audit-key',
      join(safe, 'audit.key'),
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is not empty/);
    const r = simpul([
      'backup',
      'restore',
      backup.body.id,
      '--data-dir',
      fresh,
      '-c',
      config,
      '--key',
      join(safe, 'backup.key'),
      '--audit-key',
      join(safe, 'audit.key'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`restored backup ${backup.body.id}`));
    const head = Number(/head (\d+)\)/.exec(r.stdout)![1]);

    d = await startTestDaemon({ config: dbConfig(fresh) });
    try {
      expect((await call('/api/v1/audit/verify')).body).toMatchObject({ ok: true });
      const after = (await call('/api/v1/prefixes?limit=1000')).body as Json[];
      const key = (p: Json) => `${p.cidr} ${p.opd}`;
      const lost = before.prefixes.map(key).filter((k) => !after.map(key).includes(k));
      expect(lost).toEqual([`${late.body.prefix?.cidr ?? late.body.cidr} DISDIK`]);
      // the audit log says the same: past the restored head only the late write (and the backup's own bookkeeping)
      const missing = before.audit.filter((e) => e.seq > head && !String(e.action).startsWith('db-backup.'));
      expect(missing.map((e) => e.object.type)).toEqual(['prefix']);
      const requests = (await call('/api/v1/requests?limit=1000')).body as Json[];
      expect(requests.filter((q) => q.state === 'approved').length).toBeGreaterThanOrEqual(1);
      expect(requests.find((q) => q.id === rejected.id)?.state).toBe('rejected');
      expect(JSON.stringify((await call('/api/v1/exceptions')).body)).toContain('judi.example');
      expect((await call('/api/v1/opds/DINKES/diagrams')).status).toBe(200);
      expect(((await call('/api/v1/backups')).body.backups as Json[]).find((b) => b.id === backup.body.id)?.state).toBe('failed');
    } finally {
      await d.stop();
    }
  }, 240_000);
});
