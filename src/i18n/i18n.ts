import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n, type TOptions } from 'i18next';
import { projectRoot } from '../common/paths.js';

/** The languages of pages, mail and problem details: Bahasa Indonesia first, English second. */
export const LANGS = ['id', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'id';

export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGS as readonly string[]).includes(v);

/** Where the catalogs live: one JSON file per namespace per language, read from the repo, never OS locales. */
export const LOCALES_DIR = join(projectRoot(), 'src', 'i18n', 'locales');

type Catalog = Record<string, unknown>;

/** Reads every `locales/<lang>/<namespace>.json`; the same files under tsx and from dist/. */
export function readCatalogs(dir = LOCALES_DIR): Record<Lang, Record<string, Catalog>> {
  const out = {} as Record<Lang, Record<string, Catalog>>;
  for (const lang of LANGS) {
    out[lang] = {};
    for (const f of readdirSync(join(dir, lang))
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      out[lang][f.slice(0, -5)] = JSON.parse(readFileSync(join(dir, lang, f), 'utf8')) as Catalog;
    }
  }
  return out;
}

let instance: i18n | null = null;

/** One i18next instance for the process, loaded synchronously at first use. */
export function i18nInstance(): i18n {
  if (instance) return instance;
  const resources = readCatalogs();
  const inst = i18next.createInstance();
  void inst.init({
    resources,
    lng: DEFAULT_LANG,
    fallbackLng: false,
    supportedLngs: [...LANGS],
    ns: Object.keys(resources[DEFAULT_LANG]),
    defaultNS: 'common',
    initAsync: false,
    // Templates escape what they print; escaping here too would show &amp; to people.
    interpolation: { escapeValue: false },
    returnNull: false,
    // i18next prints an advertisement to stdout on init otherwise.
    showSupportNotice: false,
  });
  instance = inst;
  return inst;
}

export type Translate = (key: string, vars?: TOptions) => string;

const MEMO_LIMIT = 20_000;
const translators = new Map<Lang, Translate>();

const plain = (vars: TOptions): boolean =>
  Object.values(vars).every((v) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');

/**
 * A translate function bound to one language; keys are `namespace:path.to.key`. Answers are
 * memoised per key and plain variables: i18next's lookup was a quarter of a page's CPU, and a page
 * asks the same few hundred texts again and again. Calls with nested options or handlers go through.
 */
export function translator(lang: Lang): Translate {
  const hit = translators.get(lang);
  if (hit) return hit;
  const t = i18nInstance().getFixedT(lang) as Translate;
  const memo = new Map<string, string>();
  const memoised: Translate = (key, vars) => {
    if (vars !== undefined && !plain(vars)) return t(key, vars);
    const k = vars === undefined ? key : `${key}\u0000${JSON.stringify(vars)}`;
    let out = memo.get(k);
    if (out === undefined) {
      out = t(key, vars);
      // Bounded: variables such as counts and names make new keys; a full memo starts over.
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(k, out);
    }
    return out;
  };
  translators.set(lang, memoised);
  return memoised;
}

/**
 * One language from an `Accept-Language` header (q-values honoured); `fallback` (Bahasa Indonesia
 * unless the caller says otherwise) when the header is absent or names neither language, `*`
 * included. `in` is the old ISO code for Indonesian that some browsers send.
 */
export function langFromAcceptLanguage(header: string | undefined, fallback: Lang = DEFAULT_LANG): Lang {
  if (!header) return fallback;
  const tags = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag, q: q ? Number(q.slice(2)) || 0 : 1, i };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of tags) {
    if (tag.startsWith('id') || tag.startsWith('in')) return 'id';
    if (tag.startsWith('en')) return 'en';
  }
  return fallback;
}

/** A person's language: their account setting, then the `lang` cookie, then Accept-Language. */
export function chooseLang(account: string | null | undefined, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(account)) return account;
  if (isLang(cookie)) return cookie;
  return langFromAcceptLanguage(acceptLanguage);
}
