import { describe, expect, it } from 'vitest';
import { parseSurveyCsv, surveyReport } from '../../../src/labels/survey.js';
import { BilingualError } from '../../../src/labels/messages.js';
import { parseDiagram } from '../../../src/topology/upload.js';
import { example, loadInventory } from '../topology/fixtures.js';

describe('survey CSV', () => {
  it('reads a header in Bahasa Indonesia, quotes, CRLF and a BOM, with line numbers', () => {
    const csv = '\uFEFFlokasi;ujung;label\r\n"Rak 1; atas";dekat;X\r\n\r\nLt.2;B;"Y ""baru"""\r\n';
    const r = parseSurveyCsv(csv);
    expect(r.problems).toEqual([]);
    expect(r.rows).toEqual([
      { line: 2, location: 'Rak 1; atas', end: 'near', text: 'X' },
      { line: 4, location: 'Lt.2', end: 'far', text: 'Y "baru"' },
    ]);
  });

  it('columns in any order with an English header; no header means location,end,label', () => {
    expect(parseSurveyCsv('label,where read,end\nX,here,far\n').rows[0]).toMatchObject({ location: 'here', end: 'far', text: 'X' });
    expect(parseSurveyCsv('here,A,X\n').rows[0]).toMatchObject({ line: 1, location: 'here', end: 'near', text: 'X' });
  });

  it('a row with an unknown end is a problem on its line, the rest is read', () => {
    const r = parseSurveyCsv('lokasi,ujung,label\na,kiri,X\nb,jauh,Y\n');
    expect(r.problems.map((p) => p.line)).toEqual([2]);
    expect(r.problems[0]?.message.id).toContain("'kiri'");
    expect(r.rows.map((x) => x.line)).toEqual([3]);
  });

  it.each([
    ['', 'SURVEY_EMPTY'],
    ['a,b,"unclosed\n', 'SURVEY_ROW_INVALID'],
    ['lokasi,label\nx,y\n', 'SURVEY_ROW_INVALID'],
    ['x'.repeat(3 * 1024 * 1024), 'SURVEY_TOO_LARGE'],
    ['a,\u0000,b', 'DIAGRAM_NOT_TEXT'],
  ])('refuses an unreadable file (%#)', (csv, code) => {
    expect(() => parseSurveyCsv(csv)).toThrow(BilingualError);
    try {
      parseSurveyCsv(csv);
    } catch (e) {
      expect((e as BilingualError).code).toBe(code);
      expect((e as BilingualError).status).toBeGreaterThanOrEqual(400);
      expect((e as BilingualError).status).toBeLessThan(500);
    }
  });
});

describe('survey report per cable (example DINKES survey)', () => {
  const inv = loadInventory();
  const parsed = parseSurveyCsv(example('DINKES-survey.csv').toString('utf8'));
  const report = surveyReport(parsed.rows, { ...inv, diagram: parseDiagram(example('DINKES.drawio')), opd: 'DINKES' });
  const find = (label: string) => report.find((c) => c.label === label);

  it('groups both readings of a cable and accepts mirrored stickers', () => {
    const c = find('DINKES.L1R01.RTR01:ether2/DINKES.L1R01.SW01:1');
    expect(c?.readings.map((r) => r.line)).toEqual([2, 3]);
    expect(c?.status).toBe('ok');
    expect(c?.issues).toEqual([]);
  });

  it('a far-end sticker printed like the near one', () => {
    const c = find('DINKES.L1R01.SW01:48/DINKES.L2R04.SW03:24');
    expect(c?.status).toBe('error');
    expect(c?.issues.map((i) => i.code)).toEqual(['LABEL_ENDS_INCONSISTENT', 'LABEL_WRONG_END']);
  });

  it('a malformed reading is its own entry, with the part and column', () => {
    const c = report.find((x) => x.cable === null);
    expect(c?.readings[0]?.line).toBe(10);
    expect(c?.issues[0]).toMatchObject({ code: 'LABEL_PART_INVALID', part: 'space', column: 28 });
  });

  it('one end surveyed is only information', () => {
    const c = find('DINKES.L2R04.SW03:1/DINKES.L2R05.AP02:ether1');
    expect(c?.status).toBe('ok');
    expect(c?.issues.map((i) => [i.code, i.severity])).toEqual([['LABEL_ONE_END_ONLY', 'info']]);
  });

  it('bad row reported with its line', () => expect(parsed.problems.map((p) => p.line)).toEqual([12]));

  it('a cable on a port the diagram gives to another cable, one not drawn at all, a reused port, a duplicate reading', () => {
    const rows = [
      { line: 1, location: 'L1R01', end: 'near' as const, text: 'DINKES.L1R01.SW01:5/DINKES.L1R04.AP01:ether1' },
      { line: 2, location: 'L1R01', end: 'near' as const, text: 'DINKES.L1R01.SW01:5/DINKES.L1R03.SW02:7' },
      { line: 3, location: 'L1R01', end: 'near' as const, text: 'DINKES.L1R01.SW01:5/DINKES.L1R03.SW02:7' },
    ];
    const r = surveyReport(rows, { ...inv, diagram: parseDiagram(example('DINKES.drawio')), opd: 'DINKES' });
    expect(r.map((c) => c.issues.map((i) => i.code).sort())).toEqual([
      ['LABEL_LINK_MISMATCH', 'LABEL_ONE_END_ONLY'],
      ['LABEL_DUPLICATE', 'LABEL_NOT_IN_DIAGRAM', 'LABEL_ONE_END_ONLY', 'LABEL_PORT_REUSED'],
    ]);
  });
});
