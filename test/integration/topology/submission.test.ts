// What counts as an office's yearly LAN diagram (issue 15, items 2, 13 and 15): a blank or foreign
// diagram is refused, another office's devices are never named to an opd-admin, the same file is
// stored once, and a mistaken upload can be withdrawn.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let d: TestDaemon;
const tokens: Record<string, string> = {};
const example = (name: string) => readFileSync(join(ROOT, 'topology', name));

async function call(
  path: string,
  init: { method?: string; json?: unknown; body?: RequestInit['body']; token?: string; headers?: Record<string, string> } = {},
) {
  const r = await d.api(path, init);
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, type, headers: r.headers, text, body: (type.includes('json') && text ? JSON.parse(text) : null) as Json };
}
const upload = (opd: string, body: RequestInit['body'], opts: { type?: string; token?: string; lang?: string } = {}) =>
  call(`/api/v1/opds/${opd}/diagrams`, {
    method: 'POST',
    body,
    token: opts.token,
    headers: { 'content-type': opts.type ?? 'application/xml', ...(opts.lang ? { 'accept-language': opts.lang } : {}) },
  });
const withdraw = (opd: string, version: number, token?: string) => call(`/api/v1/opds/${opd}/diagrams/${version}/withdraw`, { method: 'POST', token });
const row = async (opd: string) => ((await call('/api/v1/compliance')).body.opds as Json[]).find((o) => o.opd === opd)!;
const count = (sql: string, ...args: unknown[]) =>
  d.services.store.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;
const stored = (opd: string) => count('SELECT count(*) FROM diagram_versions WHERE opd = ?', opd);
const audits = () => count('SELECT count(*) FROM audit_log');

/** What draw.io saves for File > New > Blank diagram: one page, only the two root cells. */
const BLANK_DRAWIO = `<mxfile host="app.diagrams.net" agent="Mozilla/5.0" version="24.7.17">
  <diagram name="Page-1" id="qv0xY1n2">
    <mxGraphModel dx="1434" dy="794" grid="1" gridSize="10" guides="1" tooltips="1" connect="1" arrows="1" fold="1" page="1" pageScale="1" pageWidth="827" pageHeight="1169" math="0" shadow="0">
      <root>
        <mxCell id="0" />
        <mxCell id="1" parent="0" />
      </root>
    </mxGraphModel>
  </diagram>
</mxfile>
`;

const yaml = (opd: string, nodes: string[], links: string[] = []) =>
  ['format: simpul-topology/1', `opd: ${opd}`, 'nodes:', ...nodes, links.length ? 'links:' : 'links: []', ...links].join('\n') + '\n';
const node = (id: string, mgmt: string, extra = '') => `  - { id: ${id}, mgmt: ${mgmt}${extra} }`;

const IPAM_CSV = [
  'kind,prefix,address,pool,opd,purpose,scope,role,hostname,mac,device,description',
  'pool,10.255.0.0/16,,management,,,private,management,,,,',
  'prefix,10.255.10.0/24,,,DINKES,management,,,,,,',
  'prefix,10.255.4.0/24,,,BAPPEDA,management,,,,,,',
  'prefix,10.255.5.0/24,,,BPKAD,management,,,,,,',
].join('\n');

beforeAll(async () => {
  d = await startTestDaemon();
  expect((await call('/api/v1/ipam/import', { method: 'POST', body: IPAM_CSV, headers: { 'content-type': 'text/csv' } })).status).toBe(200);
  for (const [name, role, opd] of [
    ['dinkes', 'opd-admin', 'DINKES'],
    ['bappeda', 'opd-admin', 'BAPPEDA'],
    ['viewer', 'viewer', undefined],
  ] as const) {
    const r = await call('/api/v1/tokens', { method: 'POST', json: { name, role, ...(opd ? { opd } : {}) } });
    expect(r.status).toBe(201);
    tokens[name] = r.body.token;
  }
});
afterAll(() => d.stop());

