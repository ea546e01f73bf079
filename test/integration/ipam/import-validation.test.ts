import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { simpulAsync as simpul } from '../../helpers/cli.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.stop());

const upload = async (body: string, type: string) => {
  const r = await d.api('/api/v1/ipam/import', { method: 'POST', body, headers: { 'content-type': type } });
  const text = await r.text();
  return { status: r.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as Json };
};
const count = (t: string) => d.services.store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
const HEADER = 'kind,prefix,address,pool,opd,purpose,scope,role,hostname,mac,device,description\n';
const BAD_NAME = 'bad\u0000name/<x>';

describe("IPAM import applies the API's own rules", () => {
  it('refuses a pool name, hostname or purpose the API refuses, in CSV, YAML and from the shell', async () => {
    const api = await d.api('/api/v1/pools', { method: 'POST', json: { name: BAD_NAME, scope: 'private', cidr: '10.60.0.0/24', role: 'opd-lan' } });
    expect(api.status).toBe(400);

    const csv = await upload(
      `${HEADER}pool,10.60.0.0/24,,"${BAD_NAME}",,,private,opd-lan,,,,\npool,10.61.0.0/24,,good,,,private,opd-lan,,,,\nprefix,10.61.0.0/26,,,DINKES,${'x'.repeat(201)},,,,,,\naddress,,10.61.0.1,,DINKES,,,,not a hostname,,,\n`,
      'text/csv',
    );
    expect(csv.status).toBe(422);
    expect(csv.body.applied).toBe(false);
    expect(csv.body.errors).toEqual([
      expect.objectContaining({ line: 2, code: 'VALIDATION_FAILED', field: 'pool' }),
      expect.objectContaining({ line: 4, code: 'VALIDATION_FAILED', field: 'purpose' }),
      expect.objectContaining({ line: 5, code: 'VALIDATION_FAILED', field: 'hostname' }),
    ]);

    const yaml = await upload(`pools:\n  - { pool: "bad\\0name/<x>", scope: private, cidr: 10.60.0.0/24, role: opd-lan }\n`, 'application/yaml');
    expect(yaml.status).toBe(422);
    expect(yaml.body.errors).toEqual([expect.objectContaining({ line: 2, code: 'VALIDATION_FAILED', field: 'pool' })]);
    // YAML keys are checked like the CSV header and the API's fields: a misspelt one is not dropped silently
    const typo = await upload('pools:\n  - { pool: ok, scope: private, cidr: 10.60.0.0/24, rol: opd-lan }\n', 'application/yaml');
    expect(typo.status).toBe(400);
    expect(typo.body).toMatchObject({ code: 'IMPORT_MALFORMED' });
    expect(typo.body.detail).toContain('"rol"');

    const file = join(d.dir, 'bad-name.csv');
    writeFileSync(file, `${HEADER}pool,10.60.0.0/24,,"${BAD_NAME}",,,private,opd-lan,,,,\n`);
    const cli = await simpul(['ipam', 'import', file], { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`${file}:2: VALIDATION_FAILED (pool)`);

    expect(count('ipam_pools')).toBe(0);
    expect(await (await fetch(d.url + '/metrics')).text()).not.toContain('\u0000');
  });

  it('a pool row without a name gets one the API accepts', async () => {
    const r = await upload(
      `${HEADER}pool,10.62.0.0/24,,,,,private,opd-lan,,,,LAN, kantor / gedung: baru\n`.replace('LAN, kantor / gedung: baru', '"LAN, kantor / gedung: baru"'),
      'text/csv',
    );
    expect(r.body).toMatchObject({ applied: true, counts: { pools: 1 } });
    const pools = (await (await d.api('/api/v1/pools')).json()) as Json[];
    expect(pools.find((p) => p.cidr === '10.62.0.0/24')?.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/);
  });

  it('lists the first 100 errors of 110,000 bad rows and counts the rest', async () => {
    const rows = 'prefix,10.0.0.0/33,,,DINKES,x,,,,,,\n'.repeat(110_000);
    const r = await upload(HEADER + rows, 'text/csv');
    expect(r.status).toBe(422);
    expect(r.body.errors).toHaveLength(100);
    expect(r.body.errors[0]).toMatchObject({ line: 2, code: 'CIDR_LENGTH_OUT_OF_RANGE' });
    expect(r.body.errors[99].line).toBe(101);
    expect(r.body.errorsNotListed).toBe(109_900);
    expect(r.bytes).toBeLessThan(64 * 1024);
  });
});
