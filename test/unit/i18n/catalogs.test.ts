import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseLang, langFromAcceptLanguage, LANGS, readCatalogs, translator } from '../../../src/i18n/i18n.js';

/** Every leaf key of a catalog, as `a.b.c`. */
function leaves(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object') return [prefix];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** Keys present in one language and missing in another, as `lang ns:key`. */
function parityProblems(cats: ReturnType<typeof readCatalogs>): string[] {
  const problems: string[] = [];
  const namespaces = new Set(LANGS.flatMap((l) => Object.keys(cats[l])));
  for (const ns of namespaces) {
    const keys = Object.fromEntries(LANGS.map((l) => [l, new Set(leaves(cats[l][ns] ?? {}))]));
    for (const l of LANGS) {
      for (const other of LANGS) {
        for (const k of keys[other]!) if (!keys[l]!.has(k)) problems.push(`${l} ${ns}:${k}`);
      }
    }
  }
  return [...new Set(problems)].sort();
}

describe('i18n catalogs', () => {
  it('every key exists in every language, and no value is empty', () => {
    const cats = readCatalogs();
    expect(parityProblems(cats)).toEqual([]);
    for (const l of LANGS)
      for (const [ns, cat] of Object.entries(cats[l]))
        for (const k of leaves(cat)) {
          const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], cat);
          expect(typeof v === 'string' && v.trim() !== '', `${l} ${ns}:${k} is empty`).toBe(true);
        }
  });

  it('the parity check catches a key missing in one language', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simpul-i18n-'));
    for (const l of LANGS) mkdirSync(join(dir, l));
    writeFileSync(join(dir, 'id', 'x.json'), JSON.stringify({ a: { b: 'satu', c: 'dua' } }));
    writeFileSync(join(dir, 'en', 'x.json'), JSON.stringify({ a: { b: 'one' } }));
    expect(parityProblems(readCatalogs(dir))).toEqual(['en x:a.c']);
  });

  it('translates from the repo catalogs without OS locales', () => {
    expect(translator('id')('common:app.tagline')).toBe('Jaringan Intra Pemerintah Daerah');
    expect(translator('en')('common:app.tagline')).toBe('Regional Government Intranet');
  });

  it('memoised answers stay right per language and variables; nested options are not memoised', () => {
    const t = translator('id');
    expect(t('common:app.tagline')).toBe('Jaringan Intra Pemerintah Daerah');
    expect(t('common:app.tagline')).toBe('Jaringan Intra Pemerintah Daerah');
    expect(translator('en')('common:app.tagline')).toBe('Regional Government Intranet');
    expect(translator('id')).toBe(t);
    // the same key with other variables, and a handler option that must run each time
    const p = translator('en');
    expect(p('problems:POOL_EXHAUSTED', { largestFree: '10.0.0.0/24' })).not.toBe(p('problems:POOL_EXHAUSTED', { largestFree: '10.9.0.0/28' }));
    let called = 0;
    const handler = () => (called++, '');
    p('inbox:summary', { unread: 1, missingInterpolationHandler: handler } as never);
    p('inbox:summary', { unread: 1, missingInterpolationHandler: handler } as never);
    expect(called).toBe(2);
  });

  it('chooses the account language, then the cookie, then Accept-Language (q-values), Indonesian by default', () => {
    expect(chooseLang('en', 'id', 'id')).toBe('en');
    expect(chooseLang(null, 'en', 'id')).toBe('en');
    expect(chooseLang(null, 'xx', 'fr, en;q=0.8, id;q=0.9')).toBe('id');
    expect(langFromAcceptLanguage('en-US,en;q=0.9')).toBe('en');
    expect(langFromAcceptLanguage('id;q=0, en;q=0.1')).toBe('en');
    expect(langFromAcceptLanguage('fr')).toBe('id');
    expect(langFromAcceptLanguage(undefined)).toBe('id');
  });
});
