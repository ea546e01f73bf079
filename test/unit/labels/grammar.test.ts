import { describe, expect, it } from 'vitest';
import { compileGrammar, defaultGrammar, DEFAULT_GRAMMAR_CONFIG, formatLabel, mirrorLabel, parseLabel, type LabelParse } from '../../../src/labels/grammar.js';
import { BilingualError } from '../../../src/labels/messages.js';

const errorsOf = (r: LabelParse) => (r.ok ? [] : r.errors);

describe('default grammar: valid labels', () => {
  it.each([
    [
      'DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1',
      { opd: 'DINKES', space: 'L1R02', device: 'SW01', port: '24' },
      { opd: 'DINKES', space: 'L2R05', device: 'AP01', port: '1' },
    ],
    [
      'BAPPEDA.GA-L1R02.RTR01:ether5/DISKOMINFO.L12R99.SW101:sfp-sfpplus1',
      { opd: 'BAPPEDA', space: 'GA-L1R02', device: 'RTR01', port: 'ether5' },
      { opd: 'DISKOMINFO', space: 'L12R99', device: 'SW101', port: 'sfp-sfpplus1' },
    ],
    [
      'RSUD.L3R10.PP02:Gi1-0-24/RSUD.L3R10.ODP01:001',
      { opd: 'RSUD', space: 'L3R10', device: 'PP02', port: 'Gi1-0-24' },
      { opd: 'RSUD', space: 'L3R10', device: 'ODP01', port: '001' },
    ],
  ])('%s', (text, near, far) => {
    const r = parseLabel(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.label.near).toMatchObject(near);
    expect(r.label.far).toMatchObject(far);
    expect(r.label.text).toBe(text);
  });

  it('records the column of every part and ignores outer blanks', () => {
    const r = parseLabel('  DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1 ');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.label.near.columns).toEqual({ opd: 3, space: 10, device: 16, port: 21 });
    expect(r.label.far.columns.opd).toBe(24);
  });

  it('writes labels back and mirrors them', () => {
    const r = parseLabel('DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1');
    if (!r.ok) throw new Error('parse failed');
    expect(formatLabel(r.label.near, r.label.far)).toBe('DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1');
    expect(mirrorLabel(r.label)).toBe('DINKES.L2R05.AP01:1/DINKES.L1R02.SW01:24');
  });
});

describe('default grammar: errors name the part and the column, in both languages', () => {
  it('room code with a one-digit room', () => {
    const [e, ...rest] = errorsOf(parseLabel('DINKES.L1R2.SW01:24/DINKES.L2R05.AP01:1'));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'LABEL_PART_INVALID', part: 'space', end: 'near', column: 8 });
    expect(e?.message.id).toContain("Kode ruang 'L1R2'");
    expect(e?.message.id).toContain('L<lantai>R<ruang dua digit>');
    expect(e?.message.id).toContain('L1R02');
    expect(e?.message.en).toContain("room code 'L1R2' (column 8)");
  });

  it.each([
    ['DINKES.L1R02.XX01:24/DINKES.L2R05.AP01:1', 'device', 'near', 14, 'LABEL_PART_INVALID'],
    ['DINKES.L1R02.SW1:24/DINKES.L2R05.AP01:1', 'device', 'near', 14, 'LABEL_PART_INVALID'],
    ['DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:Gi1/0/2', 'port', 'far', 40, 'LABEL_PART_INVALID'],
    ['DINKES.L1R02.SW01:1234/DINKES.L2R05.AP01:1', 'port', 'near', 19, 'LABEL_PART_INVALID'],
    ['DINKES-KOTA.L1R02.SW01:24/DINKES.L2R05.AP01:1', 'opd', 'near', 1, 'LABEL_PART_INVALID'],
    ['DINKES.L1R02.SW01:24/DINKES.L2R05.ap01:1', 'device', 'far', 35, 'LABEL_PART_LOWERCASE'],
    ['DINKES..SW01:24/DINKES.L2R05.AP01:1', 'space', 'near', 8, 'LABEL_PART_EMPTY'],
  ])('%s -> %s at column %i', (text, part, end, column, code) => {
    const errs = errorsOf(parseLabel(text));
    expect(errs[0]).toMatchObject({ part, end, column, code });
    expect(errs[0]?.message.id.length).toBeGreaterThan(10);
    expect(errs[0]?.message.en.length).toBeGreaterThan(10);
  });

  it('a missing separator is reported where it belongs', () => {
    const [e] = errorsOf(parseLabel('DINKES.L1R02.SW01-24/DINKES.L2R05.AP01:1'));
    expect(e).toMatchObject({ code: 'LABEL_SEPARATOR_MISSING', part: 'device', column: 18 });
    expect(e?.message.en).toContain("':'");
  });

  it('one end only: the "/" and the far end are missing', () => {
    const [e] = errorsOf(parseLabel('DINKES.L1R02.SW01:24'));
    expect(e).toMatchObject({ code: 'LABEL_END_SEPARATOR_MISSING', column: 21 });
    expect(e?.message.id).toContain('DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1');
  });

  it('reports errors in both ends at once', () => {
    const errs = errorsOf(parseLabel('DINKES.L1R2.SW01:24/DINKES.L2R5.AP01:1'));
    expect(errs.map((e) => [e.part, e.end])).toEqual([
      ['space', 'near'],
      ['space', 'far'],
    ]);
  });

  it('extra text after the label', () => {
    const [e] = errorsOf(parseLabel('DINKES.L1R02.SW01:24/DINKES.L2R05.AP01:1 (lama)'));
    expect(e).toMatchObject({ code: 'LABEL_TRAILING_TEXT', column: 41 });
  });

  it('empty and too long', () => {
    expect(errorsOf(parseLabel('   '))[0]?.code).toBe('LABEL_EMPTY');
    expect(errorsOf(parseLabel('A'.repeat(500)))[0]?.code).toBe('LABEL_TOO_LONG');
  });
});

