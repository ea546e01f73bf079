// Runs one command on a router over SSH with ssh2's Client and returns what it printed. The host
// key is checked against the pinned fingerprint before any credential is sent.
import ssh2 from 'ssh2';
import { sshFingerprint } from './fingerprint.js';

const { Client } = ssh2;

export type FetchErrorKind = 'host-key-changed' | 'auth' | 'unreachable' | 'timeout' | 'too-large' | 'command';

export class FetchError extends Error {
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
    /** The key the router presented (set for every failure after the key exchange). */
    readonly fingerprint?: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

export interface FetchOptions {
  /** The fingerprint pinned for this router; null trusts the first key seen. */
  pinned: string | null;
  /** Whole exchange, connect to last byte. */
  timeoutMs: number;
  /** Output larger than this aborts the fetch. */
  maxBytes: number;
}

export interface FetchResult {
  output: string;
  fingerprint: string;
}

/** An SSH connection opened by `connectPinned`. */
export interface PinnedSession {
  client: InstanceType<typeof Client>;
  /** The key the server presented, once the key exchange got that far. */
  fingerprint(): string | undefined;
}

/**
 * Connects with ssh2's Client, checking the host key against the pinned fingerprint before any
 * credential is sent, and classifies a failure (host key, authentication, timeout, unreachable).
 * Router config backups and database backups to an SFTP target both connect through here.
 */
export function connectPinned(
  target: SshTarget,
  opts: Pick<FetchOptions, 'pinned' | 'timeoutMs'>,
  on: { ready(): void; fail(e: FetchError): void },
): PinnedSession {
  const client = new Client();
  let fingerprint: string | undefined;
  let refused: string | undefined;
  client.on('error', (e: Error & { level?: string; code?: string }) => {
    if (refused) return on.fail(new FetchError('host-key-changed', `host key changed: pinned ${opts.pinned}, server presented ${refused}`, refused));
    if (e.level === 'client-authentication') return on.fail(new FetchError('auth', `authentication refused for user '${target.username}'`, fingerprint));
    if (e.level === 'client-timeout') return on.fail(new FetchError('timeout', `SSH handshake timed out`, fingerprint));
    on.fail(new FetchError('unreachable', `${e.code ?? 'error'}: ${e.message}`, fingerprint));
  });
  client.on('ready', () => on.ready());
  client.connect({
    host: target.host,
    port: target.port,
    username: target.username,
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.privateKey !== undefined ? { privateKey: target.privateKey } : {}),
    ...(target.passphrase !== undefined ? { passphrase: target.passphrase } : {}),
    readyTimeout: opts.timeoutMs,
    hostVerifier: (key: Buffer) => {
      fingerprint = sshFingerprint(key);
      if (opts.pinned !== null && fingerprint !== opts.pinned) {
        refused = fingerprint;
        return false;
      }
      return true;
    },
  });
  return { client, fingerprint: () => fingerprint };
}

export function fetchCommand(target: SshTarget, command: string, opts: FetchOptions): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: FetchError | null, output?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      // a late socket error after we are done must not go unheard
      client.on('error', () => {});
      if (err) reject(err);
      else resolve({ output: output ?? '', fingerprint: session.fingerprint() ?? '' });
    };
    const timer = setTimeout(() => {
      finish(new FetchError('timeout', `no complete answer within ${opts.timeoutMs} ms`, session.fingerprint()));
      client.destroy();
    }, opts.timeoutMs);

    const session = connectPinned(target, opts, {
      fail: (e) => finish(e),
      ready: () => {
        client.exec(command, (err, stream) => {
          if (err) return finish(new FetchError('command', `exec refused: ${err.message}`, session.fingerprint()));
          const chunks: Buffer[] = [];
          let size = 0;
          let code: number | null = null;
          const take = (c: Buffer) => {
            size += c.length;
            if (size > opts.maxBytes) return finish(new FetchError('too-large', `output exceeds ${opts.maxBytes} bytes`, session.fingerprint()));
            chunks.push(c);
          };
          stream.on('data', take);
          stream.stderr.on('data', take);
          stream.on('exit', (c: number | null) => (code = c));
          stream.on('close', () => {
            const output = Buffer.concat(chunks).toString('utf8');
            if (code !== null && code !== 0)
              return finish(new FetchError('command', `'${command}' failed (exit ${code}): ${output.trim().slice(0, 200)}`, session.fingerprint()));
            finish(null, output);
          });
        });
      },
    });
    const client = session.client;
    client.on('close', () => finish(new FetchError('unreachable', 'connection closed before the command finished', session.fingerprint())));
  });
}
