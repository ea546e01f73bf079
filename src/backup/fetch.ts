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

export function fetchCommand(target: SshTarget, command: string, opts: FetchOptions): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let fingerprint: string | undefined;
    let refused: string | undefined;
    let settled = false;
    const finish = (err: FetchError | null, output?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      // a late socket error after we are done must not go unheard
      client.on('error', () => {});
      if (err) reject(err);
      else resolve({ output: output ?? '', fingerprint: fingerprint ?? '' });
    };
    const timer = setTimeout(() => {
      finish(new FetchError('timeout', `no complete answer within ${opts.timeoutMs} ms`, fingerprint));
      client.destroy();
    }, opts.timeoutMs);

    client.on('error', (e: Error & { level?: string; code?: string }) => {
      if (refused) return finish(new FetchError('host-key-changed', `host key changed: pinned ${opts.pinned}, router presented ${refused}`, refused));
      if (e.level === 'client-authentication') return finish(new FetchError('auth', `authentication refused for user '${target.username}'`, fingerprint));
      if (e.level === 'client-timeout') return finish(new FetchError('timeout', `SSH handshake timed out`, fingerprint));
      finish(new FetchError('unreachable', `${e.code ?? 'error'}: ${e.message}`, fingerprint));
    });
    client.on('close', () => finish(new FetchError('unreachable', 'connection closed before the command finished', fingerprint)));
    client.on('ready', () => {
      client.exec(command, (err, stream) => {
        if (err) return finish(new FetchError('command', `exec refused: ${err.message}`, fingerprint));
        const chunks: Buffer[] = [];
        let size = 0;
        let code: number | null = null;
        const take = (c: Buffer) => {
          size += c.length;
          if (size > opts.maxBytes) return finish(new FetchError('too-large', `output exceeds ${opts.maxBytes} bytes`, fingerprint));
          chunks.push(c);
        };
        stream.on('data', take);
        stream.stderr.on('data', take);
        stream.on('exit', (c: number | null) => (code = c));
        stream.on('close', () => {
          const output = Buffer.concat(chunks).toString('utf8');
          if (code !== null && code !== 0) return finish(new FetchError('command', `'${command}' failed (exit ${code}): ${output.trim().slice(0, 200)}`, fingerprint));
          finish(null, output);
        });
      });
    });
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
  });
}
