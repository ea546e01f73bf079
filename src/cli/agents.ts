// `simpul agent enroll|revoke|list`: the daemon's agent API from a terminal (SIMPUL_URL, SIMPUL_TOKEN of a noc-admin).
import { apiRequest, type ApiResponse } from './api-client.js';
import { table } from './routers.js';
import { fail } from './serve.js';

type Json = Record<string, unknown>;
const out = (s: string): void => void process.stdout.write(s);
const path = (id: string, what: string) => `/api/v1/agents/${encodeURIComponent(id)}/${what}`;

function check(r: ApiResponse): Json | Json[] {
  if (r.status >= 400) {
    const p = (r.body ?? {}) as Json;
    return fail(`${String(p.code ?? r.status)}: ${String(p.detail ?? r.body)}`);
  }
  return r.body as Json | Json[];
}

/** Prints a one-time enrollment code (valid 24 h) for the office's admin to give `simpul-agent enroll`. */
export async function agentEnroll(id: string): Promise<void> {
  const r = check(await apiRequest(path(id, 'enrollment-code'), { method: 'POST' })) as Json;
  out(`enrollment code for agent ${id} (works once, until ${String(r.expiresAt)}):\n${String(r.code)}\n`);
}

export async function agentRevoke(id: string): Promise<void> {
  check(await apiRequest(path(id, 'revoke'), { method: 'POST' }));
  out(`agent ${id} revoked: its next request is refused; enroll it again with a new code\n`);
}

export async function agentList(opts: { json?: boolean }): Promise<void> {
  const list = check(await apiRequest('/api/v1/agents')) as Json[];
  if (opts.json) return out(JSON.stringify(list, null, 2) + '\n');
  const state = (a: Json) => (a.revokedAt && !a.enrolled ? 'revoked' : !a.enrolled ? 'not enrolled' : a.up ? 'up' : 'silent');
  out(
    table(
      ['AGENT', 'OPD', 'STATE', 'LAST SEEN', 'VERSION', 'BACKLOG', 'DROPPED', 'DEVICES'],
      list.map((a) => [
        String(a.id),
        String(a.opd),
        state(a),
        String(a.lastSeenAt ?? '-'),
        String(a.agentVersion ?? '-'),
        String(a.backlogBatches),
        String(a.droppedSamples),
        (a.devices as string[]).join(','),
      ]),
    ),
  );
}
