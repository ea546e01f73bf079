// The inventory's read interface for other domains: they ask here and never name its tables.
import type { Db } from '../store/db.js';

/** Whether an OPD with this code is in the inventory (inside the caller's transaction when given tx.db). */
export const hasOpd = (db: Db, code: string): boolean => !!db.prepare('SELECT 1 FROM opds WHERE code = ?').get(code);
