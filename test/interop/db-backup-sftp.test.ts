// Database backups to a real SFTP server (Debian's openssh-server on a loopback port): backup,
// restore test fetched back over SFTP, prune, and the faults a DRC link meets.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/common/clock.js';
import { systemActor } from '../../src/auth/actor.js';
import type { AppError } from '../../src/common/errors.js';
import { DbBackupService } from '../../src/db-backup/service.js';
import { sftpTarget } from '../../src/db-backup/target-sftp.js';
import { packBackup, unpackBackup } from '../../src/db-backup/pack.js';
import type { Manifest } from '../../src/db-backup/manifest.js';
import type { Target } from '../../src/db-backup/target.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { generateHostKey } from '../../src/lab/routeros/ssh.js';
import { sshFingerprint } from '../../src/backup/fingerprint.js';
import ssh2 from 'ssh2';
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const skip = sshdMissing();
const AUDIT_KEY = Buffer.alloc(32, 7);
const KEY = Buffer.alloc(32, 9);
const admin = systemActor('test');

let sshd: Sshd;
let dir: string;
let store: Store;
let clock: ManualClock;
let key: Buffer;
let target: Target;

const sftp = (o: Partial<{ path: string; hostKey: string; port: number }> = {}) =>
  sftpTarget({
    ssh: { host: '127.0.0.1', port: o.port ?? sshd.port, username: sshd.user, privateKey: sshd.clientKey },
    path: o.path ?? sshd.root,
    hostKey: o.hostKey ?? sshd.fingerprint,
    timeoutMs: 10_000,
  });

const service = (retention = { hourly: 24, daily: 7, weekly: 4, monthly: 12 }) =>
  new DbBackupService({
    store,
    target: () => target,
    key: () => key,
    workDir: join(dir, 'work'),
    retention,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  });

/** Some state with an audit trail: the chain the restore test verifies. */
function fill(n: number, noise = 0) {
  for (let i = 0; i < n; i++)
    store.write(admin, (tx) => {
      tx.db.prepare("INSERT INTO opds (code, name, kind, data_json) VALUES (?, 'Dinas', 'dinas', '{}')").run(`OPD${dirCount++}`);
      tx.audit({ action: 'test.fill', objectType: 'opd', objectId: String(i), ...(noise ? { after: randomBytes(noise).toString('base64') } : {}) });
    });
}
let dirCount = 0;

const failureOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return null;
  } catch (e) {
    return e as AppError;
  }
};
const remote = () => readdirSync(sshd.root).sort();

