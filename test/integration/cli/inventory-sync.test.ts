import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, copyInventory, startTestDaemon, tempDir, type TestDaemon } from '../../helpers/daemon.js';
import { simpulAsync } from '../../helpers/cli.js';

let d: TestDaemon;
let inv: string;
const extra = tempDir();
beforeAll(async () => {
  inv = copyInventory(extra.dir);
  d = await startTestDaemon({ config: { inventory: inv } });
});
afterAll(async () => {
  await d.stop();
  extra.cleanup();
});

const env = () => ({ SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN });
const dinkesName = async () => ((await (await d.api('/api/v1/opds/DINKES')).json()) as { name: string }).name;

describe('simpul inventory sync, through the running daemon', () => {
  it('the daemon loads the edited files at once (no SIGHUP), as the one writer, and the audit names who asked', async () => {
    const f = join(inv, 'opds/DINKES.yaml');
    const before = readFileSync(f, 'utf8');
    writeFileSync(f, before.replace('name: "Dinas Kesehatan"', 'name: "Dinas Kesehatan Kabupaten (diubah)"'));
    const r = await simpulAsync(['inventory', 'sync'], env());
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ opds: { changed: 1 } });
    expect(await dinkesName()).toBe('Dinas Kesehatan Kabupaten (diubah)');
    const audit = (await (await d.api('/api/v1/audit?objectType=opd&objectId=DINKES')).json()) as { action: string; actor: { id: string } }[];
    expect(audit[0]).toMatchObject({ action: 'inventory.change', actor: { id: 'admin-token' } });
  });

  it('an invalid inventory is refused with every problem as file:line; the daemon keeps the previous one', async () => {
    const f = join(inv, 'backbone.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('device: dinkes-rtr01', 'device: dinkes-rtr99'));
    const r = await simpulAsync(['inventory', 'sync'], env());
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/backbone\.yaml:\d+ \(links\.\d+\.b\.device\): link end b names unknown device 'dinkes-rtr99'/);
    expect(await dinkesName()).toBe('Dinas Kesehatan Kabupaten (diubah)');
    const noc = await d.api('/api/v1/inventory/reload', { method: 'POST' });
    expect(noc.status).toBe(422);
    expect(await noc.json()).toMatchObject({
      code: 'INVENTORY_INVALID',
      problems: [expect.objectContaining({ file: expect.stringContaining('backbone.yaml'), line: expect.any(Number) })],
    });
  });

  it('is refused to anyone but a noc-admin, and says so when no daemon answers', async () => {
    const op = ((await (await d.api('/api/v1/tokens', { method: 'POST', json: { name: 'op', role: 'noc-operator' } })).json()) as { token: string }).token;
    expect((await d.api('/api/v1/inventory/reload', { method: 'POST', token: op })).status).toBe(403);
    const r = await simpulAsync(['inventory', 'sync'], { SIMPUL_URL: 'http://127.0.0.1:9', SIMPUL_TOKEN: ADMIN });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is it running?');
  });
});
