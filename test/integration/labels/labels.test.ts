import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ROOT, startTestDaemon, tempDir, type TestDaemon } from '../../helpers/daemon.js';
import { spawn } from 'node:child_process';

/** The real `simpul` command, run without blocking this process (the daemon under test lives here). */
function simpul(args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', reject);
    p.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

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
  return { status: r.status, headers: r.headers, body: (text && (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as Json };
}
const validate = (json: unknown, opts: { token?: string; lang?: string } = {}) =>
  call('/api/v1/labels/validate', { method: 'POST', json, token: opts.token, headers: opts.lang ? { 'accept-language': opts.lang } : {} });

beforeAll(async () => {
  d = await startTestDaemon();
  const csv =
    'kind,prefix,address,pool,opd,purpose,scope,role,hostname,mac,device,description\npool,10.0.0.0/8,,all,,,private,opd-lan,,,,\nprefix,10.255.10.0/24,,,DINKES,management,,,,,,\nprefix,10.20.10.0/24,,,DINKES,LAN,,,,,,';
  expect((await call('/api/v1/ipam/import', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } })).status).toBe(200);
  for (const [name, opd] of [
    ['dinkes', 'DINKES'],
    ['bappeda', 'BAPPEDA'],
  ] as const)
    tokens[name] = (await call('/api/v1/tokens', { method: 'POST', json: { name, role: 'opd-admin', opd } })).body.token;
  expect(
    (await call('/api/v1/opds/DINKES/diagrams', { method: 'POST', body: example('DINKES.drawio'), headers: { 'content-type': 'application/xml' } })).status,
  ).toBe(201);
});
afterAll(() => d.stop());

