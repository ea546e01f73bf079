import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../../src/config/load.js';
import { ROOT, tempDir } from '../../helpers/daemon.js';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

function withFile(yaml: string): string {
  const { dir } = tempDir();
  const f = join(dir, 'simpul.yaml');
  writeFileSync(f, yaml);
  return f;
}

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: './data', inventory: './inventory', timezone: 'Asia/Jakarta' });
    expect(c.adminToken).toBeUndefined();
  });

  it('loads the documented example config', () => {
    const c = loadConfig({ file: join(ROOT, 'deploy/simpul.example.yaml'), env: {} });
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', auth: { defaultTokenTtlDays: 365 }, credentials: {} });
  });

  it('lets the environment override the file', () => {
    const f = withFile('port: 9000\nhost: 0.0.0.0\n');
    const c = loadConfig({
      file: f,
      env: { SIMPUL_PORT: '9100', SIMPUL_DATA_DIR: '/var/lib/simpul', SIMPUL_INVENTORY: '/etc/simpul/inventory', SIMPUL_ADMIN_TOKEN: 'x'.repeat(20) },
    });
    expect(c).toMatchObject({ host: '0.0.0.0', port: 9100, dataDir: '/var/lib/simpul', inventory: '/etc/simpul/inventory', adminToken: 'x'.repeat(20) });
  });

  it('names the environment variable that is wrong', () => {
    expect(problemsOf(() => loadConfig({ env: { SIMPUL_PORT: 'eighty' } }))).toEqual(["SIMPUL_PORT: must be a whole number, got 'eighty'"]);
    expect(problemsOf(() => loadConfig({ env: { SIMPUL_PORT: '70000' } }))[0]).toMatch(/^port \(from SIMPUL_PORT\): .*65535.*70000/);
  });

  it('names unknown and mistyped keys, all at once', () => {
    const f = withFile('prot: 8080\nlog:\n  level: loud\nhttp:\n  bodyLimitBytes: "big"\n');
    const ps = problemsOf(() => loadConfig({ file: f, env: {} }));
    expect(ps).toContain('prot: unknown key (check its spelling against deploy/simpul.example.yaml)');
    expect(ps.some((p) => p.startsWith('log.level: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'))).toBe(true);
    expect(ps.some((p) => p.startsWith('http.bodyLimitBytes:'))).toBe(true);
  });

  it('refuses a secret written into the config file', () => {
    const f = withFile('credentials:\n  mikrotik-opd:\n    username: simpul\n    password: hunter2\n');
    expect(problemsOf(() => loadConfig({ file: f, env: {} }))).toEqual([
      'credentials.mikrotik-opd.password: a secret must not be written in the config file; use { env: VARIABLE } or { file: /path/to/secret }',
    ]);
    const ok = withFile('credentials:\n  mikrotik-opd:\n    username: simpul\n    password: { env: MT_PASS }\n');
    expect(loadConfig({ file: ok, env: {} }).credentials['mikrotik-opd']).toEqual({ username: 'simpul', password: { env: 'MT_PASS' } });
  });

  it('names a misspelt credential field by its path (issue 15 item 5)', () => {
    const f = withFile(
      'credentials:\n  mikrotik-opd:\n    usernme: simpul\n    pasword: { env: MT_PASS }\n  snmp-core:\n    user: simpul\n    authKey: { file: /etc/simpul/k }\n    privkey: { file: /etc/simpul/p }\n',
    );
    const ps = problemsOf(() => loadConfig({ file: f, env: {} }));
    expect(ps.map((p) => p.split(':')[0])).toEqual(['credentials.mikrotik-opd.usernme', 'credentials.mikrotik-opd.pasword', 'credentials.snmp-core.privkey']);
    expect(ps[0]).toMatch(/unknown key .*allowed here: username, user, password/);
    // every field the example config documents still loads
    const ok = withFile(
      'credentials:\n  a:\n    username: u\n    password: { env: P }\n    caFile: /ca.pem\n  b:\n    user: u\n    authProtocol: sha256\n    authKey: { env: A }\n    privProtocol: aes\n    privKey: { env: B }\n  c:\n    community: { file: /c }\n  d:\n    username: u\n    privateKey: { file: /k }\n    passphrase: { env: K }\n',
    );
    expect(Object.keys(loadConfig({ file: ok, env: {} }).credentials)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('stops on a missing file, bad YAML, a short admin token and an unknown zone', () => {
    expect(problemsOf(() => loadConfig({ file: '/nonexistent/simpul.yaml', env: {} }))[0]).toMatch(/does not exist/);
    expect(problemsOf(() => loadConfig({ file: withFile('port: [\n'), env: {} }))[0]).toMatch(/simpul\.yaml/);
    expect(problemsOf(() => loadConfig({ file: withFile('- a\n- b\n'), env: {} }))[0]).toMatch(/top level must be a mapping/);
    expect(problemsOf(() => loadConfig({ env: { SIMPUL_ADMIN_TOKEN: 'short' } }))[0]).toMatch(/SIMPUL_ADMIN_TOKEN: must be at least 16/);
    expect(problemsOf(() => loadConfig({ env: { SIMPUL_TIMEZONE: 'Mars/Olympus' } }))[0]).toMatch(/timezone: 'Mars\/Olympus' is not an IANA/);
  });

  it('refuses YAML aliases (no billion laughs in a config file)', () => {
    const f = withFile('a: &a [1,2]\nb: *a\n');
    expect(() => loadConfig({ file: f, env: {} })).toThrow(ConfigError);
  });
});