describe('item 2: a diagram without the office network is not the yearly submission', () => {
  it("draw.io's blank diagram is refused (422 DIAGRAM_NO_DEVICES), nothing is stored, the office stays overdue", async () => {
    const before = audits();
    const r = await upload('DINKES', BLANK_DRAWIO, { token: tokens.dinkes, lang: 'en' });
    expect(r.status).toBe(422);
    expect(r.type).toMatch(/problem\+json/);
    expect(r.body.code).toBe('DIAGRAM_NO_DEVICES');
    expect(r.body.detail).toMatch(/no device/);
    expect(r.body.message.id).toMatch(/tidak memuat satu pun perangkat/);
    expect(stored('DINKES')).toBe(0);
    expect(audits()).toBe(before);
    expect(await row('DINKES')).toMatchObject({ version: null, overdue: true });
  });

  it("a diagram with devices but none of the office's routers and switches is refused (422 DIAGRAM_NO_OPD_DEVICES)", async () => {
    // Only access points, and a shape nobody gave a device id.
    const r = await upload('DINKES', yaml('DINKES', [node('dinkes-ap01', '10.255.10.11'), '  - { id: pc-ruang-1, name: "PC Ruang 1" }']), {
      type: 'application/yaml',
      token: tokens.dinkes,
      lang: 'en',
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('DIAGRAM_NO_OPD_DEVICES');
    expect(r.body.detail).toContain('dinkes-rtr01');
    expect(stored('DINKES')).toBe(0);
    expect(await row('DINKES')).toMatchObject({ version: null, overdue: true });
  });

  it("the office's own diagram counts: 201 and compliant", async () => {
    const r = await upload('DINKES', example('DINKES.drawio'), { token: tokens.dinkes });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ unchanged: false, version: { version: 1, withdrawn: false, withdrawnAt: null } });
    expect(await row('DINKES')).toMatchObject({ version: 1, overdue: false });
  });
});

