// Backups in the daemon, lab mode: each simulated router's SSH side answers /export, the HTTP API
// serves versions, masked text and diffs, and refuses a changed host key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { LAB_STARTERS } from '../../../src/lab/lab.js';
import { routerLabStarter, startRouterLab, type RouterLab } from '../../../src/lab/routeros/starter.js';
import { ADMIN, copyInventory, tempDir, testConfig } from '../../helpers/daemon.js';

let d: Daemon;
let lab: RouterLab;
let cleanup: () => void;
const tokens: Record<string, string> = {};
const R = 'dinkes-rtr01';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, token: string = ADMIN, json?: unknown): Promise<{ status: number; type: string; body: Json; text: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(d.url + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, type, text, body: type.includes('json') && text ? JSON.parse(text) : {} };
}
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

beforeAll(async () => {
  // the real lab starter, with its handle kept so the test can change a router and rotate its key
  const i = LAB_STARTERS.indexOf(routerLabStarter);
  LAB_STARTERS[i] = async (inv, creds) => (lab = await startRouterLab(inv, creds));
  const t = tempDir();
  cleanup = t.cleanup;
  const config = testConfig(t.dir, {
    inventory: copyInventory(t.dir),
    log: { level: 'warn' },
    backup: { intervalHours: 0 },
    routeros: { autoApply: false },
  });
  config.lab = true;
  d = await startDaemon(config, { logStream: new PassThrough() });
  LAB_STARTERS[i] = routerLabStarter;
  for (const [name, role, opd] of [
    ['op', 'noc-operator', undefined],
    ['viewer', 'viewer', undefined],
    ['dinkes', 'opd-admin', 'DINKES'],
    ['bappeda', 'opd-admin', 'BAPPEDA'],
  ] as const) {
    tokens[name] = (await call('POST', '/api/v1/tokens', ADMIN, { name, role, ...(opd ? { opd } : {}) })).body.token;
  }
}, 30_000);
afterAll(async () => {
  await d?.close();
  cleanup?.();
});

