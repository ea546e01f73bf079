/**
 * The CLI's client for a running daemon: SIMPUL_URL (default http://127.0.0.1:8080) and the
 * bearer token in SIMPUL_TOKEN. Answers come back parsed; a daemon that cannot be reached is a
 * clear message and exit 2, not a stack trace.
 */
import { fail } from './serve.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
}

export interface ApiInit {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  body?: Uint8Array | string;
}

export function apiBase(env: NodeJS.ProcessEnv = process.env): { url: string; token: string } {
  const url = (env.SIMPUL_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = env.SIMPUL_TOKEN;
  if (!token) fail('set SIMPUL_TOKEN to an API token (simpul token create) to talk to the daemon');
  return { url, token };
}

export async function apiRequest(path: string, init: ApiInit = {}, env: NodeJS.ProcessEnv = process.env): Promise<ApiResponse> {
  const { url, token } = apiBase(env);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(init.headers ?? {}) };
  let body: Uint8Array | string | undefined = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  let r: Response;
  try {
    r = await fetch(url + path, { method: init.method ?? 'GET', headers, body });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    return fail(`cannot reach the daemon at ${url} (${cause}); is it running? (SIMPUL_URL)`);
  }
  const text = await r.text();
  const isJson = (r.headers.get('content-type') ?? '').includes('json');
  return { status: r.status, headers: r.headers, body: isJson && text ? (JSON.parse(text) as unknown) : text };
}
