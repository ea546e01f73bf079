import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { entryHash, GENESIS, verifyChain, type AuditFields } from '../../../src/audit/chain.js';

const key = randomBytes(32);
function chain(n: number): (AuditFields & { hash: string })[] {
  const out: (AuditFields & { hash: string })[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const e: AuditFields = {
      seq: i,
      at: `2026-01-01T00:00:0${i}Z`,
      actor_id: 'tok_1',
      actor_role: 'noc-admin',
      action: 'x.change',
      object_type: 'x',
      object_id: String(i),
      opd: null,
      before_json: null,
      after_json: `{"v":${i}}`,
      prev_hash: prev,
    };
    const hash = entryHash(key, e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

describe('audit hash chain', () => {
  it('verifies an intact chain', () => {
    expect(verifyChain(key, chain(5))).toMatchObject({ entries: 5, broken: null });
  });
  it('names an edited entry', () => {
    const c = chain(5);
    c[2]!.after_json = '{"v":999}';
    expect(verifyChain(key, c).broken).toEqual({ seq: 3, reason: 'content does not match its hash (the entry was edited)' });
  });
  it('names the entry after a deletion', () => {
    const c = chain(5);
    c.splice(1, 1);
    expect(verifyChain(key, c).broken?.seq).toBe(3);
  });
  it('detects reordering even when sequence numbers are rewritten', () => {
    const c = chain(4);
    const [a, b] = [c[1]!, c[2]!];
    c[1] = { ...b, seq: 2 };
    c[2] = { ...a, seq: 3 };
    expect(verifyChain(key, c).broken?.seq).toBe(2);
  });
  it('cannot be recomputed without the key', () => {
    const c = chain(3);
    c[1]!.after_json = '{"v":"forged"}';
    c[1]!.hash = entryHash(randomBytes(32), c[1]!);
    expect(verifyChain(key, c).broken?.seq).toBe(2);
  });
});