describe('POST /labels/validate', () => {
  it('gives the parts of a valid label and, for a broken one, the part and the column', async () => {
    const r = await validate({ labels: ['DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1', 'DINKES.L1R02.SW01:24/DINKES.L2R5.AP01:1'] }, { lang: 'en' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lang: 'en', opd: null, total: 2, valid: 1 });
    const [ok, bad] = r.body.labels as [Json, Json];
    expect(ok.parsed.near).toMatchObject({ opd: 'DINKES', space: 'L1R02', device: 'SW01', port: '24' });
    expect(ok.parsed.far).toMatchObject({ opd: 'DINKES', space: 'L2R05', device: 'AP01', port: '1', columns: { space: 29 } });
    expect(bad.ok).toBe(false);
    expect(bad.issues[0]).toMatchObject({ code: 'LABEL_PART_INVALID', part: 'space', end: 'far', column: 29 });
    expect(bad.issues[0].message).toContain("'L2R5' (column 29)");
    expect(bad.issues[0].messages.id).toContain('kolom 29');
  });

  it('Bahasa Indonesia by default; text/plain with one label per line', async () => {
    const r = await call('/api/v1/labels/validate?opd=DINKES', {
      method: 'POST',
      body: '# lemari L1R01\nDINKES.L1R01.SW01:47/DINKES.L1R03.SW02:48\n\nDINKES.L1R01.SW01:47/DINKES.L1R03.SW02:48\n',
      headers: { 'content-type': 'text/plain' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-language')).toBe('id');
    expect(r.body).toMatchObject({ lang: 'id', opd: 'DINKES', total: 2, valid: 0 });
    const issue = (r.body.labels[0].issues as Json[]).find((i) => i.code === 'LABEL_DUPLICATE')!;
    expect(issue.message).toBe(issue.messages.id);
    expect(issue.message).toMatch(/dipakai lebih dari satu kabel/);
  });

  it('with an OPD, labels are compared with its latest diagram', async () => {
    const r = await validate({ opd: 'DINKES', labels: ['DINKES.L1R01.SW01:47/DINKES.L1R03.SW02:48', 'DINKES.L1R01.SW01:46/DINKES.L1R03.SW02:48'] });
    const [drawn, moved] = r.body.labels as [Json, Json];
    expect(drawn.issues).toEqual([]);
    expect((moved.issues as Json[]).map((i) => i.code)).toContain('LABEL_LINK_MISMATCH');
  });

  it('a port written two ways (Gi1-0-24 and 24) is one port: the second cable on it is refused', async () => {
    const r = await validate(
      { opd: 'DINKES', labels: ['DINKES.L1R01.SW01:Gi1-0-24/DINKES.L1R04.AP01:ether1', 'DINKES.L1R01.SW01:24/DINKES.L1R04.AP02:ether1'] },
      { lang: 'en' },
    );
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(0);
    const reuse = (r.body.labels[1].issues as Json[]).find((i) => i.code === 'LABEL_PORT_REUSED')!;
    expect(reuse).toMatchObject({ end: 'near' });
    expect(reuse.message).toContain('SW01:24');
  });

  it('meaning: unknown OPD and device, unknown port, the same end twice', async () => {
    const r = await validate({
      labels: [
        'XYZ.L1R01.SW01:1/DINKES.L1R01.SW01:2',
        'DINKES.L1R01.SW77:1/DINKES.L1R01.SW01:2',
        'DINKES.L1R01.SW01:99/DINKES.L1R03.SW02:1',
        'DINKES.L1R01.SW01:3/DINKES.L1R01.SW01:3',
      ],
    });
    const codes = (r.body.labels as Json[]).map((l) => (l.issues as Json[]).map((i) => i.code));
    expect(codes[0]).toContain('LABEL_OPD_UNKNOWN');
    expect(codes[1]).toContain('LABEL_DEVICE_UNKNOWN');
    expect(codes[2]).toContain('LABEL_PORT_UNKNOWN');
    expect(codes[3]).toContain('LABEL_SAME_END');
  });

  it('an opd-admin checks against its own OPD; naming another is 404; bad bodies are 400', async () => {
    const own = await validate({ labels: ['DINKES.L1R01.SW01:47/DINKES.L1R03.SW02:48'] }, { token: tokens.dinkes });
    expect(own.body.opd).toBe('DINKES');
    expect((await validate({ opd: 'DINKES', labels: [] }, { token: tokens.bappeda })).status).toBe(404);
    expect((await validate({ labels: 'x' })).status).toBe(400);
    expect((await validate({ labels: [], extra: 1 })).status).toBe(400);
    expect((await call('/api/v1/labels/validate', { method: 'POST', token: 'nope-nope-nope-nope', json: { labels: [] } })).status).toBe(401);
  });
});

describe('cable surveys', () => {
  it('the DINKES survey: a report per cable, unreadable rows named by line, stored', async () => {
    const r = await call('/api/v1/opds/DINKES/surveys?filename=DINKES-survey.csv', {
      method: 'POST',
      body: example('DINKES-survey.csv'),
      headers: { 'content-type': 'text/csv', 'accept-language': 'en' },
      token: tokens.dinkes,
    });
    expect(r.status).toBe(201);
    const s = r.body;
    expect(s.survey).toMatchObject({ opd: 'DINKES', fileName: 'DINKES-survey.csv', readings: 10 });
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0].line).toBe(12);
    expect(s.problems[0].message).toContain("'kiri'");
    const byLabel = new Map((s.cables as Json[]).map((c) => [c.label, c]));
    expect(byLabel.get('DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1')).toMatchObject({ status: 'ok' });
    const statuses = (s.cables as Json[]).map((c) => c.status);
    expect(statuses.filter((x) => x === 'ok').length).toBe(s.survey.ok);
    expect(s.survey.errors).toBeGreaterThanOrEqual(2);
    const codes = (s.cables as Json[]).flatMap((c) => (c.issues as Json[]).map((i) => i.code));
    expect(codes).toContain('LABEL_PART_INVALID');
    const again = await call(`/api/v1/opds/DINKES/surveys/${s.survey.id}`, { token: tokens.dinkes });
    expect(again.body.cables).toHaveLength(s.cables.length);
    expect((await call('/api/v1/opds/DINKES/surveys', { token: tokens.bappeda })).status).toBe(404);
  });

  it('an unreadable survey is refused and nothing is stored', async () => {
    const count = () => d.services.store.db.prepare('SELECT count(*) FROM survey_reports').pluck().get();
    const before = count();
    const r = await call('/api/v1/opds/DINKES/surveys', { method: 'POST', body: Buffer.from([0xff, 0xfe, 0, 1, 2]), headers: { 'content-type': 'text/csv' } });
    expect(r.status).toBe(415);
    const q = await call('/api/v1/opds/DINKES/surveys', {
      method: 'POST',
      body: 'lokasi,ujung,label\n"ruang,dekat,X',
      headers: { 'content-type': 'text/csv' },
    });
    expect(q.status).toBe(400);
    expect(q.body.code).toBe('SURVEY_ROW_INVALID');
    expect(count()).toBe(before);
  });
});

describe('simpul labels validate / simpul diagrams upload', () => {
  it('exit 0 when every label is valid, 1 otherwise; --json; --lang; a grammar from the config', { timeout: 120_000 }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const good = join(dir, 'good.txt');
      const bad = join(dir, 'bad.txt');
      writeFileSync(good, 'DINKES.L1R01.SW01:47/DINKES.L1R03.SW02:48\nDINKES.L1R01.SW01:48/DINKES.L2R04.SW03:24\n');
      writeFileSync(bad, 'DINKES.L1R01.SW01:47/DINKES.L1R03.SW02:48\nDINKES.L1R01.SW01-47/DINKES.L1R03.SW02:48\n');
      const [ok, no, js] = await Promise.all([
        simpul(['labels', 'validate', good, '--opd', 'DINKES']),
        simpul(['labels', 'validate', bad, '--lang', 'en']),
        simpul(['labels', 'validate', bad, '--json']),
      ]);
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('2 label, 0 tidak sah');
      expect(no.status).toBe(1);
      expect(no.stdout).toMatch(/#2: INVALID/);
      expect(no.stdout).toContain('LABEL_SEPARATOR_MISSING');
      expect(js.status).toBe(1);
      expect(JSON.parse(js.stdout)).toMatchObject({ total: 2, valid: 1, lang: 'id' });
      // A regency grammar from the config: ROOM-DEVICE-PORT ends joined by " > ".
      const cfg = join(dir, 'simpul.yaml');
      writeFileSync(
        cfg,
        [
          'labels:',
          '  grammar:',
          '    endSeparator: ">"',
          '    example: "R01-SW01-24>R02-AP01-1"',
          '    parts:',
          '      - { name: space, pattern: "R[0-9]{2}", after: "-" }',
          '      - { name: device, pattern: "(SW|AP|RTR)[0-9]{2}", after: "-" }',
          '      - { name: port, pattern: "[0-9]{1,2}" }',
        ].join('\n'),
      );
      writeFileSync(good, 'R01-SW01-24>R02-AP01-1\nR01-SW01-24/R02-AP01-1\n');
      const custom = await simpul(['labels', 'validate', good, '--config', cfg, '--json']);
      const out = JSON.parse(custom.stdout);
      expect(custom.status).toBe(1);
      expect(out.labels[0].parsed.far).toMatchObject({ space: 'R02', device: 'AP01', port: '1' });
      expect(out.labels[1].issues[0].code).toBe('LABEL_END_SEPARATOR_MISSING');
    } finally {
      cleanup();
    }
  });

  it('diagrams upload sends the file to the daemon and prints the report', { timeout: 120_000 }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      // DINKES.drawio itself is the latest version already (beforeAll): a re-saved copy is a new one.
      const file = join(dir, 'DINKES.drawio');
      writeFileSync(file, Buffer.concat([example('DINKES.drawio'), Buffer.from('\n')]));
      const r = await simpul(['diagrams', 'upload', 'DINKES', file, '--lang', 'en'], { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/DINKES diagram version 2: 0 error\(s\), 0 warning\(s\)/);
      const same = await simpul(['diagrams', 'upload', 'DINKES', file], { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN });
      expect(same.status).toBe(0);
      expect(same.stdout).toBe('DINKES diagram unchanged: the same file as version 2, nothing stored\n');
    } finally {
      cleanup();
    }
    const no = await simpul(['diagrams', 'upload', 'DINKES', join(ROOT, 'topology', 'DINKES.drawio')], { SIMPUL_URL: d.url, SIMPUL_TOKEN: tokens.bappeda! });
    expect(no.status).toBe(1);
    expect(no.stderr).toContain('NOT_FOUND');
  });
});
