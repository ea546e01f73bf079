// Backups with the real ssh2 client against the lab SSH server over a real SQLite store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import ssh2 from 'ssh2';
import { generateHostKey, labSecrets, type RouterSshServer, startRouterSsh } from '../../../src/lab/routeros/ssh.js';
import { RouterState } from '../../../src/lab/routeros/state.js';
import { openDb } from '../../../src/store/db.js';
import { Store } from '../../../src/store/store.js';
import { ManualClock } from '../../../src/common/clock.js';
import { BackupService, type BackupOutcome, type BackupTarget } from '../../../src/backup/service.js';
import { exportCommand } from '../../../src/backup/targets.js';
import type { Actor } from '../../../src/auth/actor.js';

const AL = '/ip/firewall/address-list';
const admin: Actor = { id: 'token:admin', role: 'noc-admin', opd: null };
const operator: Actor = { id: 'token:op', role: 'noc-operator', opd: null };
const dinkesAdmin: Actor = { id: 'token:dinkes', role: 'opd-admin', opd: 'DINKES' };
const viewer: Actor = { id: 'token:viewer', role: 'viewer', opd: null };

let dir: string;
let store: Store;
let clock: ManualClock;
let r1: RouterSshServer;
let r2: RouterSshServer;
let state1: RouterState;
let targets: Map<string, BackupTarget>;
let logs: { level: string; msg: string; obj: object }[];
let outcomes: BackupOutcome[];
let svc: BackupService;

const target = (s: RouterSshServer, password = 'lab-pw', version = '7.18.2'): BackupTarget => ({
  ssh: { host: '127.0.0.1', port: s.port, username: 'simpul', password },
  command: exportCommand(version, true, true),
});

function service(settings: Partial<{ timeoutMs: number; maxBytes: number; concurrency: number }> = {}): BackupService {
  return new BackupService({
    store,
    maskKey: Buffer.from('test mask key'),
    routers: () =>
      new Map([
        ['dinkes-rtr01', { id: 'dinkes-rtr01', opd: 'DINKES' }],
        ['bappeda-rtr01', { id: 'bappeda-rtr01', opd: 'BAPPEDA' }],
      ]),
    target: (id) => targets.get(id) ?? { skip: 'no SSH endpoint for this router' },
    settings: { timeoutMs: 5000, maxBytes: 1 << 20, concurrency: 2, ...settings },
    log: {
      info: (obj, msg) => logs.push({ level: 'info', msg, obj }),
      warn: (obj, msg) => logs.push({ level: 'warn', msg, obj }),
      error: (obj, msg) => logs.push({ level: 'error', msg, obj }),
    },
    onOutcome: (o) => outcomes.push(o),
  });
}

const audit = (action: string) => store.db.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY seq').all(action) as Record<string, string>[];
const versionCount = () => store.db.prepare('SELECT count(*) FROM router_backups').pluck().get() as number;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simpul-backup-'));
  clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
  store = new Store(openDb(dir), clock, Buffer.alloc(32, 7));
  state1 = new RouterState({ identity: 'dinkes-rtr01' });
  state1.insert(AL, { list: 'blocked', address: '198.51.100.7', comment: 'hand-made' });
  r1 = await startRouterSsh({ state: state1, user: 'simpul', password: 'lab-pw', secrets: labSecrets('dinkes-rtr01') });
  r2 = await startRouterSsh({
    state: new RouterState({ identity: 'bappeda-rtr01' }),
    user: 'simpul',
    password: 'lab-pw',
    secrets: labSecrets('bappeda-rtr01'),
  });
  targets = new Map([
    ['dinkes-rtr01', target(r1)],
    ['bappeda-rtr01', target(r2)],
  ]);
  logs = [];
  outcomes = [];
  svc = service();
});

