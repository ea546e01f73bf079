import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpul, simpulDaemon } from '../../helpers/cli.js';
import { copyInventory, EXAMPLE_INVENTORY, tempDir } from '../../helpers/daemon.js';

const hasSqliteShell = (() => {
  try {
    execFileSync('sqlite3', ['-version']);
    return true;
  } catch {
    return false;
  }
})();

describe('simpul CLI', () => {
  it('inventory check passes the example and fails with file:line on a broken copy', () => {
    const ok = simpul(['inventory', 'check', EXAMPLE_INVENTORY]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/34 OPDs, 35 sites, \d+ devices, 36 links: OK/);
    const { dir } = tempDir();
    const inv = copyInventory(dir);
    const f = join(inv, 'backbone.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('device: dinkes-rtr01', 'device: dinkes-rtr99'));
    const bad = simpul(['inventory', 'check', inv]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/backbone\.yaml:\d+ \(links\.\d+\.b\.device\): link end b names unknown device 'dinkes-rtr99'/);
    expect(bad.stderr).toMatch(/1 problem\(s\)/);
  });

  it('a config error stops the command with the key named', () => {
    const r = simpul(['inventory', 'check'], { SIMPUL_PORT: 'http' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("SIMPUL_PORT: must be a whole number, got 'http'");
  });

  it('token create prints a token the running daemon accepts; audit verify names a row edited in the sqlite3 shell', async () => {
    const { dir } = tempDir();
    const env = {
      SIMPUL_DATA_DIR: join(dir, 'data'),
      SIMPUL_INVENTORY: EXAMPLE_INVENTORY,
      SIMPUL_PORT: '0',
      SIMPUL_ADMIN_TOKEN: 'cli-test-admin-token-000000',
    };
    const d = await simpulDaemon(['serve'], env);
    try {
      const created = simpul(['token', 'create', '--role', 'opd-admin', '--opd', 'DINKES', '--name', 'Admin Dinkes'], env);
      expect(created.status).toBe(0);
      const tok = created.stdout.trim();
      expect(tok).toMatch(/^spl_[A-Za-z0-9_-]{43}$/);
      const r = await fetch(`${d.url}/api/v1/opds`, { headers: { authorization: `Bearer ${tok}` } });
      expect(((await r.json()) as { code: string }[]).map((o) => o.code)).toEqual(['DINKES']);
      expect(simpul(['token', 'create', '--role', 'opd-admin'], env).stderr).toContain('OPD_REQUIRED');

      const ok = simpul(['audit', 'verify'], env);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toMatch(/audit log intact: \d+ entries/);

      const db = join(dir, 'data', 'simpul.db');
      const sql = `UPDATE audit_log SET after_json = replace(after_json, 'Dinas Kesehatan', 'Dinas Kesenian') WHERE action = 'inventory.add' AND object_id = 'DINKES'`;
      if (hasSqliteShell) execFileSync('sqlite3', [db, sql]);
      else new Database(db).exec(sql);
      const seq = new Database(db, { readonly: true })
        .prepare(`SELECT seq FROM audit_log WHERE object_id = 'DINKES' AND action = 'inventory.add'`)
        .pluck()
        .get();
      const broken = simpul(['audit', 'verify'], env);
      expect(broken.status).toBe(1);
      expect(broken.stderr).toContain(`audit log BROKEN at entry ${seq}: content does not match its hash (the entry was edited)`);
      const api = await fetch(`${d.url}/api/v1/audit/verify`, { headers: { authorization: 'Bearer cli-test-admin-token-000000' } });
      expect(await api.json()).toMatchObject({ ok: false, firstBroken: { seq } });
    } finally {
      await d.stop();
    }
  });

  it('SIGHUP reloads the inventory as an audited sync; a broken inventory keeps the old one', async () => {
    const { dir } = tempDir();
    const inv = copyInventory(dir);
    const env = { SIMPUL_DATA_DIR: join(dir, 'data'), SIMPUL_INVENTORY: inv, SIMPUL_PORT: '0', SIMPUL_ADMIN_TOKEN: 'cli-test-admin-token-000000' };
    const d = await simpulDaemon(['serve'], env);
    const get = async (p: string) => (await fetch(d.url + p, { headers: { authorization: 'Bearer cli-test-admin-token-000000' } })).json();
    const waitFor = async (pred: () => Promise<boolean>) => {
      for (let i = 0; i < 100; i++) {
        if (await pred()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('condition not reached:\n' + d.output());
    };
    try {
      const f = join(inv, 'opds/DINSOS.yaml');
      writeFileSync(
        f,
        readFileSync(f, 'utf8').replace('name: "Dinas Sosial"', 'name: "Dinas Sosial dan Pemberdayaan"') +
          '  - id: dinsos-ap02\n    name: "Access point DINSOS 2"\n    role: ap\n    vendor: MikroTik\n    model: cAP ax\n    site: dinsos-hq\n    mgmt: 10.255.14.12\n',
      );
      d.proc.kill('SIGHUP');
      await waitFor(async () => ((await get('/api/v1/devices?opd=DINSOS')) as unknown[]).length === 4);
      const audit = (await get('/api/v1/audit?objectId=dinsos-ap02')) as { action: string; actor: { id: string } }[];
      expect(audit[0]).toMatchObject({ action: 'inventory.add', actor: { id: 'system:inventory' } });
      const change = (await get('/api/v1/audit?objectId=DINSOS&action=inventory.change')) as { before: { name: string }; after: { name: string } }[];
      expect(change[0]).toMatchObject({ before: { name: 'Dinas Sosial' }, after: { name: 'Dinas Sosial dan Pemberdayaan' } });

      writeFileSync(f, 'opd: [broken\n');
      d.proc.kill('SIGHUP');
      await waitFor(async () => d.output().includes('keeping the previous one'));
      expect(((await get('/api/v1/devices?opd=DINSOS')) as unknown[]).length).toBe(4);
      expect(existsSync(join(dir, 'data', 'simpul.db'))).toBe(true);
    } finally {
      await d.stop();
    }
  });
});
