// The requests domain's read interface for other domains (they never name its tables).
import type { Db } from '../store/db.js';

/** Approved requests of a type with their results (an unreadable result reads as null). */
export function approvedResults(db: Db, type: string): { requestId: number; result: unknown }[] {
  const rows = db.prepare("SELECT id, result_json FROM requests WHERE type = ? AND state = 'approved'").all(type) as {
    id: number;
    result_json: string | null;
  }[];
  return rows.map((r) => {
    try {
      return { requestId: r.id, result: JSON.parse(r.result_json ?? 'null') as unknown };
    } catch {
      return { requestId: r.id, result: null };
    }
  });
}