afterEach(async () => {
  await r1.stop();
  await r2.stop();
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('versions', () => {
  it('stores the first export, then no new version while nothing changes, then a new version with a diff', async () => {
    const first = await svc.backup('dinkes-rtr01');
    expect(first).toEqual({ router: 'dinkes-rtr01', result: 'changed', version: 1, error: null });
    expect(r1.stats.commands).toBe(1);
    const v1 = svc.version(admin, 'dinkes-rtr01', 1);
    expect(v1.content).toContain('/ip firewall address-list add address=198.51.100.7 comment=hand-made list=blocked');
    expect(v1.content).toMatch(/^# \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by RouterOS 7\.18\.2/);
    expect(v1.changedLines).toBeNull();

    // the export's timestamp line differs on every fetch: it is not a change
    await new Promise((r) => setTimeout(r, 1100));
    clock.advance(3_600_000);
    const second = await svc.backup('dinkes-rtr01');
    expect(second).toEqual({ router: 'dinkes-rtr01', result: 'unchanged', version: 1, error: null });
    expect(r1.stats.commands).toBe(2);
    expect(versionCount()).toBe(1);
    const listed = svc.versions(admin, 'dinkes-rtr01');
    expect(listed.versions).toHaveLength(1);
    expect(listed.versions[0]?.lastSeenAt).toBe('2026-11-23T02:00:00.000Z');
    expect(listed.lastCheck?.lastCheckAt).toBe('2026-11-23T02:00:00.000Z');

    // a change made on the router
    const id = state1.insert(AL, { list: 'blocked', address: '203.0.113.0/24', comment: 'added by hand' });
    state1.remove(AL, [state1.list(AL).find((r) => r.address === '198.51.100.7')?.['.id'] ?? '']);
    expect(id).toMatch(/^\*/);
    clock.advance(3_600_000);
    const third = await svc.backup('dinkes-rtr01');
    expect(third).toMatchObject({ result: 'changed', version: 2 });
    const v2 = svc.versions(admin, 'dinkes-rtr01').versions[0];
    expect(v2).toMatchObject({ version: 2, linesAdded: 1, linesRemoved: 1, changedLines: 2, takenAt: '2026-11-23T03:00:00.000Z' });
    const diff = svc.diff(admin, 'dinkes-rtr01', 1, 2);
    expect(diff).toContain('--- dinkes-rtr01/v1');
    expect(diff).toContain('+++ dinkes-rtr01/v2');
    expect(diff).toContain('\n-/ip firewall address-list add address=198.51.100.7 comment=hand-made list=blocked');
    expect(diff).toContain('\n+/ip firewall address-list add address=203.0.113.0/24 comment="added by hand" list=blocked');
    expect(diff).not.toMatch(/^[-+]# .*by RouterOS/m);
    expect(audit('backup.stored').map((a) => JSON.parse(a.after_json ?? '{}').version)).toEqual([1, 2]);
    expect(outcomes.map((o) => o.result)).toEqual(['changed', 'unchanged', 'changed']);
  });

  it('keeps every distinct version, also when the router goes back to an earlier config', async () => {
    await svc.backup('dinkes-rtr01');
    const id = state1.insert(AL, { list: 'blocked', address: '192.0.2.1' });
    await svc.backup('dinkes-rtr01');
    state1.remove(AL, [id]);
    const back = await svc.backup('dinkes-rtr01');
    expect(back).toMatchObject({ result: 'changed', version: 3 });
    const vs = svc.versions(admin, 'dinkes-rtr01').versions;
    expect(vs.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(vs[0]?.hash).toBe(vs[2]?.hash);
    expect(svc.diff(admin, 'dinkes-rtr01', 1, 3)).not.toMatch(/^[-+][^-+]/m);
  });
});

describe('masking', () => {
  it('masks every secret before storage, keeps the key, and shows a changed secret as a changed digest', async () => {
    await svc.backup('dinkes-rtr01');
    const stored = store.db.prepare('SELECT content FROM router_backups').pluck().get() as string;
    for (const secret of ['ppp-dinkes-rtr01-pw', 'ipsec-dinkes-rtr01-psk', 'wifi dinkes-rtr01 pass', 'auth-dinkes-rtr01', 'priv-dinkes-rtr01']) {
      expect(stored).not.toContain(secret);
    }
    // nothing anywhere in the database holds a secret (audit log included)
    const dump = store.db.prepare("SELECT group_concat(coalesce(after_json, '') || coalesce(before_json, '')) FROM audit_log").pluck().get() as string;
    expect(dump).not.toContain('ppp-dinkes-rtr01-pw');
    expect(stored).toMatch(/\/ppp secret add name=dinkes-rtr01-vpn password=\*\*\*masked:[0-9a-f]{10}\*\*\* profile=default-encryption/);
    expect(stored).toMatch(/passphrase=\*\*\*masked:[0-9a-f]{10}\*\*\*/);
    expect(stored).toMatch(/authentication-password=\*\*\*masked:[0-9a-f]{10}\*\*\* encryption-password=\*\*\*masked:/);
    // show-sensitive was asked for: the secrets were there to mask
    expect(stored).toMatch(/secret=\*\*\*masked/);

    const ppp = r1.secrets[0];
    if (!ppp) throw new Error('lab secrets missing');
    ppp.fields.password = 'a-new-password';
    expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'changed', version: 2 });
    const diff = svc.diff(admin, 'dinkes-rtr01', 1, 2);
    expect(diff).toMatch(/^-\/ppp secret add name=dinkes-rtr01-vpn password=\*\*\*masked:[0-9a-f]{10}\*\*\*/m);
    expect(diff).toMatch(/^\+\/ppp secret add name=dinkes-rtr01-vpn password=\*\*\*masked:[0-9a-f]{10}\*\*\*/m);
    expect(diff).not.toContain('a-new-password');
  });

  it('RouterOS 6 shows secrets in a plain /export: they are masked all the same', async () => {
    const v6 = await startRouterSsh({
      state: new RouterState({ identity: 'old', version: '6.49.17' }),
      user: 'simpul',
      password: 'lab-pw',
      secrets: labSecrets('old'),
    });
    try {
      targets.set('dinkes-rtr01', target(v6, 'lab-pw', '6.49.17'));
      expect((targets.get('dinkes-rtr01') as { command: string }).command).toBe('/export terse');
      expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'changed' });
      const text = svc.version(admin, 'dinkes-rtr01', 1).content;
      expect(text).not.toContain('ppp-old-pw');
      expect(text).toMatch(/password=\*\*\*masked:/);
    } finally {
      await v6.stop();
    }
  });
});

describe('host keys', () => {
  it('pins on first use, refuses a changed key loudly without storing, and backs up again after a re-pin', async () => {
    await svc.backup('dinkes-rtr01');
    const pinned = r1.fingerprint;
    expect(svc.status(admin, 'dinkes-rtr01').hostKey).toMatchObject({ fingerprint: pinned, pinnedBy: 'system:backup', refusedFingerprint: null });
    expect(audit('backup.host_key.pinned')).toHaveLength(1);

    const rotated = await r1.rotateHostKey();
    expect(rotated).not.toBe(pinned);
    state1.insert(AL, { list: 'blocked', address: '192.0.2.55' });
    const refused = await svc.backup('dinkes-rtr01');
    expect(refused.result).toBe('host_key_changed');
    expect(refused.error).toContain(rotated);
    expect(refused.version).toBeNull();
    // refused before authenticating: no command ran, nothing stored
    expect(r1.stats.commands).toBe(1);
    expect(versionCount()).toBe(1);
    expect(svc.status(admin, 'dinkes-rtr01')).toMatchObject({
      hostKey: { fingerprint: pinned, refusedFingerprint: rotated },
      lastCheck: { lastResult: 'host_key_changed' },
    });
    expect(audit('backup.host_key.refused')).toHaveLength(1);
    expect(logs.some((l) => l.level === 'error' && l.msg.includes('HOST KEY CHANGED'))).toBe(true);
    // a retry is refused again; the audit log gets one entry per new key, not per retry
    expect((await svc.backup('dinkes-rtr01')).result).toBe('host_key_changed');
    expect(audit('backup.host_key.refused')).toHaveLength(1);

    // only a noc-admin re-pins
    expect(() => svc.resetHostKey(operator, 'dinkes-rtr01', rotated)).toThrow(/needs 'admin'/);
    expect(() => svc.resetHostKey(admin, 'dinkes-rtr01', 'MD5:aa')).toThrow(/SHA256/);
    const after = svc.resetHostKey(admin, 'dinkes-rtr01', rotated);
    expect(after.hostKey).toMatchObject({ fingerprint: rotated, pinnedBy: 'token:admin', refusedFingerprint: null });
    expect(audit('backup.host_key.reset')).toHaveLength(1);
    expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'changed', version: 2 });
  });

  it('a reset without a fingerprint trusts the next key seen', async () => {
    await svc.backup('dinkes-rtr01');
    const rotated = await r1.rotateHostKey();
    expect((await svc.backup('dinkes-rtr01')).result).toBe('host_key_changed');
    svc.resetHostKey(admin, 'dinkes-rtr01', undefined);
    expect(svc.status(admin, 'dinkes-rtr01').hostKey.fingerprint).toBeNull();
    expect((await svc.backup('dinkes-rtr01')).result).toBe('unchanged');
    expect(svc.status(admin, 'dinkes-rtr01').hostKey.fingerprint).toBe(rotated);
  });
});

