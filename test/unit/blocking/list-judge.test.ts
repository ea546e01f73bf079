import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/blocking/line-reader.js';
import { ListJudge } from '../../../src/blocking/list-judge.js';
import { ALWAYS_PROTECTED, type Safety } from '../../../src/blocking/normalize.js';
import { parsePrefix } from '../../../src/common/net/cidr.js';
import type { ListFormat } from '../../../src/blocking/list-formats.js';

const safety: Safety = {
  protected: [...ALWAYS_PROTECTED, { prefix: parsePrefix('10.20.0.0/16'), why: 'the opd-lan pool lan (10.20.0.0/16)' }],
  minLength: { 4: 8, 6: 16 },
  domains: ['kab.example'],
};

/** Judges `bytes` fed in chunks of `size` bytes (0: in one piece). */
function judge(bytes: Buffer, size = 0, format: ListFormat = 'auto', maxLineBytes = 1024) {
  const j = new ListJudge({ format, safety, maxReported: 5 });
  const lines = new LineSplitter(maxLineBytes, j.line);
  if (!size) lines.push(bytes);
  else for (let i = 0; i < bytes.length; i += size) lines.push(bytes.subarray(i, i + size));
  lines.end();
  const { summary, kept } = j.finish();
  return { summary, kept: Object.fromEntries([...kept].filter(([, v]) => v.length)) };
}

const MIXED = Buffer.concat([
  Buffer.from(
    [
      '# feed',
      'Judi.Example.',
      '*.slot.example',
      'a.slot.example',
      '*.deep.slot.example',
      'x.deep.slot.example',
      '0.0.0.0 bet.example bet2.example',
      '||poker.example^',
      'poker.example\r',
      '203.0.113.7',
      '198.51.100.0/24',
      'judi.example',
      'bad$name.example',
      '*.com',
      '0.0.0.0/0',
      '10.20.1.0/24',
      'www.kab.example',
      'bücher.example',
      '\ufeffbom.example',
    ].join('\n') + '\n',
  ),
  Buffer.from([0xff, 0xfe, 0x0a]),
  Buffer.from(`${'y'.repeat(2000)}\nlast.example`),
]);

describe('ListJudge', () => {
  it('judges a mixed list as the importer always has: counts, listed problems in line order, kept values sorted by kind then value', () => {
    const { summary, kept } = judge(MIXED);
    expect(summary).toMatchObject({ lines: 22, accepted: 10, duplicates: 1, redundant: 4, invalid: 4, refused: 3, errorsNotListed: 2 });
    expect(summary.errors.map((e) => [e.line, e.code])).toEqual([
      [13, 'BAD_CHARACTERS'],
      [14, 'WILDCARD_TOO_BROAD'],
      [15, 'COVERS_INTERNET'],
      [16, 'INSIDE_PROTECTED'],
      [17, 'PROTECTED_DOMAIN'],
    ]);
    // In reversed-label order: the names under one wildcard together.
    expect(summary.redundantExamples).toEqual([
      { line: 9, code: 'REDUNDANT', reason: 'poker.example is covered by *.poker.example (line 8)' },
      { line: 4, code: 'REDUNDANT', reason: 'a.slot.example is covered by *.slot.example (line 3)' },
      { line: 5, code: 'REDUNDANT', reason: '*.deep.slot.example is covered by *.slot.example (line 3)' },
      { line: 6, code: 'REDUNDANT', reason: 'x.deep.slot.example is covered by *.slot.example (line 3)' },
    ]);
    expect(kept).toEqual({
      address: ['203.0.113.7'],
      domain: ['bet.example', 'bet2.example', 'bom.example', 'judi.example', 'last.example', 'xn--bcher-kva.example'],
      prefix: ['198.51.100.0/24'],
      wildcard: ['poker.example', 'slot.example'],
    });
  });

  it('gives the same answer however the bytes are cut into chunks (across lines, CRLF, multi-byte characters)', () => {
    const whole = judge(MIXED);
    for (const size of [1, 2, 3, 7, 64, 1000]) expect(judge(MIXED, size)).toEqual(whole);
  });

  it('reads a plain ASCII list in one go with the same line numbers, CR stripped and long lines refused', () => {
    const bytes = Buffer.from(`ok.example\r\n${'z'.repeat(40)}\nbad..x\n\nend.example`);
    const whole = judge(bytes, 0, 'auto', 32);
    expect(whole.summary).toMatchObject({ lines: 5, accepted: 2, invalid: 2 });
    expect(whole.summary.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'LINE_TOO_LONG'],
      [3, 'EMPTY_LABEL'],
    ]);
    expect(whole.kept).toEqual({ domain: ['end.example', 'ok.example'] });
    for (const size of [1, 5, 13]) expect(judge(bytes, size, 'auto', 32)).toEqual(whole);
  });

  it('reads CSV by its header, the first line only', () => {
    const { summary, kept } = judge(Buffer.from('domain,note\nphish.example,x\n203.0.113.9,y\n'), 0, 'csv');
    expect(summary).toMatchObject({ lines: 3, accepted: 1, invalid: 1 });
    expect(summary.errors[0]).toMatchObject({ line: 3, code: 'IP_NOT_DOMAIN' });
    expect(kept).toEqual({ domain: ['phish.example'] });
  });
});
