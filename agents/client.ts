/**
 * HTTPS to Simpul, verifying its certificate against the configured CA only (not the system's
 * store: the regency's own CA or Simpul's self-signed certificate). Keep-alive, so a backlog
 * drains over one connection. The agent only ever connects out.
 */
import https from 'node:https';
import { CONFIG_VERSION_HEADER } from '../src/agents/protocol.js';

export interface Reply {
  status: number;
  /** Simpul-Config-Version of the reply, when it carries one. */
  configVersion?: string;
  body: unknown;
}

export class SimpulClient {
  private readonly agent: https.Agent;

  constructor(
    private readonly server: string,
    ca: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 1 });
  }

  /** One request; the body is JSON, given as a string when the caller built it already. Rejects on network errors only. */
  request(method: 'GET' | 'POST', path: string, opts: { auth?: string; body?: string | object } = {}): Promise<Reply> {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.auth) headers.authorization = opts.auth;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = https.request(`${this.server}${path}`, { method, agent: this.agent, headers, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: kept as text for the error message
          }
          const v = res.headers[CONFIG_VERSION_HEADER.toLowerCase()];
          const reply: Reply = { status: res.statusCode ?? 0, body: parsed };
          if (typeof v === 'string') reply.configVersion = v;
          resolve(reply);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.server} within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A problem+json reply as one line for the log: status, code and detail (never the request's secret). */
export function describeReply(r: Reply): string {
  const b = r.body as { code?: string; detail?: string } | undefined;
  return b && typeof b === 'object' ? `HTTP ${r.status} ${b.code ?? ''}: ${b.detail ?? ''}`.trim() : `HTTP ${r.status}`;
}
