import { describe, expect, it } from 'vitest';
import { controlCharacterAt, TEXT_LINE_PATTERN, TEXT_LINES_PATTERN } from '../../../src/common/text.js';
import { endOfDay } from '../../../src/common/time.js';

describe('free text', () => {
  it('refuses C0, DEL and C1 controls; tab and line breaks only where lines are allowed', () => {
    expect(controlCharacterAt('Budi (NOC)')).toBe(-1);
    expect(controlCharacterAt('Dinas Kesehatan — Puskesmas')).toBe(-1);
    expect(controlCharacterAt('a\u0000b')).toBe(1);
    expect(controlCharacterAt('a\u001bb')).toBe(1);
    expect(controlCharacterAt('a\u007f')).toBe(1);
    expect(controlCharacterAt('a\u0085')).toBe(1);
    expect(controlCharacterAt('one\ntwo')).toBe(3);
    expect(controlCharacterAt('one\r\ntwo\tthree', true)).toBe(-1);
    expect(controlCharacterAt('one\u0000', true)).toBe(3);
  });

  it('the schema patterns say the same as the function', () => {
    const line = new RegExp(TEXT_LINE_PATTERN, 'u');
    const lines = new RegExp(TEXT_LINES_PATTERN, 'u');
    for (const s of ['ok', 'a\u0000', 'a\nb', 'a\tb', 'x\u009f', '<script>"\'']) {
      expect(line.test(s), JSON.stringify(s)).toBe(controlCharacterAt(s) === -1);
      expect(lines.test(s), JSON.stringify(s)).toBe(controlCharacterAt(s, true) === -1);
    }
  });
});

describe('end of a day in the regency zone', () => {
  it('is the last second of that day there', () => {
    expect(endOfDay('2026-12-31', 'Asia/Jakarta')).toBe('2026-12-31T16:59:59.000Z');
    expect(endOfDay('2026-12-31', 'Asia/Makassar')).toBe('2026-12-31T15:59:59.000Z');
    expect(endOfDay('2026-12-31', 'Asia/Jayapura')).toBe('2026-12-31T14:59:59.000Z');
    expect(endOfDay('2026-12-31', 'UTC')).toBe('2026-12-31T23:59:59.000Z');
    // a zone with daylight saving: the offset of that evening, not of the morning
    expect(endOfDay('2026-03-29', 'Europe/Berlin')).toBe('2026-03-29T21:59:59.000Z');
  });

  it('is null for a day that does not exist or text that is not a date', () => {
    expect(endOfDay('2026-02-30', 'Asia/Jakarta')).toBeNull();
    expect(endOfDay('2026-13-01', 'Asia/Jakarta')).toBeNull();
    expect(endOfDay('31-12-2026', 'Asia/Jakarta')).toBeNull();
  });
});
