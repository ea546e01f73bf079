// An SFTP target at the DRC over ssh2, the host key pinned in the config (checked before any
// credential is sent, by the same code router backups connect with).
import type { SFTPWrapper } from 'ssh2';
import { connectPinned, type FetchError, type SshTarget } from '../backup/fetch.js';
import { PARTIAL, TargetError, isBackupFile, type Target, type TargetErrorKind } from './target.js';

export interface SftpOptions {
  ssh: SshTarget;
  /** Remote directory the backups live in (must exist). */
  path: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it. */
  hostKey: string;
  /** One operation, connect to last byte. */
  timeoutMs: number;
}

const KIND: Record<FetchError['kind'], TargetErrorKind> = {
  'host-key-changed': 'host-key-changed',
  auth: 'auth',
  unreachable: 'unreachable',
  timeout: 'timeout',
  'too-large': 'io',
  command: 'io',
};

/** SFTP status codes (draft-ietf-secsh-filexfer-02): 2 no such file, 4 failure (a full disk answers this). */
function sftpKind(e: Error & { code?: number | string }): TargetErrorKind {
  if (e.code === 2) return 'missing';
  if (e.code === 4) return 'full';
  return 'io';
}

function session<T>(o: SftpOptions, what: string, work: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (e: TargetError | null, v?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.client.on('error', () => {});
      s.client.end();
      if (e) reject(e);
      else resolve(v as T);
    };
    const timer = setTimeout(() => {
      finish(new TargetError('timeout', `${what}: no answer within ${o.timeoutMs} ms`));
      s.client.destroy();
    }, o.timeoutMs);
    const s = connectPinned(
      o.ssh,
      { pinned: o.hostKey, timeoutMs: o.timeoutMs },
      {
        fail: (e) =>
          finish(
            new TargetError(
              KIND[e.kind],
              `${what}: ${e.message}${e.kind === 'host-key-changed' ? ' (backup.database.target.hostKey); check the DRC server before changing the pin' : ''}`,
            ),
          ),
        ready: () =>
          s.client.sftp((err, sftp) => {
            if (err) return finish(new TargetError('io', `${what}: the server refused the SFTP subsystem: ${err.message}`));
            work(sftp).then(
              (v) => finish(null, v),
              (e: Error & { code?: number | string }) => finish(e instanceof TargetError ? e : new TargetError(sftpKind(e), `${what}: ${e.message}`)),
            );
          }),
      },
    );
    s.client.on('close', () => finish(new TargetError('unreachable', `${what}: the connection closed`)));
  });
}

const call = <T>(fn: (cb: (e: Error | null | undefined, v?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v as T))));

export function sftpTarget(o: SftpOptions): Target {
  const dir = o.path.replace(/\/+$/, '') || '/';
  const at = (name: string) => `${dir}/${name}`;
  return {
    label: `sftp://${o.ssh.username}@${o.ssh.host}:${o.ssh.port}${dir}`,
    put: (localFile, name) =>
      session(o, `writing ${name} to the DRC`, async (sftp) => {
        const tmp = at(name + PARTIAL);
        try {
          await call<void>((cb) => sftp.fastPut(localFile, tmp, {}, (e) => cb(e)));
          await call<void>((cb) => sftp.rename(tmp, at(name), (e) => cb(e)));
        } catch (e) {
          await call<void>((cb) => sftp.unlink(tmp, () => cb(null))).catch(() => {});
          throw e;
        }
      }),
    get: (name, localFile) => session(o, `reading ${name} from the DRC`, (sftp) => call<void>((cb) => sftp.fastGet(at(name), localFile, {}, (e) => cb(e)))),
    list: () =>
      session(o, `listing ${dir} on the DRC`, async (sftp) => {
        const entries = await call<{ filename: string }[]>((cb) => sftp.readdir(dir, cb));
        return entries
          .map((e) => e.filename)
          .filter(isBackupFile)
          .sort();
      }),
    remove: (name) => session(o, `removing ${name} from the DRC`, (sftp) => call<void>((cb) => sftp.unlink(at(name), (e) => cb(e)))),
  };
}
