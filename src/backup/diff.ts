// Line diffs between stored versions (their comparable text, so the timestamp line never shows).
import { createTwoFilesPatch, diffLines } from 'diff';

/** Bounded work: a diff of two unrelated 100,000-line exports gives up instead of holding the loop. */
const TIMEOUT_MS = 2000;

/** Lines added and removed from `before` to `after`, or null when the diff took too long. */
export function changedLines(before: string, after: string): { added: number; removed: number } | null {
  const parts = diffLines(before, after, { timeout: TIMEOUT_MS });
  if (!parts) return null;
  let added = 0;
  let removed = 0;
  for (const p of parts) {
    if (p.added) added += p.count;
    else if (p.removed) removed += p.count;
  }
  return { added, removed };
}

export interface DiffSide {
  label: string;
  header: string;
  text: string;
}

/** A unified diff, or null when it took too long to compute. */
export function unifiedDiff(a: DiffSide, b: DiffSide, context = 3): string | null {
  return createTwoFilesPatch(a.label, b.label, a.text, b.text, a.header, b.header, { context, timeout: TIMEOUT_MS }) ?? null;
}
