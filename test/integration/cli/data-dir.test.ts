// The CLI next to lab mode: `npm start` keeps its database in ./data/lab while the CLI's default is
// ./data. A store command finds the lab's database and says so, or stops saying what to set; it
// never creates an empty database (issue 15 item 20).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { simpul, simpulDaemon } from '../../helpers/cli.js';
import { EXAMPLE_INVENTORY, tempDir } from '../../helpers/daemon.js';

const ADMIN = 'cli-test-admin-token-000000';
// whatever the machine running the tests has set, the defaults apply here
const env = { SIMPUL_INVENTORY: EXAMPLE_INVENTORY, SIMPUL_PORT: '0', SIMPUL_ADMIN_TOKEN: ADMIN, SIMPUL_DATA_DIR: '', SIMPUL_CONFIG: '' };

describe('the CLI and lab mode agree on the data directory', () => {
  it('token create next to a running lab daemon works on ./data/lab and leaves no ./data/simpul.db', async () => {
    const { dir, cleanup } = tempDir();
    const d = await simpulDaemon(['lab'], env, dir);
    try {
      expect(existsSync(join(dir, 'data/lab/simpul.db'))).toBe(true);
      const created = simpul(['token', 'create', '--role', 'opd-admin', '--opd', 'DINKES'], env, dir);
      expect(created.stderr).not.toContain('UNKNOWN_OPD');
      expect(created.status).toBe(0);
      expect(created.stderr).toContain("using lab mode's database in ./data/lab");
      const r = await fetch(`${d.url}/api/v1/opds`, { headers: { authorization: `Bearer ${created.stdout.trim()}` } });
      expect(((await r.json()) as { code: string }[]).map((o) => o.code)).toEqual(['DINKES']);
      expect(existsSync(join(dir, 'data/simpul.db'))).toBe(false);
    } finally {
      await d.stop();
      cleanup();
    }
  }, 90_000);

  it('with no database anywhere, a store command says what to set and creates nothing', () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const args of [
        ['token', 'list'],
        ['token', 'create', '--role', 'opd-admin', '--opd', 'DINKES'],
        ['audit', 'verify'],
      ]) {
        const r = simpul(args, env, dir);
        expect(r.status, args.join(' ')).toBe(2);
        expect(r.stderr).toContain('no database at data/simpul.db');
        expect(r.stderr).toContain('SIMPUL_DATA_DIR=./data/lab');
      }
      const mistyped = simpul(['token', 'list'], { ...env, SIMPUL_DATA_DIR: join(dir, 'var/lib/simpl') }, dir);
      expect(mistyped.status).toBe(2);
      expect(mistyped.stderr).toContain(`no database at ${join(dir, 'var/lib/simpl/simpul.db')} (from SIMPUL_DATA_DIR)`);
      expect(existsSync(join(dir, 'data'))).toBe(false);
      expect(existsSync(join(dir, 'var'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});
