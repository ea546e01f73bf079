// One long-lived RouterOS API connection per router over node-routeros (patched by compat.ts):
// connects on demand, reconnects with exponential backoff, times requests out, and reports every
// failure as a RouterError. Many requests may be in flight at once; node-routeros tags them.
import { EventEmitter } from 'node:events';
import type { ConnectionOptions as TlsConnectionOptions, TlsOptions } from 'node:tls';
import { RouterOSAPI } from 'node-routeros';
import './compat.js';
import { RouterError, toRouterError } from './errors.js';

export interface RouterEndpoint {
  /** Inventory id, used in messages. */
  id: string;
  host: string;
  /** Defaults to 8729 with TLS (API-SSL), else 8728. */
  port?: number;
  /** API-SSL. `true` verifies the certificate against the system CAs; pass `ca` for a router's own. */
  tls?: boolean | TlsConnectionOptions;
  user: string;
  password: string;
}

export interface ConnectionOptions {
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** The socket is dropped by node-routeros after this much silence. */
  idleTimeoutSec?: number;
  /** A cheap read is sent after this much idleness to keep the session open; 0 disables. */
  keepaliveMs?: number;
  /** Reconnect in the background after a failure, waiting initialMs * factor^n (capped, jittered). */
  autoReconnect?: boolean;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
}

export type ConnectionState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';
export type Row = Record<string, string>;

interface Pending {
  reject(e: RouterError): void;
}

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutSec: 300,
  keepaliveMs: 60_000,
  autoReconnect: true,
};

/** Events: 'up' (), 'down' (err: RouterError). Never 'error', so nothing crashes unheard. */
export class RouterConnection extends EventEmitter {
  private api: RouterOSAPI | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending = new Set<Pending>();
  private retryTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private lastActivity = 0;
  private readonly opts: Required<Omit<ConnectionOptions, 'backoff'>> & { backoff: { initialMs: number; maxMs: number; factor: number } };
  state: ConnectionState = 'idle';
  /** Consecutive failed connection attempts. */
  failures = 0;
  lastError: RouterError | undefined;
  /** When the background reconnect fires next (ms since epoch), if scheduled. */
  nextRetryAt: number | undefined;

  constructor(
    readonly endpoint: RouterEndpoint,
    options: ConnectionOptions = {},
  ) {
    super();
    this.opts = {
      ...DEFAULTS,
      ...options,
      backoff: { initialMs: 1000, maxMs: 300_000, factor: 2, ...options.backoff },
    };
  }

