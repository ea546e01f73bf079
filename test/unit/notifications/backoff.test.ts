import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { backoffSeconds, nextAttemptAt } from '../../../src/notifications/backoff.js';

const policy = { minSeconds: 60, maxSeconds: 3600 };

describe('mail retry backoff', () => {
  it('doubles from the minimum after each failure and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffSeconds(n, policy))).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('stays finite and capped after any number of failures (a server down for a month)', () => {
    expect(backoffSeconds(10_000, policy)).toBe(3600);
    expect(backoffSeconds(0, policy)).toBe(60);
  });

  it('dates the next attempt from the failure, on the injected clock', () => {
    const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
    expect(nextAttemptAt(clock.now(), 1, policy).toISOString()).toBe('2026-03-01T08:01:00.000Z');
    clock.advance(3 * 3600_000);
    expect(nextAttemptAt(clock.now(), 3, policy).toISOString()).toBe('2026-03-01T11:04:00.000Z');
    expect(nextAttemptAt(clock.now(), 50, policy).toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });
});
