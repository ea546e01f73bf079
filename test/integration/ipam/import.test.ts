import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { simpulAsync as simpul } from '../../helpers/cli.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.stop());

const upload = async (body: string, type: string, query = '') => {
  const r = await d.api(`/api/v1/ipam/import${query}`, { method: 'POST', body, headers: { 'content-type': type } });
  return { status: r.status, body: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const count = (t: string) => d.services.store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;

const GOOD = `kind,prefix,address,pool,opd,purpose,scope,role,hostname,mac,device,description
pool,10.40.0.0/16,,lan-import,,,private,opd-lan,,,,LAN OPD
pool,203.0.113.0/24,,public-import,,,public,public-service,,,,
# VLANs of BAPPEDA are listed before their parent, as spreadsheets do
prefix,10.40.2.0/26,,,BAPPEDA,VLAN 10 staf,,,,,,
prefix,10.40.2.0/24,,,BAPPEDA,LAN kantor,,,,,,
prefix,10.40.1.0/24,,,DINKES,LAN kantor,,,,,,
prefix,203.0.113.8/29,,,DISKOMINFO,server publik,,,,,,
address,,10.40.1.1,,DINKES,,,,rtr-dinkes,,dinkes-rtr01,gateway
address,,10.40.1.20,,,,,,pc-kabid,AA:BB:CC:DD:EE:01,,
address,,10.40.2.10,,BAPPEDA,,,,printer-lt1,,,
`;

describe('IPAM import', () => {
  it('imports a spreadsheet, parents before their VLANs, with a dry run first', async () => {
    const dry = await upload(GOOD, 'text/csv', '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, applied: false, counts: { pools: 2, prefixes: 4, addresses: 3 }, errors: [] });
    expect(count('ipam_pools')).toBe(0);
    const real = await upload(GOOD, 'text/csv');
    expect(real.body).toMatchObject({ applied: true, counts: { pools: 2, prefixes: 4, addresses: 3 } });
    const vlan = (await (await d.api('/api/v1/prefixes?opd=BAPPEDA')).json()) as { cidr: string; parentId: number | null }[];
    expect(vlan.find((p) => p.cidr === '10.40.2.0/26')?.parentId).not.toBeNull();
    const audit = (await (await d.api('/api/v1/audit?action=ipam.import')).json()) as unknown[];
    expect(audit).toHaveLength(1);
  });

  it('reports every bad line with its number and imports nothing', async () => {
    const before = [count('ipam_pools'), count('ipam_prefixes'), count('ipam_addresses'), count('audit_log')];
    const bad = `kind,prefix,address,pool,opd,purpose,scope,role,hostname,mac,device,description
prefix,10.40.3.0/24,,,DISDIK,LAN,,,,,,
prefix,10.40.4.0/33,,,DISDIK,LAN,,,,,,
prefix,10.40.5.1/24,,,DISDIK,LAN,,,,,,
prefix,10.99.0.0/24,,,DISDIK,LAN,,,,,,
prefix,10.40.1.128/25,,,BAPPEDA,LAN,,,,,,
prefix,10.40.1.0/24,,,DINKES,LAN,,,,,,
prefix,10.40.6.0/24,,,NOSUCH,LAN,,,,,,
prefix,10.40.3.0/24,,,DISDIK,LAN again,,,,,,
prefix,2001:db8::/64,,lan-import,DISDIK,LAN,,,,,,
address,,10.77.0.1,,,,,,,,,
address,,10.40.1.20,,,,,,,,,
address,,10.40.2.10,,DINKES,,,,,,,
banana,,,,,,,,,,,
`;
    const r = await upload(bad, 'text/csv');
    expect(r.status).toBe(422);
    expect(r.body.applied).toBe(false);
    const byLine = Object.fromEntries((r.body.errors as { line: number; code: string; message: string }[]).map((e) => [e.line, e]));
    expect(byLine[3]).toMatchObject({ code: 'CIDR_LENGTH_OUT_OF_RANGE' });
    expect(byLine[4]).toMatchObject({ code: 'CIDR_HOST_BITS_SET' });
    expect(byLine[4]?.message).toContain('did you mean 10.40.5.0/24');
    expect(byLine[5]).toMatchObject({ code: 'OUTSIDE_POOLS' });
    expect(byLine[6]).toMatchObject({ code: 'OTHER_OWNER' });
    expect(byLine[6]?.message).toContain('belongs to DINKES');
    expect(byLine[7]).toMatchObject({ code: 'DUPLICATE' });
    expect(byLine[8]).toMatchObject({ code: 'UNKNOWN_OPD' });
    expect(byLine[9]).toMatchObject({ code: 'DUPLICATE' });
    expect(byLine[10]).toMatchObject({ code: 'FAMILY_MISMATCH' });
    expect(byLine[11]).toMatchObject({ code: 'OUTSIDE_PREFIXES' });
    expect(byLine[12]).toMatchObject({ code: 'ADDRESS_TAKEN' });
    expect(byLine[13]).toMatchObject({ code: 'OTHER_OWNER' });
    expect(byLine[14]).toMatchObject({ code: 'UNKNOWN_KIND' });
    expect(byLine[2]).toBeUndefined();
    expect([count('ipam_pools'), count('ipam_prefixes'), count('ipam_addresses'), count('audit_log')]).toEqual(before);
    // the mirror was dropped with the rollback: allocation still sees 10.40.3.0 as free
    const next = await d.api(`/api/v1/pools/1/allocations`, { method: 'POST', json: { opd: 'DISDIK', purpose: 'x', prefix: '10.40.3.0/24' } });
    expect(next.status).toBe(201);
  });

  it('reads YAML, refuses aliases, malformed files, junk and oversized bodies with clear 4xx', async () => {
    const yaml = `pools:\n  - { name: loop, scope: private, cidr: 10.50.0.0/24, role: loopback }\nallocations:\n  - { prefix: 10.50.0.0/32, opd: DISKOMINFO, purpose: loopback core }\n`;
    const ok = await upload(yaml, 'application/yaml');
    expect(ok.body).toMatchObject({ applied: true, counts: { pools: 1, prefixes: 1 } });
    const alias = await upload('pools:\n  - &p { name: a, scope: private, cidr: 10.60.0.0/24 }\nallocations:\n  - *p\n', 'application/yaml');
    expect(alias.status).toBe(400);
    expect(alias.body.code).toBe('IMPORT_MALFORMED');
    expect((await upload('kind,prefix\n"unclosed,10.0.0.0/8\n', 'text/csv')).body.code).toBe('IMPORT_MALFORMED');
    expect((await upload('kind,colour\npool,red\n', 'text/csv')).body).toMatchObject({ status: 400, code: 'IMPORT_MALFORMED' });
    expect((await upload('\u0000\u0001\u00ff binary junk \u0000', 'text/csv')).status).toBe(400);
    expect((await upload('a: [\n', 'application/yaml')).body.code).toBe('IMPORT_MALFORMED');
    expect((await upload('x', 'application/octet-stream')).status).toBe(415);
    const huge = 'kind,prefix\n' + 'prefix,10.0.0.0/8\n'.repeat(2_000_000);
    expect((await upload(huge, 'text/csv')).status).toBe(413);
  });

  it('simpul ipam import runs the same checks from the shell, through the daemon', async () => {
    const file = join(d.dir, 'sheet.csv');
    writeFileSync(file, 'kind,prefix,opd,purpose\nprefix,10.40.9.0/24,DPUPR,LAN\nprefix,10.40.9.0/33,DPUPR,LAN\n');
    const env = { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN };
    const bad = await simpul(['ipam', 'import', file], env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${file}:3: CIDR_LENGTH_OUT_OF_RANGE (prefix)`);
    writeFileSync(file, 'kind,prefix,opd,purpose\nprefix,10.40.9.0/24,DPUPR,LAN\n');
    const dry = await simpul(['ipam', 'import', file, '--dry-run'], env);
    expect(dry.stdout).toContain('dry run OK: would import 0 pools, 1 prefixes, 0 addresses');
    const real = await simpul(['ipam', 'import', file], env);
    expect(real.status).toBe(0);
    expect(d.services.ipam.listPrefixes({ id: 't', role: 'viewer', opd: null }, { opd: 'DPUPR' }).map((p) => p.cidr)).toContain('10.40.9.0/24');
  });
});
