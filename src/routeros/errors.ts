// One error type for everything that can go wrong talking to a router, with a kind an operator
// (and the reconciler) can act on.
import { RosException } from 'node-routeros';
import { RosFatalError, RosProtocolError, RosTrapError } from './compat.js';

export type RouterErrorKind = 'auth' | 'timeout' | 'trap' | 'fatal' | 'protocol' | 'tls' | 'unreachable';

export class RouterError extends Error {
  override readonly name = 'RouterError';
  /** RouterOS trap category (0 missing item or command, 1 argument value, 2 interrupted, ...). */
  readonly category: number | undefined;

  constructor(
    readonly kind: RouterErrorKind,
    message: string,
    opts: { category?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.category = opts.category;
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const LOGIN_FAILED = /invalid user name or password|cannot log in/i;

function tlsCode(code: string | undefined, message: string): boolean {
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO')) return true;
  return /\b(SSL|TLS)\b|certificate|handshake/i.test(message);
}

/** Classifies anything node-routeros (patched by compat.ts) or the socket layer throws. */
export function toRouterError(e: unknown): RouterError {
  if (e instanceof RouterError) return e;
  if (e instanceof RosTrapError) {
    if (LOGIN_FAILED.test(e.message)) return new RouterError('auth', `login refused: ${e.message}`, { cause: e });
    return new RouterError('trap', e.message, { category: e.category, cause: e });
  }
  if (e instanceof RosFatalError) return new RouterError('fatal', `router ended the session: ${e.message}`, { cause: e });
  if (e instanceof RosProtocolError) return new RouterError('protocol', e.message, { cause: e });
  if (e instanceof RosException) {
    const ex = e as RosException & { errno?: unknown; code?: string };
    if (ex.errno === 'CANTLOGIN') return new RouterError('auth', 'login refused: invalid user name or password', { cause: e });
    if (ex.errno === 'SOCKTMOUT') return new RouterError('timeout', `socket idle: ${ex.message}`, { cause: e });
    if (tlsCode(ex.code, ex.message)) return new RouterError('tls', `TLS failure: ${ex.message}`, { cause: e });
    if (ex.code && UNREACHABLE.has(ex.code)) return new RouterError('unreachable', `${ex.code}: ${ex.message}`, { cause: e });
    return new RouterError('unreachable', ex.message || String(ex.errno), { cause: e });
  }
  if (typeof e === 'string') return new RouterError('protocol', e);
  const err = e as { message?: string; code?: string };
  if (tlsCode(err.code, err.message ?? '')) return new RouterError('tls', `TLS failure: ${err.message}`, { cause: e });
  if (err.code && UNREACHABLE.has(err.code)) return new RouterError('unreachable', `${err.code}: ${err.message}`, { cause: e });
  return new RouterError('protocol', err.message ?? String(e), { cause: e });
}
