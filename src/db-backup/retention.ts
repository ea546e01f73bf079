/**
 * Which backups retention keeps: N hourly, daily, weekly, monthly (the newest backup of each of
 * the last N periods, as restic and borg count them). Pure. Nothing newer than the newest backup
 * that passed its restore test is ever pruned, nor that one itself: a backup is only let go once a
 * newer one is known to restore.
 */
export interface RetentionPolicy {
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
}

export interface Candidate {
  id: string;
  /** UTC ISO-8601 */
  at: string;
  /** Passed a restore test. */
  verified: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO week as `YYYY-Www` (the week's Thursday decides its year). */
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const start = Date.UTC(t.getUTCFullYear(), 0, 1);
  return `${t.getUTCFullYear()}-W${pad(Math.ceil(((t.getTime() - start) / 86_400_000 + 1) / 7))}`;
}

const PERIODS: [keyof RetentionPolicy, (d: Date) => string][] = [
  ['hourly', (d) => d.toISOString().slice(0, 13)],
  ['daily', (d) => d.toISOString().slice(0, 10)],
  ['weekly', isoWeek],
  ['monthly', (d) => d.toISOString().slice(0, 7)],
];

export function choosePrune(backups: readonly Candidate[], policy: RetentionPolicy): { keep: string[]; prune: string[] } {
  const newestFirst = [...backups].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const anchor = newestFirst.find((b) => b.verified);
  if (!anchor) return { keep: newestFirst.map((b) => b.id), prune: [] };
  const keep = new Set<string>([anchor.id]);
  for (const b of newestFirst) if (b.at > anchor.at) keep.add(b.id);
  for (const [rule, period] of PERIODS) {
    const seen = new Set<string>();
    for (const b of newestFirst) {
      if (seen.size >= policy[rule]) break;
      const p = period(new Date(b.at));
      if (seen.has(p)) continue;
      seen.add(p);
      keep.add(b.id);
    }
  }
  return { keep: newestFirst.filter((b) => keep.has(b.id)).map((b) => b.id), prune: newestFirst.filter((b) => !keep.has(b.id)).map((b) => b.id) };
}
