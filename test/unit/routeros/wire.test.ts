import { describe, expect, it } from 'vitest';
import { decodeLength, encodeLength, encodeSentence, SentenceDecoder, WireError } from '../../../src/routeros/wire.js';

describe('length prefixes', () => {
  const cases: [number, number[]][] = [
    [0, [0x00]],
    [0x7f, [0x7f]],
    [0x80, [0x80, 0x80]],
    [0x3fff, [0xbf, 0xff]],
    [0x4000, [0xc0, 0x40, 0x00]],
    [0x1fffff, [0xdf, 0xff, 0xff]],
    [0x200000, [0xe0, 0x20, 0x00, 0x00]],
    [0xfffffff, [0xef, 0xff, 0xff, 0xff]],
    [0x10000000, [0xf0, 0x10, 0x00, 0x00, 0x00]],
    [0xffffffff, [0xf0, 0xff, 0xff, 0xff, 0xff]],
  ];
  it.each(cases)('%i encodes to the documented bytes and back', (len, bytes) => {
    expect([...encodeLength(len)]).toEqual(bytes);
    expect(decodeLength(Buffer.from(bytes))).toEqual([bytes.length, len]);
  });

  it('says when a prefix is incomplete and refuses reserved control bytes', () => {
    expect(decodeLength(Buffer.from([0xc0, 0x40]))).toBeUndefined();
    expect(() => decodeLength(Buffer.from([0xf8]))).toThrow(WireError);
  });
});

describe('sentence decoder', () => {
  // words are latin1 strings: one char per byte, so UTF-8 text travels as its bytes
  const utf8 = Buffer.from('=n=é').toString('latin1');
  const words = ['!re', '.tag=7', `=comment=${'x'.repeat(200)}`, `=big=${'y'.repeat(20_000)}`, utf8];
  const bytes = Buffer.concat([encodeSentence(words), encodeSentence(['!done', '.tag=7'])]);

  it('measures word lengths in bytes', () => {
    expect(encodeSentence([utf8]).length).toBe(1 + 5 + 1);
  });

  it('returns the same sentences whatever the chunking', () => {
    for (const size of [1, 2, 3, 7, 128, 4096, bytes.length]) {
      const d = new SentenceDecoder();
      const out: string[][] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...d.push(bytes.subarray(i, i + size)));
      expect(out).toEqual([words, ['!done', '.tag=7']]);
    }
  });

  it('refuses words over the limit as soon as the prefix is read', () => {
    const d = new SentenceDecoder(1000);
    expect(() => d.push(encodeLength(5000))).toThrow(/5000 bytes exceeds the 1000-byte limit/);
  });
});
