import { describe, expect, it } from 'vitest';
import { CsvList, parseListLine, splitCsv } from '../../../src/blocking/list-formats.js';
import { readLines } from '../../../src/blocking/line-reader.js';

const values = (line: string, f: Parameters<typeof parseListLine>[1] = 'auto') => {
  const r = parseListLine(line, f);
  return r.kind === 'values' ? r.values.map((v) => `${v.kind}:${v.value}`) : r.kind === 'skip' ? 'skip' : `invalid:${r.code}`;
};

describe('list lines', () => {
  it('skips comments and blanks in every style', () => {
    for (const l of ['', '   ', '# comment', '! adblock comment', '// c comment', '[Adblock Plus 2.0]', '; ini comment']) expect(values(l)).toBe('skip');
  });

  it('reads plain names, wildcards, IPs and prefixes, with inline comments', () => {
    expect(values('Judi.example.')).toEqual(['domain:judi.example']);
    expect(values('*.slot.example  # all of it')).toEqual(['wildcard:slot.example']);
    expect(values('203.0.113.7')).toEqual(['address:203.0.113.7']);
    expect(values('2001:db8::/32')).toEqual(['prefix:2001:db8::/32']);
    expect(values('a.example b.example')).toBe('invalid:EXTRA_FIELDS');
  });

  it("reads hosts-file lines, several names per line, leaving the machine's own names", () => {
    expect(values('0.0.0.0 ads.example')).toEqual(['domain:ads.example']);
    expect(values('127.0.0.1\tads.example  tracker.example # x')).toEqual(['domain:ads.example', 'domain:tracker.example']);
    expect(values('127.0.0.1 localhost')).toBe('skip');
    expect(values('::1 ip6-localhost')).toBe('skip');
    expect(values('0.0.0.0 203.0.113.9', 'hosts')).toBe('invalid:IP_NOT_DOMAIN');
    expect(values('10.0.0.1 intranet.example', 'hosts')).toBe('invalid:HOSTS_NOT_SINK');
  });

  it('reads AdBlock ||name^ as a wildcard; other AdBlock rules are reported', () => {
    expect(values('||Poker.example^')).toEqual(['wildcard:poker.example']);
    expect(values('||poker.example^$important')).toEqual(['wildcard:poker.example']);
    expect(values('@@||ok.example^')).toBe('invalid:ADBLOCK_ALLOW_RULE');
    expect(values('example.com##.banner', 'adblock')).toBe('invalid:ADBLOCK_UNSUPPORTED');
    expect(values('||poker.example^$third-party')).toBe('invalid:ADBLOCK_OPTIONS');
    expect(values('||com^')).toBe('invalid:WILDCARD_TOO_BROAD');
  });

  it('keeps a format strict: an IP in a domain list, a name in an IP list', () => {
    expect(values('203.0.113.7', 'domains')).toBe('invalid:IP_NOT_DOMAIN');
    expect(values('example.com', 'ip')).toBe('invalid:DOMAIN_NOT_IP');
    expect(values('example.com', 'domains')).toEqual(['domain:example.com']);
  });

  it('reads CSV by its header column', () => {
    expect(splitCsv('"a,b",c,"d ""q"""')).toEqual(['a,b', 'c', 'd "q"']);
    expect(splitCsv('"open')).toBeNull();
    const csv = new CsvList();
    expect(csv.line('No,Domain,Keterangan').kind).toBe('skip');
    expect(csv.line('1,Judi.Example,"judi, online"')).toEqual({ kind: 'values', values: [{ kind: 'domain', value: 'judi.example' }] });
    expect(csv.line('2,203.0.113.1,x')).toMatchObject({ kind: 'invalid', code: 'IP_NOT_DOMAIN' });
    expect(csv.line('3,,x')).toMatchObject({ kind: 'invalid', code: 'CSV_EMPTY' });
    const noHeader = new CsvList();
    expect(noHeader.line('judi.example')).toMatchObject({ kind: 'invalid', code: 'CSV_HEADER' });
  });
});

async function* chunks(...parts: (string | Buffer)[]) {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
}
const collect = async (src: AsyncIterable<Buffer>, maxLineBytes = 16, maxBytes = 1000) => {
  const out: { n: number; text: string | null; code?: string }[] = [];
  for await (const b of readLines(src, { maxLineBytes, maxBytes }))
    for (const l of b) out.push({ n: l.n, text: l.text, ...(l.error ? { code: l.error.code } : {}) });
  return out;
};

describe('line reader', () => {
  it('splits across chunk boundaries, strips CR, numbers lines', async () => {
    expect(await collect(chunks('ab', 'c\r\nde', 'f\n\ngh'))).toEqual([
      { n: 1, text: 'abc' },
      { n: 2, text: 'def' },
      { n: 3, text: '' },
      { n: 4, text: 'gh' },
    ]);
  });

  it('reports a line over the cap without keeping it, and goes on', async () => {
    expect(await collect(chunks('short\n', 'x'.repeat(10), 'x'.repeat(10), 'x'.repeat(10), '\nnext\n'))).toEqual([
      { n: 1, text: 'short' },
      { n: 2, text: null, code: 'LINE_TOO_LONG' },
      { n: 3, text: 'next' },
    ]);
  });

  it('reports invalid UTF-8 per line, including a UTF-8 sequence split across chunks being valid', async () => {
    const e = Buffer.from('é');
    expect(
      await collect(
        chunks(Buffer.from([0x61, 0xff, 0xfe, 0x0a]), Buffer.concat([Buffer.from('b'), e.subarray(0, 1)]), Buffer.concat([e.subarray(1), Buffer.from('\n')])),
      ),
    ).toEqual([
      { n: 1, text: null, code: 'INVALID_UTF8' },
      { n: 2, text: 'bé' },
    ]);
  });

  it('stops at the size limit with a 413', async () => {
    await expect(collect(chunks('a\n'.repeat(400), 'b\n'.repeat(400)), 16, 1000)).rejects.toMatchObject({ status: 413, code: 'IMPORT_TOO_LARGE' });
  });
});