beforeAll(async () => {
  if (!skip) sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
beforeEach(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'simpul-dbb-'));
  clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
  store = new Store(openDb(join(dir, 'data')), clock, AUDIT_KEY);
  key = KEY;
  for (const f of readdirSync(sshd.root)) rmSync(join(sshd.root, f), { force: true, recursive: true });
  target = sftp();
  fill(5);
});
afterEach(() => {
  if (skip) return;
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip)(`database backups over SFTP${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('stores an encrypted backup under its final name only, and a restore test fetched back over SFTP passes', async () => {
    const svc = service();
    const b = await svc.create(admin);
    expect(b).toMatchObject({ state: 'stored', target: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.root}`, recoveryPoint: '2026-11-23T01:00:00.000Z' });
    expect(remote()).toEqual([b.file]);
    const bytes = readFileSync(join(sshd.root, b.file));
    expect(bytes.length).toBe(b.size);
    expect(bytes.subarray(0, 8).toString()).toBe('SIMPULDB');
    // encrypted: no SQLite header, no table name in the clear
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(bytes.includes(Buffer.from('audit_log'))).toBe(false);

    // a write after the backup is not in it
    fill(1);
    clock.advance(3_600_000);
    const t = await svc.restoreTest(admin);
    expect(t).toMatchObject({ backupId: b.id, ok: true, failures: [], recoveryPoint: '2026-11-23T01:00:00.000Z' });
    expect(svc.list(admin).backups[0]!.restoreTests[0]).toMatchObject({ ok: true });
    // the restore test used the SFTP copy: without it the test fails, naming the target
    rmSync(join(sshd.root, b.file));
    const gone = await svc.restoreTest(admin, b.id);
    expect(gone).toMatchObject({ ok: false, failures: [{ reason: 'target-missing' }] });
  });

  it('prunes by retention only after a newer backup passed its restore test', async () => {
    const svc = service({ hourly: 2, daily: 0, weekly: 0, monthly: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await svc.create(admin)).id);
      clock.advance(3_600_000);
    }
    expect(remote()).toHaveLength(4);
    // a failed restore test prunes nothing
    const good = key;
    key = Buffer.alloc(32, 1);
    expect((await svc.restoreTest(admin)).ok).toBe(false);
    expect(remote()).toHaveLength(4);
    key = good;
    expect((await svc.restoreTest(admin)).ok).toBe(true);
    expect(remote()).toEqual([ids[2], ids[3]].map((id) => `simpul-${id}.sdbk`).sort());
    expect(svc.list(admin).backups.map((b) => b.state)).toEqual(['stored', 'stored', 'pruned', 'pruned']);
  });

  it('a flipped byte, a truncated file, a wrong key and a lying manifest each fail the restore test, named', async () => {
    const svc = service();
    const reasons = async (spoil: (file: string, id: string) => void | Promise<void>) => {
      const b = await svc.create(admin);
      await spoil(join(sshd.root, b.file), b.id);
      const t = await svc.restoreTest(admin, b.id);
      expect(t.ok).toBe(false);
      return t.failures.map((f) => f.reason);
    };
    expect(
      await reasons((f) => {
        const buf = readFileSync(f);
        buf[Math.floor(buf.length / 2)]! ^= 0x01;
        writeFileSync(f, buf);
      }),
    ).toEqual(['tampered']);
    expect(await reasons((f) => truncateSync(f, statSync(f).size - 100))).toEqual(['truncated']);
    const good = key;
    expect(
      await reasons(() => {
        key = Buffer.alloc(32, 3);
      }),
    ).toEqual(['wrong-key']);
    key = good;
    // a manifest that lies about row counts, encrypted with the right key (a bug, or someone with the key)
    expect(
      await reasons(async (f, id) => {
        const db = join(dir, 'lie.db');
        const un = await unpackBackup(f, key, db);
        const m = JSON.parse(un.manifestText) as Manifest;
        m.rowCounts.opds = (m.rowCounts.opds ?? 0) + 1;
        const out = join(dir, 'lie.sdbk');
        const { size } = await packBackup({
          key,
          id,
          createdAt: m.createdAt,
          manifest: Buffer.from(JSON.stringify(m)),
          dbFile: db,
          dbSize: statSync(db).size,
          out,
        });
        writeFileSync(f, readFileSync(out));
        // as if the lie had been written by the backup itself (its recorded size)
        store.db.prepare('UPDATE db_backups SET size = ? WHERE id = ?').run(size, id);
      }),
    ).toEqual(['row-count-mismatch']);
  });

  it('a changed host key, an unreachable server and a full disk fail the backup clearly and leave no file that looks whole', async () => {
    const other = generateHostKey();
    const otherFp = sshFingerprint((ssh2.utils.parseKey(other) as ssh2.ParsedKey).getPublicSSH());
    target = sftp({ hostKey: otherFp });
    const e1 = await failureOf(service().create(admin));
    expect(e1).toMatchObject({ status: 502, code: 'BACKUP_FAILED', extra: { targetError: 'host-key-changed' } });
    expect(e1!.detail).toMatch(/host key changed: pinned SHA256:.*server presented SHA256:/);

    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    target = sftp({ port: closed });
    expect(await failureOf(service().create(admin))).toMatchObject({ status: 502, extra: { targetError: 'unreachable' } });
    expect(remote()).toEqual([]);

    // a DRC disk too small for the backup: a 64 KiB tmpfs
    const small = join(sshd.dir, 'small');
    mkdirSync(small);
    let mounted = true;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small], { stdio: 'ignore' });
    } catch {
      mounted = false;
    }
    if (mounted) {
      try {
        fill(100, 2000); // incompressible: bigger than the disk once packed
        target = sftp({ path: small });
        const e = await failureOf(service().create(admin));
        expect(e).toMatchObject({ status: 502, extra: { targetError: 'full' } });
        // the partial file is gone, nothing named like a backup is left
        expect(readdirSync(small)).toEqual([]);
      } finally {
        execFileSync('umount', [small]);
      }
    }
    const states = service()
      .list(admin)
      .backups.map((b) => [b.state, b.size]);
    expect(states.every(([s, size]) => s === 'failed' && size === null)).toBe(true);
    expect((await failureOf(service().restoreTest(admin)))?.code).toBe('NO_BACKUP');
  });
});
