import { describe, expect, it } from 'vitest';
import { choosePrune, type Candidate } from '../../../src/db-backup/retention.js';

/** One backup every 6 hours for `days` days before 2026-11-23T00:00Z, newest first. */
function every6h(days: number, verified: (i: number) => boolean = () => true): Candidate[] {
  const out: Candidate[] = [];
  const end = Date.parse('2026-11-23T00:00:00Z');
  for (let i = 0; i < days * 4; i++) out.push({ id: `b${i}`, at: new Date(end - i * 6 * 3_600_000).toISOString(), verified: verified(i) });
  return out;
}

describe('retention', () => {
  it('keeps the newest of each of the last N days, weeks, months', () => {
    const all = every6h(90);
    const { keep, prune } = choosePrune(all, { hourly: 0, daily: 7, weekly: 4, monthly: 3 });
    expect(keep.length + prune.length).toBe(all.length);
    // 7 daily newest-of-day, plus the newest of older weeks and months
    expect(keep.slice(0, 7)).toEqual(['b0', 'b1', 'b5', 'b9', 'b13', 'b17', 'b21']);
    expect(keep.length).toBeLessThanOrEqual(7 + 4 + 3);
    expect(keep).toContain('b0');
  });
  it('prunes nothing until a backup passed its restore test', () => {
    const all = every6h(30, () => false);
    expect(choosePrune(all, { hourly: 1, daily: 1, weekly: 0, monthly: 0 }).prune).toEqual([]);
  });
  it('never prunes the newest verified backup nor anything newer', () => {
    // the 10 newest are untested; b10 passed
    const all = every6h(30, (i) => i === 10);
    const { keep, prune } = choosePrune(all, { hourly: 1, daily: 0, weekly: 0, monthly: 0 });
    for (let i = 0; i <= 10; i++) expect(keep).toContain(`b${i}`);
    expect(prune).toContain('b11');
    expect(prune).not.toContain('b10');
  });
});