describe("item 13: another office's diagram and devices", () => {
  it("an opd-admin uploading another office's diagram is refused without naming that office; it does not count", async () => {
    const before = { dinkes: stored('DINKES'), audit: audits(), row: await row('DINKES') };
    for (const lang of ['en', 'id']) {
      const r = await upload('DINKES', example('BAPPEDA.drawio'), { token: tokens.dinkes, lang });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('DIAGRAM_MOSTLY_OTHER_OPD');
      expect(r.text).not.toMatch(/bappeda/i);
      expect(r.body.message.en).toContain("not your office's devices");
      expect(r.body.message.id).toContain('bukan perangkat kantor Anda');
    }
    expect(stored('DINKES')).toBe(before.dinkes);
    expect(audits()).toBe(before.audit);
    expect(await row('DINKES')).toEqual(before.row);
    // The NOC is held to the same rule: BAPPEDA's drawing is not DINKES' submission.
    expect((await upload('DINKES', example('BAPPEDA.drawio'))).body.code).toBe('DIAGRAM_MOSTLY_OTHER_OPD');
  });

  it("a few outside devices (the uplink) are fine, but an opd-admin reads them as 'not one of your office's devices'", async () => {
    const body = yaml(
      'DINKES',
      [node('dinkes-rtr01', '10.255.10.1'), node('dinkes-sw01', '10.255.10.2'), node('bappeda-sw01', '10.255.4.2', ', name: "Switch tetangga"')],
      [
        '  - { id: c1, a: "dinkes-rtr01:ether2", b: "dinkes-sw01:1", label: "DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1" }',
        '  - { id: c2, a: "dinkes-rtr01:ether8", b: "bappeda-sw01:24", label: "DINKES.L1R01.RTR01:ether8/BAPPEDA.L1R01.SW01:24" }',
        // No label (the suggestion would name the owner and room) and a port the device lacks (its port list).
        '  - { id: c3, a: "dinkes-sw01:48", b: "bappeda-sw01:23" }',
        '  - { id: c4, a: "dinkes-sw01:47", b: "bappeda-sw01:99", label: "DINKES.L1R01.SW01:47/BAPPEDA.L1R01.SW01:99" }',
      ],
    );
    const r = await upload('DINKES', body, { type: 'application/yaml', token: tokens.dinkes, lang: 'en' });
    expect(r.status).toBe(201);
    const v = r.body.version.version as number;
    const foreign = (rep: Json) => (rep.findings as Json[]).filter((f) => f.element === 'bappeda-sw01' && String(f.code).startsWith('DIAGRAM_DEVICE'));
    for (const lang of ['en', 'id']) {
      const own = await call(`/api/v1/opds/DINKES/diagrams/${v}`, { token: tokens.dinkes, headers: { 'accept-language': lang } });
      expect(own.status).toBe(200);
      expect(foreign(own.body.report)).toMatchObject([{ code: 'DIAGRAM_DEVICE_NOT_OURS', severity: 'info' }]);
      const f = foreign(own.body.report)[0]!;
      expect(f.messages.en).toContain("is not one of your office's devices");
      expect(f.messages.id).toContain('bukan perangkat kantor Anda');
      const about = (el: string, code: string) => (own.body.report.findings as Json[]).find((x) => x.element === el && x.code === code)!;
      expect(JSON.stringify(about('c3', 'LABEL_MISSING').messages)).not.toMatch(/BAPPEDA|L1R01\.SW01:23/);
      expect(JSON.stringify(about('c4', 'DIAGRAM_PORT_UNKNOWN').messages)).not.toMatch(/1-24/);
      expect(JSON.stringify(about('c4', 'LABEL_PORT_UNKNOWN').messages)).not.toMatch(/1-24/);
      // Only what the office wrote itself (c2's and c4's labels) may carry the other code.
      const written = (own.body.report.findings as Json[]).filter((x) => !['c2', 'c4'].includes(x.element));
      expect(JSON.stringify(written)).not.toContain('BAPPEDA');
      expect(JSON.stringify(own.body.report)).not.toMatch(/registered to|terdaftar milik/);
      const svg = await call(`/api/v1/opds/DINKES/diagrams/${v}.svg`, { token: tokens.dinkes, headers: { 'accept-language': lang } });
      expect(svg.text).not.toMatch(/registered to|terdaftar milik/);
    }
    expect(foreign(r.body.report)[0]).toMatchObject({ code: 'DIAGRAM_DEVICE_NOT_OURS' });
    // The NOC sees all offices and reads the owner.
    const noc = await call(`/api/v1/opds/DINKES/diagrams/${v}`, { headers: { 'accept-language': 'en' } });
    expect(foreign(noc.body.report)).toMatchObject([{ code: 'DIAGRAM_DEVICE_OTHER_OPD' }]);
    expect(foreign(noc.body.report)[0]!.message).toContain('registered to BAPPEDA');
    const nocAbout = (el: string, code: string) => (noc.body.report.findings as Json[]).find((x) => x.element === el && x.code === code)!;
    expect(nocAbout('c3', 'LABEL_MISSING').message).toContain('BAPPEDA.L1R01.SW01:23');
    expect(nocAbout('c4', 'DIAGRAM_PORT_UNKNOWN').message).toContain('1-24');
    expect(nocAbout('c4', 'LABEL_PORT_UNKNOWN').message).toContain('1-24');
    // The label check: an opd-admin is not shown another office's ports either; the NOC is.
    const label = ['DINKES.L1R01.SW01:47/BAPPEDA.L1R01.SW01:99'];
    const mine = await call('/api/v1/labels/validate', { method: 'POST', json: { labels: label }, token: tokens.dinkes, headers: { 'accept-language': 'en' } });
    const issue = (mine.body.labels[0].issues as Json[]).find((i) => i.code === 'LABEL_PORT_UNKNOWN')!;
    expect(issue.message).toContain("Port '99' does not exist on device SW01");
    expect(issue.message).not.toContain('1-24');
    const all = await call('/api/v1/labels/validate', { method: 'POST', json: { labels: label }, headers: { 'accept-language': 'en' } });
    expect((all.body.labels[0].issues as Json[]).find((i) => i.code === 'LABEL_PORT_UNKNOWN')!.message).toContain('1-24');
  });
});

