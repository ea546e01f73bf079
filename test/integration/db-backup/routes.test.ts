// The database backup API over a dir target: roles, bad input as problems, no target as 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDaemon, tempDir, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
let bare: TestDaemon;
let drc: { dir: string; cleanup: () => void };

beforeAll(async () => {
  drc = tempDir('simpul-drc-');
  mkdirSync(join(drc.dir, 'share'));
  d = await startTestDaemon({
    config: { log: { level: 'warn' }, backup: { database: { intervalHours: 0, restoreTestHours: 0, target: { type: 'dir', path: join(drc.dir, 'share') } } } },
  });
  bare = await startTestDaemon({ config: { log: { level: 'warn' } } });
});
afterAll(async () => {
  await d.stop();
  await bare.stop();
  drc.cleanup();
});

const call = async (t: TestDaemon, path: string, init: { method?: string; json?: unknown; token?: string } = {}) => {
  const r = await t.api(path, init);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Json };
};
const token = async (role: string) => (await call(d, '/api/v1/tokens', { method: 'POST', json: { name: role, role } })).body.token as string;

describe('database backup API', () => {
  it('a noc-admin backs up to the dir target, lists it, tests it; an operator may test, not create; a viewer neither', async () => {
    const [op, viewer] = [await token('noc-operator'), await token('viewer')];
    expect((await call(d, '/api/v1/backups', { method: 'POST', token: op })).status).toBe(403);
    const b = await call(d, '/api/v1/backups', { method: 'POST' });
    expect(b.status).toBe(201);
    expect(readdirSync(join(drc.dir, 'share'))).toEqual([b.body.file]);
    const t = await call(d, '/api/v1/backups/restore-tests', { method: 'POST', json: {}, token: op });
    expect(t.body).toMatchObject({ backupId: b.body.id, ok: true });
    expect((await call(d, '/api/v1/backups', { token: viewer })).status).toBe(403);
    const list = await call(d, '/api/v1/backups', { token: op });
    expect(list.body).toMatchObject({ target: `dir:${join(drc.dir, 'share')}`, backups: [{ id: b.body.id, state: 'stored', restoreTests: [{ ok: true }] }] });
    expect((await call(d, `/api/v1/backups/${b.body.id}`)).body.id).toBe(b.body.id);
    const metrics = await (await d.api('/metrics')).text();
    expect(metrics).toMatch(/^simpul_db_restore_test_ok 1$/m);
    expect(metrics).toMatch(/^simpul_db_restore_test_failures_total 0$/m);
  });

  it('answers bad input with problems, never 500', async () => {
    const bad = await call(d, '/api/v1/backups/..%2Fetc');
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((await call(d, '/api/v1/backups/20261123T010000Z-abcdef')).status).toBe(404);
    expect((await call(d, '/api/v1/backups/restore-tests', { method: 'POST', json: { backupId: 'x' } })).status).toBe(400);
    expect((await call(d, '/api/v1/backups/restore-tests', { method: 'POST', json: { backupId: '20261123T010000Z-abcdef' } })).status).toBe(404);
    expect((await call(d, '/api/v1/backups/restore-tests', { method: 'POST', json: { extra: 1 } })).status).toBe(400);
  });

  it('without a target: 409 naming the config key, and no backup metrics', async () => {
    const r = await call(bare, '/api/v1/backups', { method: 'POST' });
    expect(r).toMatchObject({ status: 409, body: { code: 'NO_BACKUP_TARGET' } });
    expect(r.body.detail).toMatch(/backup\.database\.target/);
    expect((await call(bare, '/api/v1/backups')).body).toMatchObject({ target: null, backups: [] });
    expect(await (await bare.api('/metrics')).text()).not.toMatch(/simpul_db_backup/);
  });
});