describe('failures stay per router', () => {
  it('an unreachable router, bad credentials and a stalled router fail clearly while the others are backed up', async () => {
    const down = await startRouterSsh({ state: new RouterState(), user: 'simpul', password: 'lab-pw' });
    const port = down.port;
    await down.stop();
    targets.set('dinkes-rtr01', { ssh: { host: '127.0.0.1', port, username: 'simpul', password: 'lab-pw' }, command: '/export' });
    const all = await svc.backupAll();
    expect(all.find((o) => o.router === 'dinkes-rtr01')).toMatchObject({ result: 'unreachable', version: null });
    expect(all.find((o) => o.router === 'dinkes-rtr01')?.error).toContain('ECONNREFUSED');
    expect(all.find((o) => o.router === 'bappeda-rtr01')).toMatchObject({ result: 'changed', version: 1 });
    expect(svc.status(admin, 'dinkes-rtr01').lastCheck).toMatchObject({ lastResult: 'unreachable', lastSuccessAt: null });

    targets.set('dinkes-rtr01', target(r1, 'wrong'));
    expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'auth' });
    expect(r1.stats.authFailures).toBeGreaterThan(0);

    const quick = service({ timeoutMs: 500 });
    targets.set('dinkes-rtr01', target(r1));
    r1.faults.stall = true;
    expect(await quick.backup('dinkes-rtr01')).toMatchObject({ result: 'timeout' });
    r1.faults = { padBytes: 4096 };
    const small = service({ maxBytes: 2048 });
    expect(await small.backup('dinkes-rtr01')).toMatchObject({ result: 'too_large' });
    expect(versionCount()).toBe(1);

    targets.delete('dinkes-rtr01');
    expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'skipped', error: 'no SSH endpoint for this router' });
  });

  it('a port that answers something other than SSH, or garbage sent to the lab server, is a clear error', async () => {
    const http = net.createServer((c) => c.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      targets.set('dinkes-rtr01', {
        ssh: { host: '127.0.0.1', port: (http.address() as net.AddressInfo).port, username: 'simpul', password: 'lab-pw' },
        command: '/export',
      });
      const o = await svc.backup('dinkes-rtr01');
      expect(o.result).toBe('unreachable');
      expect(o.error).toMatch(/handshake/);
    } finally {
      http.close();
    }
    // garbage to the lab server: it drops that peer and goes on answering
    const junk = net.connect(r1.port, '127.0.0.1', () => junk.write(Buffer.alloc(70_000, 0xff)));
    junk.on('error', () => junk.destroy());
    await new Promise((r) => setTimeout(r, 200));
    junk.destroy();
    targets.set('dinkes-rtr01', target(r1));
    expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'changed', version: 1 });
  });

  it('a command the router does not understand is an error, not a version', async () => {
    targets.set('dinkes-rtr01', { ssh: { host: '127.0.0.1', port: r1.port, username: 'simpul', password: 'lab-pw' }, command: '/export hide-sensitive' });
    const o = await svc.backup('dinkes-rtr01');
    expect(o.result).toBe('command');
    expect(o.error).toContain('expected end of command');
    expect(versionCount()).toBe(0);
  });

  it('concurrent requests for one router share one fetch', async () => {
    const [a, b] = await Promise.all([svc.backup('dinkes-rtr01'), svc.requestBackup(operator, 'dinkes-rtr01')]);
    expect(a).toEqual(b);
    expect(r1.stats.commands).toBe(1);
  });
});

