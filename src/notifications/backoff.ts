/** Retry delays for mail the SMTP server did not take: exponential, capped, never giving up. */
export interface BackoffPolicy {
  minSeconds: number;
  maxSeconds: number;
}

/**
 * Seconds to wait after the `attempts`-th failure (1 = the first): min, 2·min, 4·min... up to max.
 * No jitter: one daemon sends from one queue, so there is no herd to spread.
 */
export function backoffSeconds(attempts: number, p: BackoffPolicy): number {
  const n = Math.max(1, Math.floor(attempts));
  // 2^(n-1) overflows to Infinity long after it passed the cap; min() keeps it finite.
  return Math.min(p.maxSeconds, p.minSeconds * 2 ** Math.min(n - 1, 52));
}

/** When the next attempt is due, from the moment this one failed. */
export function nextAttemptAt(failedAt: Date, attempts: number, p: BackoffPolicy): Date {
  return new Date(failedAt.getTime() + backoffSeconds(attempts, p) * 1000);
}