  /** Connects now unless already up; concurrent callers share one attempt. */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new RouterError('unreachable', `${this.endpoint.id}: connection closed`));
    if (this.state === 'up') return Promise.resolve();
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    this.clearRetry();
    this.state = 'connecting';
    const { host, port, tls, user, password } = this.endpoint;
    const tlsOpts = tls === true ? {} : tls || undefined;
    const api = new RouterOSAPI({
      host,
      port: port ?? (tlsOpts ? 8729 : 8728),
      user,
      password,
      timeout: this.opts.idleTimeoutSec,
      // node-routeros types this as server options but hands it to tls.connect()
      ...(tlsOpts ? { tls: tlsOpts as TlsOptions } : {}),
    });
    api.on('error', (e: unknown) => this.lost(api, toRouterError(e)));
    api.on('close', () => this.lost(api, new RouterError('unreachable', 'connection closed by the router')));
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(this.connectTimeout(api, !!tlsOpts)), this.opts.connectTimeoutMs);
        api.connect().then(() => resolve(), reject);
      });
    } catch (e) {
      const handshakeDone = (api as unknown as { connector?: { connected?: boolean } }).connector?.connected === true;
      destroy(api);
      const err = this.describe(tlsOpts && !handshakeDone ? beforeHandshake(toRouterError(e)) : toRouterError(e));
      this.failures++;
      this.lastError = err;
      this.state = 'down';
      this.scheduleRetry();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.api = api;
    this.failures = 0;
    this.lastError = undefined;
    this.state = 'up';
    this.touch();
    this.startKeepalive();
    this.emit('up');
  }

  /** Which stage hung: the TCP connect, the TLS handshake, or the login. */
  private connectTimeout(api: RouterOSAPI, tls: boolean): RouterError {
    const ms = this.opts.connectTimeoutMs;
    const socketUp = (api as unknown as { connector?: { connected?: boolean } }).connector?.connected === true;
    if (socketUp) return new RouterError('timeout', `no login answer within ${ms} ms`);
    if (tls) return new RouterError('tls', `TLS handshake not completed within ${ms} ms (is this an API-SSL port?)`);
    return new RouterError('unreachable', `TCP connection not established within ${ms} ms`);
  }

  private describe(err: RouterError): RouterError {
    if (err.message.startsWith(`${this.endpoint.id}: `)) return err;
    return new RouterError(err.kind, `${this.endpoint.id}: ${err.message}`, { category: err.category, cause: err.cause ?? err });
  }

  /** The connection died under us: fail what is in flight, then reconnect in the background. */
  private lost(api: RouterOSAPI, err: RouterError): void {
    if (api !== this.api) return;
    this.api = undefined;
    destroy(api);
    this.stopKeepalive();
    const e = this.describe(err);
    this.lastError = e;
    for (const p of [...this.pending]) p.reject(e);
    this.pending.clear();
    if (this.state === 'closed') return;
    this.state = 'down';
    this.failures++;
    this.emit('down', e);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.opts.autoReconnect || this.state === 'closed' || this.retryTimer) return;
    const { initialMs, maxMs, factor } = this.opts.backoff;
    const base = Math.min(maxMs, initialMs * factor ** Math.max(0, this.failures - 1));
    const delay = Math.round(base * (1 + Math.random() * 0.2));
    this.nextRetryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.nextRetryAt = undefined;
      this.connect().catch(() => {});
    }, delay);
    this.retryTimer.unref();
  }

  private clearRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  private startKeepalive(): void {
    const every = this.opts.keepaliveMs;
    if (every <= 0) return;
    this.keepaliveTimer = setInterval(() => {
      if (this.pending.size === 0 && Date.now() - this.lastActivity >= every) {
        this.request(['/system/identity/print']).catch(() => {});
      }
    }, every);
    this.keepaliveTimer.unref();
  }

  private stopKeepalive(): void {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  /**
   * Sends one command (`['/ip/route/print', '=.proplist=.id,gateway', '?disabled=false']`) and
   * resolves with its rows (`!re` attributes, or `{ ret }` from `!done`). A timeout tears the
   * connection down: whatever the router still sends for it can no longer be trusted.
   */
  async request(words: readonly string[], timeoutMs = this.opts.requestTimeoutMs): Promise<Row[]> {
    await this.connect();
    const api = this.api;
    if (!api) throw this.lastError ?? new RouterError('unreachable', `${this.endpoint.id}: not connected`);
    this.touch();
    return new Promise<Row[]>((resolve, reject) => {
      const entry: Pending = {
        reject: (e) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const err = new RouterError('timeout', `${this.endpoint.id}: no answer to ${words[0]} within ${timeoutMs} ms`);
        entry.reject(err);
        this.lost(api, err);
      }, timeoutMs);
      this.pending.add(entry);
      this.corkForTick(api);
      api.write([...words]).then(
        (rows) => {
          if (!this.pending.delete(entry)) return;
          clearTimeout(timer);
          this.touch();
          resolve(rows as unknown as Row[]);
        },
        (e: unknown) => {
          if (!this.pending.has(entry)) return;
          this.touch();
          entry.reject(this.describe(toRouterError(e)));
        },
      );
    });
  }

  /**
   * node-routeros writes each word of a sentence to the socket on its own; corked until the end of
   * the tick, the sentences issued in one tick (a plan's batch of writes) leave in one syscall.
   */
  private corkForTick(api: RouterOSAPI): void {
    const socket = (api as unknown as { connector?: { socket?: import('node:net').Socket } }).connector?.socket;
    if (!socket || socket.writableCorked > 0) return;
    socket.cork();
    process.nextTick(() => socket.uncork());
  }

  /** Closes for good: no more reconnects; in-flight requests fail. */
  async close(): Promise<void> {
    this.state = 'closed';
    this.clearRetry();
    this.stopKeepalive();
    const api = this.api;
    this.api = undefined;
    const err = new RouterError('unreachable', `${this.endpoint.id}: connection closed`);
    for (const p of [...this.pending]) p.reject(err);
    if (api) destroy(api);
    await this.connecting?.catch(() => {});
  }
}

const NOTHING_LISTENING = /\b(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EADDRNOTAVAIL)\b/;

/**
 * A TLS connect that failed before the handshake completed, on a port that accepted TCP: whatever
 * the peer did (sent non-TLS bytes, closed, reset, stayed silent) it is not speaking API-SSL, and
 * which of those we see first depends on timing, so all of them are one 'tls' error.
 */
function beforeHandshake(err: RouterError): RouterError {
  if (err.kind === 'tls' || err.kind === 'auth' || (err.kind === 'unreachable' && NOTHING_LISTENING.test(err.message))) return err;
  return new RouterError('tls', `TLS handshake failed (is this an API-SSL port?): ${err.message}`, { cause: err });
}

/** Drops a node-routeros connection at once, with its timers (close() waits on the peer). */
function destroy(api: RouterOSAPI): void {
  const a = api as unknown as {
    connector?: { destroy(): void } | null;
    connectionHoldInterval?: NodeJS.Timeout;
    keptaliveby?: NodeJS.Timeout;
    connected: boolean;
    connecting: boolean;
  };
  clearTimeout(a.connectionHoldInterval);
  clearTimeout(a.keptaliveby);
  a.connector?.destroy();
  a.connected = false;
  a.connecting = false;
}
