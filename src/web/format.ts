import type { Lang } from '../i18n/i18n.js';

/** Formatting for pages: dates and times in the regency's zone, numbers the way each language writes them. */
export interface Format {
  /** "1 Des 2026 14.05 WIB" / "1 Dec 2026, 14:05 WIB"; '' for null. */
  dateTime(iso: string | Date | null | undefined): string;
  /** "1 Des 2026"; '' for null. */
  date(iso: string | Date | null | undefined): string;
  /** "14.05" / "14:05" in the regency's zone. */
  time(iso: string | Date | null | undefined): string;
  /** 12.345 (id) / 12,345 (en). */
  number(n: number | null | undefined, maxFractionDigits?: number): string;
  /** 0.873 -> "87,3%" (id) / "87.3%" (en). */
  percent(ratio: number | null | undefined, maxFractionDigits?: number): string;
  /** 1536 -> "1,5 KB"; decimal units as network people read them. */
  bytes(n: number | null | undefined): string;
  /** Bits per second: 12_500_000 -> "12,5 Mbit/s". */
  bps(n: number | null | undefined): string;
  /** The ISO string for a <time datetime="..."> attribute. */
  iso(iso: string | Date | null | undefined): string;
  /** The language tag given to Intl: id-ID or en-GB. */
  locale: string;
  timeZone: string;
}

const LOCALES: Record<Lang, string> = { id: 'id-ID', en: 'en-GB' };
const cache = new Map<string, Format>();

const toDate = (v: string | Date | null | undefined): Date | null => {
  if (v == null || v === '') return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};

function scaled(n: number, units: string[], step: number, num: (n: number, d: number) => string): string {
  let i = 0;
  while (Math.abs(n) >= step && i < units.length - 1) (n /= step), i++;
  return `${num(n, Math.abs(n) < 100 && i > 0 ? 1 : 0)} ${units[i]}`;
}

/** One formatter per language and zone; Intl objects are made once (they are slow to build). */
export function formatFor(lang: Lang, timeZone: string): Format {
  const key = `${lang}|${timeZone}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const locale = LOCALES[lang];
  const dt = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  // WIB, WITA, WIT are what people in Indonesia call the zones, in either language.
  const zone = new Intl.DateTimeFormat('id-ID', { timeZone, timeZoneName: 'short' });
  const d = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
  const t = new Intl.DateTimeFormat(locale, { timeZone, timeStyle: 'short' });
  const nums = new Map<number, Intl.NumberFormat>();
  const num = (n: number, digits: number) => {
    let f = nums.get(digits);
    if (!f) nums.set(digits, (f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits })));
    return f.format(n);
  };
  const pct = new Map<number, Intl.NumberFormat>();
  // formatToParts is slow and a page shows many times: a zone's name is looked up once per hour of time shown.
  const zoneNames = new Map<number, string>();
  const zoneName = (x: Date) => {
    const hour = Math.floor(x.getTime() / 3_600_000);
    let name = zoneNames.get(hour);
    if (name === undefined) {
      name = zone.formatToParts(x).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (zoneNames.size >= 10_000) zoneNames.clear();
      zoneNames.set(hour, name);
    }
    return name;
  };
  const f: Format = {
    locale,
    timeZone,
    dateTime: (v) => {
      const x = toDate(v);
      return x ? `${dt.format(x)} ${zoneName(x)}` : '';
    },
    date: (v) => {
      const x = toDate(v);
      return x ? d.format(x) : '';
    },
    time: (v) => {
      const x = toDate(v);
      return x ? t.format(x) : '';
    },
    number: (n, digits = 0) => (n == null || Number.isNaN(n) ? '' : num(n, digits)),
    percent: (r, digits = 1) => {
      if (r == null || Number.isNaN(r)) return '';
      let p = pct.get(digits);
      if (!p) pct.set(digits, (p = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits })));
      return p.format(r);
    },
    bytes: (n) => (n == null ? '' : scaled(n, ['B', 'KB', 'MB', 'GB', 'TB'], 1000, num)),
    bps: (n) => (n == null ? '' : scaled(n, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'], 1000, num)),
    iso: (v) => toDate(v)?.toISOString() ?? '',
  };
  cache.set(key, f);
  return f;
}