describe('roles', () => {
  it('reads need read, an opd-admin sees only its own routers, on demand needs operate', async () => {
    await svc.backup('dinkes-rtr01');
    await svc.backup('bappeda-rtr01');
    expect(svc.versions(dinkesAdmin, 'dinkes-rtr01').versions).toHaveLength(1);
    expect(() => svc.versions(dinkesAdmin, 'bappeda-rtr01')).toThrow(/does not exist or is not visible/);
    expect(() => svc.diff(dinkesAdmin, 'bappeda-rtr01', 1, 1)).toThrow(/not visible/);
    expect(svc.version(viewer, 'bappeda-rtr01', 1).content).toContain('bappeda-rtr01');
    expect(() => svc.requestBackup(viewer, 'dinkes-rtr01')).toThrow(/needs 'operate'/);
    expect(() => svc.requestBackup(dinkesAdmin, 'dinkes-rtr01')).toThrow(/needs 'operate'/);
    expect(() => svc.version(admin, 'dinkes-rtr01', 9)).toThrow(/dinkes-rtr01\/9/);
    expect(() => svc.versions(admin, 'no-such-router')).toThrow(/no-such-router/);
  });
});

describe('public key authentication', () => {
  it('backs up with a private key from the credential', async () => {
    // a key pair ssh2 can parse (its generator sometimes yields one it cannot)
    const keyPair = () => {
      const priv = generateHostKey();
      const parsed = ssh2.utils.parseKey(priv);
      if (parsed instanceof Error) throw parsed;
      return { private: priv, public: `${parsed.type} ${parsed.getPublicSSH().toString('base64')}` };
    };
    const pair = keyPair();
    const keyed = await startRouterSsh({ state: new RouterState({ identity: 'keyed' }), user: 'simpul', password: 'unused-pw', authorizedKeys: [pair.public] });
    try {
      targets.set('dinkes-rtr01', { ssh: { host: '127.0.0.1', port: keyed.port, username: 'simpul', privateKey: pair.private }, command: '/export' });
      expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'changed' });
      const other = keyPair();
      targets.set('dinkes-rtr01', { ssh: { host: '127.0.0.1', port: keyed.port, username: 'simpul', privateKey: other.private }, command: '/export' });
      expect(await svc.backup('dinkes-rtr01')).toMatchObject({ result: 'auth' });
    } finally {
      await keyed.stop();
    }
  });
});
