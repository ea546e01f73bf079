import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { ROOT, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let d: TestDaemon;
const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
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

const upload = (opd: string, body: RequestInit['body'], opts: { type?: string; token?: string; lang?: string; filename?: string } = {}) =>
  call(`/api/v1/opds/${opd}/diagrams${opts.filename ? `?filename=${encodeURIComponent(opts.filename)}` : ''}`, {
    method: 'POST',
    body,
    token: opts.token,
    headers: { 'content-type': opts.type ?? 'application/xml', ...(opts.lang ? { 'accept-language': opts.lang } : {}) },
  });

const codes = (r: Json) => (r.report.findings as Json[]).map((f) => f.code as string);
const _versions = (opd: string) => d.services.store.db.prepare('SELECT count(*) FROM diagram_versions WHERE opd = ?').pluck().get(opd) as number;
const allVersions = () => d.services.store.db.prepare('SELECT count(*) FROM diagram_versions').pluck().get() as number;

const IPAM_CSV = [
  'kind,prefix,address,pool,opd,purpose,scope,role,hostname,mac,device,description',
  'pool,10.255.0.0/16,,management,,,private,management,,,,',
  'pool,10.20.0.0/16,,lan-v4,,,private,opd-lan,,,,',
  ...[
    ['DINKES', 10],
    ['BAPPEDA', 4],
    ['BPKAD', 5],
    ['DISDIK', 11],
  ].flatMap(([opd, n]) => [`prefix,10.255.${n}.0/24,,,${opd},management,,,,,,`, `prefix,10.20.${n}.0/24,,,${opd},LAN kantor,,,,,,`]),
].join('\n');

beforeAll(async () => {
  d = await startTestDaemon({ clock });
  const imp = await call('/api/v1/ipam/import', { method: 'POST', body: IPAM_CSV, headers: { 'content-type': 'text/csv' } });
  expect(imp.status).toBe(200);
  for (const [name, role, opd] of [
    ['dinkes', 'opd-admin', 'DINKES'],
    ['bappeda', 'opd-admin', 'BAPPEDA'],
    ['viewer', 'viewer', undefined],
    ['operator', 'noc-operator', undefined],
  ] as const) {
    const r = await call('/api/v1/tokens', { method: 'POST', json: { name, role, ...(opd ? { opd } : {}) } });
    expect(r.status).toBe(201);
    tokens[name] = r.body.token;
  }
});
afterAll(() => d.stop());

describe('uploads and reports', () => {
  it('DINKES (plain draw.io, drawn cleanly) has no error or warning; its version is stored with the file', async () => {
    const r = await upload('DINKES', example('DINKES.drawio'), { filename: 'DINKES.drawio', token: tokens.dinkes });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/api/v1/opds/DINKES/diagrams/1');
    expect(r.body.version).toMatchObject({ opd: 'DINKES', version: 1, format: 'drawio', fileName: 'DINKES.drawio', nodes: 8, links: 7, hasOriginal: true });
    expect(r.body.version.uploadedBy).toMatch(/^token:|dinkes|^[a-z0-9-]+/);
    expect(r.body.report.bySeverity).toEqual({ error: 0, warning: 0, info: 0 });
    expect(r.body.report.cables).toEqual({ total: 7, labelled: 7, validLabels: 7 });
    expect(r.body.diff.devices.added).toHaveLength(8);
    expect(r.body.diff.links.added).toHaveLength(7);
    const orig = await d.api('/api/v1/opds/DINKES/diagrams/1/original');
    expect(Buffer.from(await orig.arrayBuffer()).equals(example('DINKES.drawio'))).toBe(true);
    const audit = d.services.store.db.prepare("SELECT action, opd FROM audit_log WHERE object_type = 'diagram'").all();
    expect(audit).toEqual([{ action: 'diagram.upload', opd: 'DINKES' }]);
  });

  it('BAPPEDA (typical mistakes): swapped ports, a missing label, an IP outside its blocks', async () => {
    const r = await upload('BAPPEDA', example('BAPPEDA.drawio'), { lang: 'en' });
    expect(r.status).toBe(201);
    expect(codes(r.body).sort()).toEqual(['DIAGRAM_IP_NOT_ALLOCATED', 'LABEL_LINK_MISMATCH', 'LABEL_LINK_MISMATCH', 'LABEL_MISSING']);
    const ip = (r.body.report.findings as Json[]).find((f) => f.code === 'DIAGRAM_IP_NOT_ALLOCATED')!;
    expect(ip).toMatchObject({ severity: 'error', element: '6' });
    expect(ip.message).toContain('10.20.40.12');
    expect(ip.message).toContain('10.20.4.0/24');
    expect(ip.messages.id).toContain('10.20.40.12');
    expect(r.body.report.cables).toEqual({ total: 4, labelled: 3, validLabels: 1 });
  });

  it('messages follow Accept-Language: Bahasa Indonesia by default, English when asked', async () => {
    const id = await call('/api/v1/opds/BAPPEDA/diagrams/1');
    const en = await call('/api/v1/opds/BAPPEDA/diagrams/1', { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    const idMissing = (id.body.report.findings as Json[]).find((f) => f.code === 'LABEL_MISSING')!;
    const enMissing = (en.body.report.findings as Json[]).find((f) => f.code === 'LABEL_MISSING')!;
    expect(id.body.report.lang).toBe('id');
    expect(id.headers.get('content-language')).toBe('id');
    expect(idMissing.message).toBe(idMissing.messages.id);
    expect(enMissing.message).toBe(enMissing.messages.en);
    expect(enMissing.message).toMatch(/has no label/);
    expect(idMissing.message).not.toBe(enMissing.message);
    expect(idMissing.message).toContain('BAPPEDA.L1R01.SW01:24/BAPPEDA.L1R03.SW02:24');
  });

  it('DISDIK (compressed pages) and BPKAD (YAML) are read like a plain diagram', async () => {
    const a = await upload('DISDIK', example('DISDIK.drawio'), { type: 'application/octet-stream' });
    expect(a.status).toBe(201);
    expect(a.body.version).toMatchObject({ format: 'drawio', nodes: 8, links: 7 });
    expect(a.body.report.bySeverity.error).toBe(0);
    const b = await upload('BPKAD', example('BPKAD.yaml'), { type: 'application/yaml' });
    expect(b.status).toBe(201);
    expect(b.body.version).toMatchObject({ format: 'yaml', nodes: 5, links: 4 });
    expect(b.body.report.bySeverity).toEqual({ error: 0, warning: 0, info: 0 });
  });

  it('a .drawio.svg export is read from its content attribute', async () => {
    const mx = example('DINKES.drawio').toString('utf8');
    const esc = mx.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const svg = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="10" height="10" content="${esc}"><g/></svg>`;
    const r = await upload('DINKES', svg, { type: 'image/svg+xml' });
    expect(r.status).toBe(201);
    expect(r.body.version).toMatchObject({ version: 2, format: 'drawio-svg', nodes: 8, links: 7 });
    expect(r.body.diff.empty).toBe(true);
  });

  it('a YAML file declaring another OPD is refused', async () => {
    const before = allVersions();
    const r = await upload('DINKES', example('BPKAD.yaml'), { type: 'application/yaml' });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('DIAGRAM_OPD_MISMATCH');
    expect(allVersions()).toBe(before);
  });
});

/** A small YAML diagram for the finding codes the examples do not show. */
const yamlDiagram = (nodes: string[], links: string[]) =>
  ['format: simpul-topology/1', 'opd: DINKES', 'nodes:', ...nodes, 'links:', ...(links.length ? links : ['  []'])]
    .join('\n')
    .replace('links:\n  []', 'links: []');
const node = (id: string, mgmt: string, extra = '') => `  - { id: ${id}, mgmt: ${mgmt}${extra} }`;
const link = (id: string, a: string, b: string, label?: string) => `  - { id: ${id}, a: "${a}", b: "${b}"${label ? `, label: "${label}"` : ''} }`;

describe('every finding code through the API', () => {
  it('unknown device, dangling link, port reused, duplicate IP, malformed and duplicate labels, inconsistent ends', async () => {
    const yaml = yamlDiagram(
      [node('dinkes-rtr01', '10.255.10.1'), node('dinkes-sw01', '10.255.10.2'), node('dinkes-sw02', '10.255.10.2'), node('dinkes-sw99', '10.255.10.99')],
      [
        link('c1', 'dinkes-rtr01:ether2', 'dinkes-sw01:1', 'DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1'),
        link('c2', 'dinkes-sw01:5', 'dinkes-sw02:5', 'DINKES.L1R01.SW01:5/DINKES.L1R03.SW02:5'),
        link('c3', 'dinkes-sw01:5', 'dinkes-sw02:6', 'DINKES.L1R01.SW01:5/DINKES.L1R03.SW02:5'),
        link('c4', 'dinkes-sw01:7', 'nowhere:1', 'DINKES.L1R01.SW01:7/DINKES.L1R03.SW02:7'),
        link('c5', 'dinkes-sw01:8', 'dinkes-sw02:8', 'dinkes l1r01 sw01 8'),
      ],
    );
    const r = await upload('DINKES', yaml, { type: 'application/yaml', lang: 'en' });
    expect(r.status).toBe(201);
    const c = codes(r.body);
    for (const code of ['DIAGRAM_UNKNOWN_DEVICE', 'DIAGRAM_DANGLING_LINK', 'DIAGRAM_PORT_REUSED', 'DIAGRAM_IP_DUPLICATE', 'LABEL_MALFORMED', 'LABEL_DUPLICATE'])
      expect(c, code).toContain(code);
    const unknown = (r.body.report.findings as Json[]).find((f) => f.code === 'DIAGRAM_UNKNOWN_DEVICE')!;
    expect(unknown.element).toBe('dinkes-sw99');
    const dup = (r.body.report.findings as Json[]).filter((f) => f.code === 'DIAGRAM_IP_DUPLICATE').map((f) => f.element);
    expect(dup.sort()).toEqual(['dinkes-sw01', 'dinkes-sw02']);

    const far = [
      'format: simpul-topology/1',
      'opd: DINKES',
      'nodes:',
      node('dinkes-rtr01', '10.255.10.1'),
      node('dinkes-sw01', '10.255.10.2'),
      'links:',
      '  - { id: c1, a: "dinkes-rtr01:ether2", b: "dinkes-sw01:1", label: "DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1", farLabel: "DINKES.L1R01.SW01:2/DINKES.L1R01.RTR01:ether2" }',
    ].join('\n');
    const f = await upload('DINKES', far, { type: 'application/yaml' });
    expect(f.status).toBe(201);
    expect(codes(f.body)).toContain('LABEL_ENDS_INCONSISTENT');
  });

  it('a port drawn two ways (Gi1/0/24 and 24 on a 48-port switch) is one port used twice', async () => {
    const yaml = yamlDiagram(
      [node('dinkes-rtr01', '10.255.10.1'), node('dinkes-sw01', '10.255.10.2'), node('dinkes-ap01', '10.255.10.11')],
      [
        link('c1', 'dinkes-sw01:Gi1/0/24', 'dinkes-ap01:ether1', 'DINKES.L1R01.SW01:Gi1-0-24/DINKES.L1R04.AP01:ether1'),
        link('c2', 'dinkes-sw01:24', 'dinkes-rtr01:ether3', 'DINKES.L1R01.SW01:24/DINKES.L1R01.RTR01:ether3'),
      ],
    );
    const r = await upload('DINKES', yaml, { type: 'application/yaml', lang: 'en' });
    expect(r.status).toBe(201);
    const reused = (r.body.report.findings as Json[]).filter((f) => f.code === 'DIAGRAM_PORT_REUSED');
    expect(reused.map((f) => f.element).sort()).toEqual(['c1', 'c2']);
    expect(reused[0]!.message).toContain('dinkes-sw01:24');
  });

  it('LLDP: MATCH, MISMATCH, UNDOCUMENTED and NOT_DETECTED from the neighbors the poller table holds', async () => {
    const db = d.services.store.db;
    const ins = db.prepare(
      `INSERT INTO lldp_neighbors (device_id, local_port, remote_chassis, remote_port, remote_sys_name, first_seen, last_seen)
       VALUES (?, ?, ?, ?, ?, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')`,
    );
    // c1 rtr01:ether2 - sw01:1 seen as drawn; c2 sw01:47 - sw02:48 seen on sw02:46 instead;
    // c3 sw01:48 - sw03:24 not seen; an AP on sw01:10 nobody drew.
    ins.run('dinkes-rtr01', 'ether2', '64:d1:54:00:00:01', '1', 'dinkes-sw01');
    ins.run('dinkes-sw01', '1', '64:d1:54:00:00:02', 'ether2', 'dinkes-rtr01.dinkes.local');
    ins.run('dinkes-sw01', '47', '64:d1:54:00:00:03', '46', 'dinkes-sw02');
    ins.run('dinkes-sw01', '10', '64:d1:54:00:00:04', 'ether1', 'dinkes-ap09');
    const r = await upload('DINKES', example('DINKES.drawio'));
    expect(r.status).toBe(201);
    const by = (code: string) => (r.body.report.findings as Json[]).filter((f) => f.code === code).map((f) => f.element);
    expect(by('MATCH')).toEqual(['c1']);
    expect(by('MISMATCH')).toEqual(['c2']);
    expect(by('NOT_DETECTED')).toContain('c3');
    expect(by('UNDOCUMENTED')).toEqual(['d-sw1']);
    expect(r.body.report.findings.find((f: Json) => f.code === 'MISMATCH').messages.en).toContain('46');
    db.prepare('DELETE FROM lldp_neighbors').run();
  });
});

describe('versions and changes', () => {
  it('lists versions newest first; a diff between any two versions', async () => {
    const list = await call('/api/v1/opds/DINKES/diagrams');
    expect(list.status).toBe(200);
    const nums = (list.body as unknown as Json[]).map((v) => v.version);
    expect(nums).toEqual([...nums].sort((a, b) => b - a));
    expect(nums[nums.length - 1]).toBe(1);
    const latest = nums[0];
    // The latest (DINKES.drawio again) against v3 (the small YAML): devices came back.
    const diff = await call(`/api/v1/opds/DINKES/diagrams/3/diff/${latest}`);
    expect(diff.status).toBe(200);
    expect(diff.body.empty).toBe(false);
    expect((diff.body.devices.added as Json[]).map((n) => n.deviceId)).toContain('dinkes-ap01');
    expect((diff.body.devices.removed as Json[]).map((n) => n.deviceId)).toEqual(['dinkes-sw99']);
    const same = await call(`/api/v1/opds/DINKES/diagrams/1/diff/${latest}`);
    expect(same.body.empty).toBe(true);
    expect((await call('/api/v1/opds/DINKES/diagrams/999/diff/1')).status).toBe(404);
  });

  it('the stored diff of a new version says what changed since the previous one', async () => {
    const base = example('BPKAD.yaml').toString('utf8');
    const changed = base.replace('b: bpkad-ap01:ether1', 'b: bpkad-ap01:ether2').replace('    mgmt: 10.255.5.12\n', '    mgmt: 10.255.5.13\n');
    const r = await upload('BPKAD', changed, { type: 'application/yaml' });
    expect(r.status).toBe(201);
    expect(r.body.version.version).toBe(2);
    expect(r.body.diff.devices.changed).toMatchObject([{ key: 'device:bpkad-ap02', fields: ['mgmtIp'] }]);
    // The cable kept its label but moved to ether2: a change of its b end, and the label now disagrees.
    expect(r.body.diff.links.changed).toMatchObject([{ fields: ['b'], before: { b: { port: 'ether1' } }, after: { b: { port: 'ether2' } } }]);
    expect(r.body.diff.links.added).toEqual([]);
    expect(r.body.diff.links.removed).toEqual([]);
    expect(codes(r.body).sort()).toEqual(['DIAGRAM_PORT_UNKNOWN', 'LABEL_LINK_MISMATCH']);
    const v2 = await call('/api/v1/opds/BPKAD/diagrams/2');
    expect(v2.body.diff).toEqual(r.body.diff);
    expect(v2.body.graph.nodes).toHaveLength(5);
  });

  it('the SVG is served with its content type, findings highlighted and upload text escaped', async () => {
    const svg = await call('/api/v1/opds/BAPPEDA/diagrams/1.svg', { headers: { 'accept-language': 'en' } });
    expect(svg.status).toBe(200);
    expect(svg.type).toMatch(/^image\/svg\+xml/);
    expect(svg.headers.get('x-content-type-options')).toBe('nosniff');
    expect(svg.text.startsWith('<svg')).toBe(true);
    expect(svg.text).toContain('#d32f2f');
    expect(svg.text).toContain('LABEL_MISSING: Cable 10 in the diagram has no label');
    const evil = yamlDiagram([node('dinkes-rtr01', '10.255.10.1', ', name: "<script>alert(1)</script> Ruang & Rapat"')], []);
    const up = await upload('DINKES', evil, { type: 'application/yaml' });
    expect(up.status).toBe(201);
    const pic = await call(`/api/v1/opds/DINKES/diagrams/${up.body.version.version}.svg`);
    expect(pic.text).not.toContain('<script>');
    expect(pic.text).toContain('&lt;script&gt;');
    expect((await call('/api/v1/opds/DINKES/diagrams/999.svg')).status).toBe(404);
  });
});

describe('roles', () => {
  it('an opd-admin uploads and reads its own OPD only; another OPD is 404; a viewer cannot upload', async () => {
    const before = allVersions();
    const other = await upload('BAPPEDA', example('BAPPEDA.drawio'), { token: tokens.dinkes });
    expect(other.status).toBe(404);
    expect((await call('/api/v1/opds/BAPPEDA/diagrams', { token: tokens.dinkes })).status).toBe(404);
    expect((await call('/api/v1/opds/BAPPEDA/diagrams/1.svg', { token: tokens.dinkes })).status).toBe(404);
    expect((await call('/api/v1/opds/DINKES/diagrams', { token: tokens.dinkes })).status).toBe(200);
    const viewer = await upload('DINKES', example('DINKES.drawio'), { token: tokens.viewer });
    expect(viewer.status).toBe(403);
    expect((await call('/api/v1/opds/DINKES/diagrams/1', { token: tokens.viewer })).status).toBe(200);
    expect((await upload('NOSUCH', example('DINKES.drawio'))).status).toBe(404);
    expect(allVersions()).toBe(before);
    // The same file as BAPPEDA's latest version: answered with that version, nothing stored.
    const op = await upload('BAPPEDA', example('BAPPEDA.drawio'), { token: tokens.operator });
    expect(op.status).toBe(200);
    expect(op.body).toMatchObject({ unchanged: true, version: { version: 1 } });
    expect(allVersions()).toBe(before);
  });
});

describe('hostile uploads: a clear 4xx and nothing stored', () => {
  const lol = () => {
    const l = ['<?xml version="1.0"?>', '<!DOCTYPE lolz [', '<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) l.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    return [...l, ']>', '<mxfile><diagram>&lol9;</diagram></mxfile>'].join('\n');
  };
  const many = (n: number) =>
    `<mxfile><diagram id="d"><mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>${Array.from(
      { length: n },
      (_, i) => `<object label="n${i}" device="dinkes-x${i}" id="v${i}"><mxCell vertex="1" parent="1"/></object>`,
    ).join('')}</root></mxGraphModel></diagram></mxfile>`;
  const cases: [string, () => RequestInit['body'], string, number, string][] = [
    ['billion laughs', lol, 'application/xml', 400, 'DIAGRAM_DOCTYPE_FORBIDDEN'],
    [
      'XXE',
      () => '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><mxfile><diagram>&xxe;</diagram></mxfile>',
      'application/xml',
      400,
      'DIAGRAM_DOCTYPE_FORBIDDEN',
    ],
    [
      'zip bomb',
      () => `<mxfile><diagram id="d" name="bomb">${deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x41)).toString('base64')}</diagram></mxfile>`,
      'application/xml',
      413,
      'DIAGRAM_PAGE_TOO_LARGE',
    ],
    ['50 MB', () => Buffer.alloc(50 * 1024 * 1024, 0x20), 'application/xml', 413, 'DIAGRAM_TOO_LARGE'],
    [
      'binary junk',
      () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe]),
      'application/octet-stream',
      415,
      'DIAGRAM_NOT_TEXT',
    ],
    ['100,000 nodes', () => many(100_000), 'application/xml', 413, 'DIAGRAM_TOO_MANY'],
    ['YAML alias bomb', () => 'a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n', 'application/yaml', 400, 'YAML_ALIAS_FORBIDDEN'],
    [
      'a form with a text field but no file',
      () => '--x\r\nContent-Disposition: form-data; name="f"\r\n\r\n<mxfile/>\r\n--x--',
      'multipart/form-data; boundary=x',
      400,
      'FORM_NO_FILE',
    ],
    ['an empty body', () => '', 'application/xml', 400, 'DIAGRAM_EMPTY'],
  ];
  for (const [name, body, type, status, code] of cases)
    it(name, async () => {
      const before = allVersions();
      const audit = d.services.store.db.prepare('SELECT count(*) FROM audit_log').pluck().get();
      const r = await upload('DISDIK', body(), { type, lang: 'en' });
      expect(r.status).toBe(status);
      expect(r.type).toMatch(/problem\+json/);
      expect(r.body.code).toBe(code);
      expect(r.body.detail.length).toBeGreaterThan(10);
      expect(r.body.message.id.length).toBeGreaterThan(10);
      expect(allVersions()).toBe(before);
      expect(d.services.store.db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(audit);
    });

  it('unicode device names are kept and shown; bidi overrides are dropped', async () => {
    const yaml = yamlDiagram([node('dinkes-rtr01', '10.255.10.1', ', name: "Router Ruang Kepala Dinas 🇮🇩 \u202Eevil"')], []);
    const r = await upload('DINKES', yaml, { type: 'application/yaml' });
    expect(r.status).toBe(201);
    const v = await call(`/api/v1/opds/DINKES/diagrams/${r.body.version.version}`);
    expect(v.body.graph.nodes[0].label).toBe('Router Ruang Kepala Dinas 🇮🇩 evil');
  });
});

describe('compliance', () => {
  it('every OPD with its deadline; never uploaded is overdue; opd-admins see their row only', async () => {
    clock.advance(100 * 86_400_000);
    const r = await call('/api/v1/compliance');
    expect(r.status).toBe(200);
    expect(r.body.deadlineDays).toBe(365);
    const rows = new Map((r.body.opds as Json[]).map((o) => [o.opd, o]));
    expect(rows.size).toBeGreaterThan(10);
    expect(rows.get('RSUD')).toMatchObject({ lastDiagramAt: null, overdue: true, daysUntilDeadline: null, validLabelShare: null });
    const bappeda = rows.get('BAPPEDA')!;
    expect(bappeda).toMatchObject({ version: 1, ageDays: 100, daysUntilDeadline: 265, overdue: false, cables: 4, validLabels: 1 });
    expect(bappeda.findings.error).toBe(4);
    expect(bappeda.validLabelShare).toBeCloseTo(0.25, 5);
    expect(rows.get('BPKAD')).toMatchObject({ version: 2, cables: 4, validLabels: 3, validLabelShare: 0.75 });
    const own = await call('/api/v1/compliance', { token: tokens.dinkes });
    expect((own.body.opds as Json[]).map((o) => o.opd)).toEqual(['DINKES']);
    clock.advance(266 * 86_400_000);
    const late = await call('/api/v1/compliance');
    expect((late.body.opds as Json[]).find((o) => o.opd === 'BAPPEDA')).toMatchObject({ overdue: true, daysUntilDeadline: -1, ageDays: 366 });
  });

  it('metrics: diagram age and findings per OPD and severity', async () => {
    const m = await (await fetch(`${d.url}/metrics`)).text();
    expect(m).toMatch(/simpul_opd_diagram_age_days\{opd="BAPPEDA"\} 366(\.\d+)?\n/);
    expect(m).toContain('simpul_opd_findings{opd="BAPPEDA",severity="error"} 4');
    expect(m).toContain('simpul_opd_diagram_overdue{opd="RSUD"} 1');
    expect(m).not.toContain('simpul_opd_diagram_age_days{opd="RSUD"}');
  });
});
