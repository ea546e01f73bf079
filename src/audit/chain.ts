import { createHmac } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';

/** The fields of an audit entry that its hash covers (everything but the hash itself). */
export interface AuditFields {
  seq: number;
  at: string;
  actor_id: string;
  actor_role: string;
  action: string;
  object_type: string;
  object_id: string;
  opd: string | null;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
}

export const GENESIS = '0'.repeat(64);

/**
 * HMAC-SHA256 over the previous hash and the canonical entry. Keyed, so someone who can edit
 * the SQLite file but cannot read the key file cannot recompute a consistent chain.
 */
export function entryHash(key: Buffer, e: AuditFields): string {
  const body = canonicalJson([e.seq, e.at, e.actor_id, e.actor_role, e.action, e.object_type, e.object_id, e.opd, e.before_json, e.after_json]);
  return createHmac('sha256', key).update(e.prev_hash).update('\n').update(body).digest('hex');
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/** Pure check of a chain read in `seq` order; names the first entry that breaks it. */
export function verifyChain(key: Buffer, rows: Iterable<AuditFields & { hash: string }>): { entries: number; head: string; broken: ChainBreak | null } {
  let prev = GENESIS;
  let expected = 1;
  let n = 0;
  for (const r of rows) {
    if (r.seq !== expected)
      return { entries: n, head: prev, broken: { seq: r.seq, reason: `entry ${expected} is missing (deleted or renumbered); next found is ${r.seq}` } };
    if (r.prev_hash !== prev)
      return { entries: n, head: prev, broken: { seq: r.seq, reason: 'prev_hash does not match the previous entry (entries deleted, reordered or replaced)' } };
    if (entryHash(key, r) !== r.hash)
      return { entries: n, head: prev, broken: { seq: r.seq, reason: 'content does not match its hash (the entry was edited)' } };
    prev = r.hash;
    expected++;
    n++;
  }
  return { entries: n, head: prev, broken: null };
}
