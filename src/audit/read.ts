// The audit log's read interface for other domains (the DRC backup describes and checks copies).
import type { Db } from '../store/db.js';
import type { AuditFields } from './chain.js';

/** The newest entry's sequence number and hash, or null for an empty log. */
export const auditHead = (db: Db): { seq: number; hash: string } | null =>
  (db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? null;

/** Every entry in order, to verify the chain. */
export const auditEntries = (db: Db): IterableIterator<AuditFields & { hash: string }> =>
  db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditFields & { hash: string }>;