describe('custom grammar from config', () => {
  const config = {
    endSeparator: '>',
    example: 'GA-L1-R02-SW01-P24>GB-L2-R05-AP01-P1',
    parts: [
      {
        name: 'space',
        pattern: 'G[A-Z]-L[0-9]-R[0-9]{2}',
        after: '-',
        title: { id: 'lokasi', en: 'location' },
        rule: { id: 'harus seperti GA-L1-R02.', en: 'must look like GA-L1-R02.' },
      },
      { name: 'device', pattern: '(?:SW|AP|RTR)[0-9]{2}', after: '-P' },
      { name: 'port', pattern: '[0-9]{1,2}' },
    ],
  };

  it('parses with its own parts and separators', () => {
    const g = compileGrammar(config);
    const r = parseLabel('GA-L1-R02-SW01-P24>GB-L2-R05-AP01-P1', g);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.label.near).toMatchObject({ opd: '', space: 'GA-L1-R02', device: 'SW01', port: '24' });
    expect(r.label.far.parts).toEqual({ space: 'GB-L2-R05', device: 'AP01', port: '1' });
    expect(mirrorLabel(r.label, g)).toBe('GB-L2-R05-AP01-P1>GA-L1-R02-SW01-P24');
  });

  it('uses the configured wording in errors', () => {
    const g = compileGrammar(config);
    const [e] = errorsOf(parseLabel('GA-L1-R2-SW01-P24>GB-L2-R05-AP01-P1', g));
    expect(e).toMatchObject({ part: 'space', column: 1 });
    expect(e?.message.id).toContain('Lokasi');
    expect(e?.message.en).toContain('must look like GA-L1-R02.');
    // A part without wording falls back to its pattern.
    const [f] = errorsOf(parseLabel('GA-L1-R02-XX01-P24>GB-L2-R05-AP01-P1', g));
    expect(f?.message.en).toContain('(?:SW|AP|RTR)[0-9]{2}');
  });

  it.each([
    [{ ...config, parts: [{ ...config.parts[0], pattern: '([A-Z' }, ...config.parts.slice(1)] }, 'parts[0].pattern'],
    [{ ...config, parts: [{ ...config.parts[0], pattern: 'x*' }, ...config.parts.slice(1)] }, 'parts[0].pattern'],
    [{ ...config, parts: config.parts.slice(0, 2).map((p, i) => (i === 1 ? { name: 'device', pattern: 'SW[0-9]{2}' } : p)) }, 'parts'],
    [{ ...config, example: 'not a label' }, 'example'],
    [{ ...config, endSeparator: '' }, 'endSeparator'],
    [{ ...config, parts: [config.parts[0], config.parts[0], config.parts[2]] }, 'parts[1].name'],
    ['grammar', 'grammar'],
  ])('refuses a bad grammar with GRAMMAR_INVALID naming %#', (bad, path) => {
    try {
      compileGrammar(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BilingualError);
      expect((e as BilingualError).code).toBe('GRAMMAR_INVALID');
      expect((e as BilingualError).status).toBe(400);
      expect((e as BilingualError).text.en).toContain(path);
      expect((e as BilingualError).text.id).toContain(path);
    }
  });

  it('the shipped default compiles from its own config', () => {
    const g = compileGrammar(structuredClone(DEFAULT_GRAMMAR_CONFIG));
    expect(g.parts.map((p) => p.name)).toEqual(defaultGrammar().parts.map((p) => p.name));
  });
});
