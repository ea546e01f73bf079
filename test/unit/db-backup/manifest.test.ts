import { describe, expect, it } from 'vitest';
import { compareManifest, type Manifest, type Observed } from '../../../src/db-backup/manifest.js';

const m: Manifest = {
  format: 1,
  id: 'x',
  createdAt: '2026-11-23T01:00:00.000Z',
  simpulVersion: '0.1.0',
  schemaVersion: 16,
  rowCounts: { a: 3, b: 0 },
  auditHead: { seq: 9, hash: 'h9' },
  sentinel: { backupId: 'x', writtenAt: '2026-11-23T01:00:00.000Z' },
  parts: [{ name: 'simpul.db', size: 4096, sha256: 'ab'.repeat(32) }],
};
const o: Observed = {
  schemaVersion: 16,
  rowCounts: { a: 3, b: 0 },
  auditHead: { seq: 9, hash: 'h9' },
  sentinel: m.sentinel,
  parts: { 'simpul.db': { size: 4096, sha256: 'ab'.repeat(32) } },
};

describe('a manifest against its restored copy', () => {
  it('agrees with a faithful copy', () => expect(compareManifest(m, o)).toEqual([]));
  it('names each disagreement', () => {
    const reasons = (x: Partial<Observed>) => compareManifest(m, { ...o, ...x }).map((f) => f.reason);
    expect(reasons({ rowCounts: { a: 2, b: 0 } })).toEqual(['row-count-mismatch']);
    expect(reasons({ rowCounts: { a: 3 } })).toEqual(['row-count-mismatch']);
    expect(reasons({ parts: { 'simpul.db': { size: 4096, sha256: 'cd'.repeat(32) } } })).toEqual(['sha256-mismatch']);
    expect(reasons({ parts: {} })).toEqual(['part-missing']);
    expect(reasons({ schemaVersion: 15 })).toEqual(['schema-version-mismatch']);
    expect(reasons({ auditHead: { seq: 8, hash: 'h8' } })).toEqual(['audit-head-mismatch']);
    expect(reasons({ sentinel: null })).toEqual(['sentinel-missing']);
    expect(compareManifest(m, { ...o, rowCounts: { a: 2, b: 0 } })[0]!.detail).toBe('a: manifest 3, copy 2');
  });
});
