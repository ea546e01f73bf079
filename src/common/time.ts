/** Dates people write ("until 2026-12-31") read in the regency's zone. */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isPlainDate = (s: string): boolean => DATE.test(s);

/** How far `tz` is ahead of UTC at `instant`, in milliseconds (Intl, no OS locale data needed). */
function offsetAt(instant: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(instant / 1000) * 1000;
}

/**
 * The last second of a calendar day in a zone, as a UTC ISO string: "2026-12-31" in Asia/Jakarta
 * is 2026-12-31T16:59:59.000Z. Null when the date does not exist (2026-02-30).
 */
export function endOfDay(date: string, tz: string): string | null {
  const m = DATE.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const local = Date.UTC(y, mo - 1, d, 23, 59, 59);
  const check = new Date(local);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  // Two passes settle the offset even across a change of offset on that day.
  let t = local - offsetAt(local, tz);
  t = local - offsetAt(t, tz);
  return new Date(t).toISOString();
}

/** Western Indonesia Time (WIB), the zone of most regencies; config `timezone` overrides it. */
export const DEFAULT_TIMEZONE = 'Asia/Jakarta';