describe('router config backups over HTTP (lab mode)', () => {
  it('backs up on demand, stores nothing new when unchanged, and diffs a change', async () => {
    const first = await call('POST', `/api/v1/routers/${R}/backups`, tokens.op);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ router: R, result: 'changed', version: 1, error: null });
    const again = await call('POST', `/api/v1/routers/${R}/backups`, tokens.op);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ result: 'unchanged', version: 1 });

    const sim = lab.sims.get(R);
    if (!sim) throw new Error('no lab router');
    sim.state.insert('/ip/dns/static', { name: 'sim.dinkes.example', address: '10.20.0.9', comment: 'hand-made' });
    const changed = await call('POST', `/api/v1/routers/${R}/backups`, tokens.op);
    expect(changed.body).toMatchObject({ result: 'changed', version: 2 });

    const list = await call('GET', `/api/v1/routers/${R}/backups`, tokens.viewer);
    expect(list.status).toBe(200);
    expect(list.body.versions.map((v: Json) => v.version)).toEqual([2, 1]);
    expect(list.body.versions[0]).toMatchObject({ linesAdded: 1, linesRemoved: 0, changedLines: 1 });
    expect(list.body.versions[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(list.body.hostKey.fingerprint).toBe(lab.ssh.get(R)?.fingerprint);
    expect(list.body.lastCheck).toMatchObject({ lastResult: 'ok' });

    const diff = await call('GET', `/api/v1/routers/${R}/backups/1/diff/2`, tokens.viewer);
    expect(diff.status).toBe(200);
    expect(diff.type).toContain('text/x-diff');
    expect(diff.text).toContain('+/ip dns static add address=10.20.0.9 comment=hand-made name=sim.dinkes.example');

    const text = await call('GET', `/api/v1/routers/${R}/backups/2`, tokens.dinkes);
    expect(text.status).toBe(200);
    expect(text.type).toContain('text/plain');
    expect(text.text).toContain('/system identity set name=dinkes-rtr01');
    expect(text.text).toMatch(/\/ppp secret add name=dinkes-rtr01-vpn password=\*\*\*masked:[0-9a-f]{10}\*\*\*/);
    expect(text.text).not.toContain('ppp-dinkes-rtr01-pw');
    expect(text.text).not.toContain('wifi dinkes-rtr01 pass');

    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(sample(metrics, 'simpul_backup_total', { router: R, result: 'changed' })).toBe(2);
    expect(sample(metrics, 'simpul_backup_total', { router: R, result: 'unchanged' })).toBe(1);
    expect(sample(metrics, 'simpul_backup_last_success_timestamp_seconds', { router: R })).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(sample(metrics, 'simpul_backup_host_key_mismatch', { router: R })).toBe(0);
    // the newest version's size, and the configured interval (0 here: on demand only)
    expect(list.body.versions[0].size).toBeGreaterThan(0);
    expect(sample(metrics, 'simpul_backup_size_bytes', { router: R })).toBe(list.body.versions[0].size);
    expect(metrics).toMatch(/^simpul_backup_interval_seconds 0$/m);
  });

  it('refuses a changed host key with 409 until a noc-admin re-pins it', async () => {
    const ssh = lab.ssh.get(R);
    if (!ssh) throw new Error('no lab SSH server');
    const rotated = await ssh.rotateHostKey();
    const refused = await call('POST', `/api/v1/routers/${R}/backups`, tokens.op);
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'HOST_KEY_CHANGED', result: 'host_key_changed' });
    expect(refused.body.detail).toContain(rotated);
    const list = await call('GET', `/api/v1/routers/${R}/backups`);
    expect(list.body.hostKey.refusedFingerprint).toBe(rotated);
    expect(list.body.versions).toHaveLength(2);
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(sample(metrics, 'simpul_backup_host_key_mismatch', { router: R })).toBe(1);
    expect(sample(metrics, 'simpul_backup_total', { router: R, result: 'host_key_changed' })).toBe(1);
    const audit = await call('GET', `/api/v1/audit?objectType=router&objectId=${R}&action=backup.host_key.refused`);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain(rotated);

    expect((await call('POST', `/api/v1/routers/${R}/host-key/reset`, tokens.op, { fingerprint: rotated })).status).toBe(403);
    expect((await call('POST', `/api/v1/routers/${R}/host-key/reset`, ADMIN, { fingerprint: 'nope' })).body.code).toBe('BAD_FINGERPRINT');
    expect((await call('POST', `/api/v1/routers/${R}/host-key/reset`, ADMIN, { extra: 1 })).status).toBe(400);
    const reset = await call('POST', `/api/v1/routers/${R}/host-key/reset`, ADMIN, { fingerprint: rotated });
    expect(reset.status).toBe(200);
    expect(reset.body.hostKey).toMatchObject({ fingerprint: rotated, refusedFingerprint: null });
    expect((await call('POST', `/api/v1/routers/${R}/backups`, tokens.op)).body).toMatchObject({ result: 'unchanged', version: 2 });
  });

  it('answers roles and bad ids with problems, never 500', async () => {
    expect((await call('POST', `/api/v1/routers/${R}/backups`, tokens.viewer)).status).toBe(403);
    expect((await call('POST', `/api/v1/routers/${R}/backups`, tokens.dinkes)).status).toBe(403);
    expect((await call('GET', `/api/v1/routers/${R}/backups`, tokens.bappeda)).status).toBe(404);
    expect((await call('GET', `/api/v1/routers/${R}/backups/1`, tokens.bappeda)).status).toBe(404);
    expect((await call('GET', `/api/v1/routers/${R}/backups/1/diff/2`, tokens.bappeda)).status).toBe(404);
    expect((await call('GET', `/api/v1/routers/${R}/backups`, 'not-a-token')).status).toBe(401);
    for (const path of [
      `/api/v1/routers/${R}/backups/abc`,
      `/api/v1/routers/${R}/backups/0`,
      `/api/v1/routers/${R}/backups/99999999999999999999`,
      `/api/v1/routers/${R}/backups/1/diff/x`,
      '/api/v1/routers/BAD_ID/backups',
    ]) {
      const r = await call('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.code, path).toBe('VALIDATION_FAILED');
    }
    expect((await call('GET', `/api/v1/routers/${R}/backups/77`)).status).toBe(404);
    expect((await call('GET', `/api/v1/routers/${R}/backups/1/diff/77`)).status).toBe(404);
    expect((await call('GET', '/api/v1/routers/no-such-router/backups')).status).toBe(404);
    // a switch is not a router
    expect((await call('POST', '/api/v1/routers/dinkes-sw01/backups')).status).toBe(404);
  });

  it('a router that is down fails alone, with a clear error', async () => {
    const other = 'bappeda-rtr01';
    const ssh = lab.ssh.get(other);
    if (!ssh) throw new Error('no lab SSH server');
    await ssh.stop();
    try {
      const r = await call('POST', `/api/v1/routers/${other}/backups`, tokens.op);
      expect(r.status).toBe(502);
      expect(r.body).toMatchObject({ code: 'BACKUP_FAILED', result: 'unreachable' });
      expect(r.body.detail).toContain('ECONNREFUSED');
      expect((await call('POST', `/api/v1/routers/${R}/backups`, tokens.op)).status).toBe(200);
      expect((await call('GET', `/api/v1/routers/${other}/backups`, tokens.bappeda)).body.lastCheck).toMatchObject({
        lastResult: 'unreachable',
        lastSuccessAt: null,
      });
    } finally {
      await ssh.start();
    }
  });
});
