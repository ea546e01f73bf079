/**
 * A private OpenSSH server (Debian's openssh-server) for SFTP tests: its own config, host key and
 * authorized key in a temp directory, on a free loopback port, as root (sshd needs it for
 * privilege separation). Never the system's sshd. `sshdMissing()` says why a test must skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { generateHostKey } from '../../src/lab/routeros/ssh.js';
import { sshFingerprint } from '../../src/backup/fingerprint.js';

const SSHD = '/usr/sbin/sshd';

export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (scripts/install-interop-peers.sh installs openssh-server)`;
  if (process.getuid?.() !== 0) return 'sshd needs root for privilege separation; run the interop tests as root';
  return null;
}

export interface Sshd {
  port: number;
  dir: string;
  /** Where backups go: a directory the test owns. */
  root: string;
  user: string;
  clientKey: string;
  hostKey: string;
  fingerprint: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });

export const publicOf = (privateKey: string): string => {
  const k = ssh2.utils.parseKey(privateKey);
  if (k instanceof Error) throw k;
  return `${k.type} ${k.getPublicSSH().toString('base64')}`;
};

export async function startSshd(opts: { hostKey?: string } = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'simpul-sshd-'));
  const root = join(dir, 'drc');
  mkdirSync(root);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = opts.hostKey ?? generateHostKey();
  const clientKey = generateHostKey();
  writeFileSync(join(dir, 'host_key'), hostKey, { mode: 0o600 });
  writeFileSync(join(dir, 'authorized_keys'), publicOf(clientKey) + '\n', { mode: 0o600 });
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
    ].join('\n') + '\n',
  );
  const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (c) => (err += c));
  // ready when the port accepts connections
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`sshd exited ${proc.exitCode}: ${err}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (i > 200) throw new Error(`sshd did not listen on ${port}: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const parsed = ssh2.utils.parseKey(hostKey);
  if (parsed instanceof Error) throw parsed;
  return {
    port,
    dir,
    root,
    user: userInfo().username,
    clientKey,
    hostKey,
    fingerprint: sshFingerprint(parsed.getPublicSSH()),
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => (rmSync(dir, { recursive: true, force: true }), resolve());
        if (proc.exitCode !== null) return done();
        proc.once('exit', done);
        proc.kill('SIGTERM');
      }),
  };
}
