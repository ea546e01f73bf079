import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { formValidator } from '../../../src/web/forms.js';
import { formatFor } from '../../../src/web/format.js';
import { translator } from '../../../src/i18n/i18n.js';

const Form = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 5 }),
    size: Type.Integer({ minimum: 1, maximum: 100 }),
    kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
  },
  { additionalProperties: false },
);
const check = formValidator(Form);

describe('form validation', () => {
  it('reports every field at once, in the person language', () => {
    const r = check({ name: '', size: '500', kind: 'z', _csrf: 't' }, translator('id'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({ name: 'Wajib diisi.', size: 'Paling besar 100.', kind: 'Pilih salah satu pilihan yang ada.' });
    const en = check({ name: 'toolong' }, translator('en'));
    expect(!en.ok && en.errors).toEqual({ name: 'At most 5 characters.', size: 'Required.', kind: 'Required.' });
  });

  it('coerces numbers, drops unknown fields and the CSRF token', () => {
    const r = check({ name: 'ab', size: '7', kind: 'a', _csrf: 't', extra: 'x' }, translator('id'));
    expect(r.ok && r.value).toEqual({ name: 'ab', size: 7, kind: 'a' });
  });
});

describe('page formatting', () => {
  it('shows times in the regency zone and numbers per language', () => {
    const id = formatFor('id', 'Asia/Makassar');
    expect(id.dateTime('2026-03-01T07:05:00Z')).toMatch(/15\.05 WITA$/);
    expect(id.number(12345.6, 1)).toBe('12.345,6');
    expect(formatFor('en', 'Asia/Jakarta').number(12345.6, 1)).toBe('12,345.6');
    expect(id.dateTime(null)).toBe('');
  });
});