describe('item 15: the same file once; withdrawing a mistaken upload', () => {
  it('the same file again answers 200 with the existing version and stores nothing', async () => {
    const first = await upload('BPKAD', example('BPKAD.yaml'), { type: 'application/yaml' });
    expect(first.status).toBe(201);
    const before = { n: stored('BPKAD'), audit: audits() };
    const again = await upload('BPKAD', example('BPKAD.yaml'), { type: 'application/yaml', lang: 'en' });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(`/api/v1/opds/BPKAD/diagrams/${first.body.version.version}`);
    expect(again.body.unchanged).toBe(true);
    expect(again.body.version).toEqual(first.body.version);
    expect(again.body.report.bySeverity).toEqual(first.body.report.bySeverity);
    expect(stored('BPKAD')).toBe(before.n);
    expect(audits()).toBe(before.audit);
    const spec = (await call('/openapi.json')).body;
    const responses = spec?.paths?.['/api/v1/opds/{code}/diagrams']?.post?.responses;
    expect(responses?.['200']?.description).toMatch(/same file/);
    expect(responses?.['201']).toBeDefined();
  });

  it('the office withdraws its latest version: kept in the history, flagged, audited; the previous version counts again', async () => {
    const v1 = (await row('BPKAD')).version as number;
    const changed = example('BPKAD.yaml').toString('utf8').replace('mgmt: 10.255.5.12', 'mgmt: 10.255.5.13');
    const bpkad = (await call('/api/v1/tokens', { method: 'POST', json: { name: 'bpkad', role: 'opd-admin', opd: 'BPKAD' } })).body.token as string;
    const up = await upload('BPKAD', changed, { type: 'application/yaml', token: bpkad });
    expect(up.status).toBe(201);
    const v2 = up.body.version.version as number;
    expect(v2).toBe(v1 + 1);
    expect((await row('BPKAD')).version).toBe(v2);

    // Scoping as for the other diagram routes: another office 404, a viewer 403, an older version 409.
    expect((await withdraw('BPKAD', v2, tokens.dinkes)).status).toBe(404);
    expect((await withdraw('BPKAD', v2, tokens.viewer)).status).toBe(403);
    expect((await withdraw('BPKAD', 99, bpkad)).status).toBe(404);
    const older = await withdraw('BPKAD', v1, bpkad);
    expect(older.status).toBe(409);
    expect(older.body.code).toBe('DIAGRAM_NOT_LATEST');

    const audit = audits();
    const w = await withdraw('BPKAD', v2, bpkad);
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ version: v2, withdrawn: true });
    expect(typeof w.body.withdrawnAt).toBe('string');
    expect(w.body.withdrawnBy).toBe(up.body.version.uploadedBy);
    expect(audits()).toBe(audit + 1);
    const entry = d.services.store.db.prepare('SELECT action, object_id, opd, after_json FROM audit_log ORDER BY seq DESC LIMIT 1').get() as Json;
    expect(entry).toMatchObject({ action: 'diagram.withdraw', object_id: `BPKAD/${v2}`, opd: 'BPKAD' });
    expect(JSON.parse(entry.after_json)).toMatchObject({ withdrawn: true, countedVersion: v1 });

    const again = await withdraw('BPKAD', v2, bpkad);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DIAGRAM_ALREADY_WITHDRAWN');

    // Kept in the history, flagged; compliance and label checks read v1 again.
    const list = (await call('/api/v1/opds/BPKAD/diagrams', { token: bpkad })).body as unknown as Json[];
    expect(list.map((x) => [x.version, x.withdrawn])).toEqual([
      [v2, true],
      [v1, false],
    ]);
    expect((await call(`/api/v1/opds/BPKAD/diagrams/${v2}`, { token: bpkad })).body.version.withdrawn).toBe(true);
    expect(await row('BPKAD')).toMatchObject({ version: v1, overdue: false });

    // The next upload numbers on (v2 is never reused) and diffs against v1, the version that counts.
    const next = await upload('BPKAD', changed, { type: 'application/yaml', token: bpkad });
    expect(next.status).toBe(201);
    expect(next.body.version.version).toBe(v2 + 1);
    expect(next.body.diff.devices.changed).toMatchObject([{ key: 'device:bpkad-ap02', fields: ['mgmtIp'] }]);

    // Withdrawing every version leaves the office without a counted diagram: overdue.
    expect((await withdraw('BPKAD', v2 + 1, bpkad)).status).toBe(200);
    expect((await withdraw('BPKAD', v1, bpkad)).status).toBe(200);
    expect(await row('BPKAD')).toMatchObject({ version: null, overdue: true });
    expect(stored('BPKAD')).toBe(3);
  });
});
