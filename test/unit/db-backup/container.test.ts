import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader, type FormatError, PartParser, partHeader, type FileHeader } from '../../../src/db-backup/container.js';

const header: FileHeader = {
  v: 1,
  alg: 'aes-256-gcm',
  nonce: Buffer.alloc(12, 1).toString('base64'),
  keyCheck: '0011223344556677',
  id: '20261123T010000Z-abcdef',
  createdAt: '2026-11-23T01:00:00.000Z',
};

function parse(payload: Buffer, chunk: number) {
  const parts: { name: string; size: number; data: Buffer[] }[] = [];
  const p = new PartParser({
    begin: (name, size) => parts.push({ name, size, data: [] }),
    data: (c) => parts.at(-1)!.data.push(Buffer.from(c)),
    end: () => {},
  });
  for (let i = 0; i < payload.length; i += chunk) p.push(payload.subarray(i, i + chunk));
  p.finish();
  return parts.map((x) => ({ name: x.name, size: x.size, text: Buffer.concat(x.data).toString() }));
}

describe('backup file header', () => {
  it('round-trips and says how many bytes it took', () => {
    const b = Buffer.concat([encodeHeader(header), Buffer.from('rest')]);
    const d = decodeHeader(b);
    expect(d.header).toEqual(header);
    expect(b.subarray(d.bytes).toString()).toBe('rest');
  });
  it('names what is wrong with a file that is not a backup', () => {
    const reason = (b: Buffer) => {
      try {
        decodeHeader(b);
        return 'ok';
      } catch (e) {
        return (e as FormatError).reason;
      }
    };
    expect(reason(Buffer.from('SIMP'))).toBe('truncated');
    expect(reason(Buffer.from('SQLite format 3\0 and more'))).toBe('not-a-backup');
    expect(reason(encodeHeader(header).subarray(0, 20))).toBe('truncated');
    expect(reason(encodeHeader({ ...header, alg: 'rot13' as 'aes-256-gcm' }))).toBe('corrupt');
  });
});

describe('payload parts', () => {
  const payload = Buffer.concat([
    partHeader('manifest.json', 7),
    Buffer.from('{"a":1}'),
    partHeader('simpul.db', 11),
    Buffer.from('hello world'),
    partHeader('empty', 0),
  ]);
  it('splits the same way whatever the chunk boundaries', () => {
    const want = [
      { name: 'manifest.json', size: 7, text: '{"a":1}' },
      { name: 'simpul.db', size: 11, text: 'hello world' },
      { name: 'empty', size: 0, text: '' },
    ];
    for (const n of [1, 2, 3, 7, 13, payload.length]) expect(parse(payload, n)).toEqual(want);
  });
  it('refuses a payload cut inside a part', () => {
    expect(() => parse(payload.subarray(0, payload.length - 12), 5)).toThrow(/ends inside a part/);
  });
});
