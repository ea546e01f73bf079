/**
 * What a backup says about itself, and the comparison of that with what a restored copy holds.
 * Pure: the snapshot and the restore test read the database; these functions only compare.
 */
export interface Manifest {
  format: 1;
  id: string;
  /** When the snapshot was taken (UTC ISO-8601). */
  createdAt: string;
  simpulVersion: string;
  /** Highest migration applied in the snapshot. */
  schemaVersion: number;
  rowCounts: Record<string, number>;
  auditHead: { seq: number; hash: string } | null;
  /** The sentinel written just before the snapshot: the recovery point. */
  sentinel: { backupId: string; writtenAt: string };
  parts: { name: string; size: number; sha256: string }[];
}

/** What a restored copy was found to hold. */
export interface Observed {
  schemaVersion: number;
  rowCounts: Record<string, number>;
  auditHead: { seq: number; hash: string } | null;
  sentinel: { backupId: string; writtenAt: string } | null;
  parts: Record<string, { size: number; sha256: string }>;
}

export interface Failure {
  /** Stable, for alerts and scripts: sha256-mismatch, row-count-mismatch, ... */
  reason: string;
  detail: string;
}

export function parseManifest(text: string): Manifest {
  const m = JSON.parse(text) as Manifest;
  if (m.format !== 1 || typeof m.id !== 'string' || !Array.isArray(m.parts) || typeof m.rowCounts !== 'object' || m.rowCounts === null)
    throw new Error('not a Simpul backup manifest (format 1)');
  return m;
}

/** Every way the restored copy differs from what its manifest promised. */
export function compareManifest(m: Manifest, o: Observed): Failure[] {
  const out: Failure[] = [];
  for (const p of m.parts) {
    const got = o.parts[p.name];
    if (!got) out.push({ reason: 'part-missing', detail: `part '${p.name}' listed in the manifest is not in the file` });
    else if (got.size !== p.size || got.sha256 !== p.sha256)
      out.push({
        reason: 'sha256-mismatch',
        detail: `part '${p.name}': manifest says ${p.size} bytes sha256 ${p.sha256.slice(0, 16)}…, file holds ${got.size} bytes sha256 ${got.sha256.slice(0, 16)}…`,
      });
  }
  if (o.schemaVersion !== m.schemaVersion)
    out.push({ reason: 'schema-version-mismatch', detail: `manifest says schema ${m.schemaVersion}, the copy is at ${o.schemaVersion}` });
  const tables = new Set([...Object.keys(m.rowCounts), ...Object.keys(o.rowCounts)]);
  const wrong = [...tables].sort().filter((t) => m.rowCounts[t] !== o.rowCounts[t]);
  if (wrong.length)
    out.push({
      reason: 'row-count-mismatch',
      detail:
        wrong
          .slice(0, 5)
          .map((t) => `${t}: manifest ${m.rowCounts[t] ?? 'absent'}, copy ${o.rowCounts[t] ?? 'absent'}`)
          .join('; ') + (wrong.length > 5 ? `; and ${wrong.length - 5} more tables` : ''),
    });
  if ((m.auditHead?.seq ?? 0) !== (o.auditHead?.seq ?? 0) || (m.auditHead?.hash ?? '') !== (o.auditHead?.hash ?? ''))
    out.push({ reason: 'audit-head-mismatch', detail: `manifest says audit head ${m.auditHead?.seq ?? 0}, the copy's is ${o.auditHead?.seq ?? 0}` });
  if (!o.sentinel) out.push({ reason: 'sentinel-missing', detail: 'the copy has no recovery-point sentinel' });
  else if (o.sentinel.backupId !== m.sentinel.backupId || o.sentinel.writtenAt !== m.sentinel.writtenAt)
    out.push({ reason: 'sentinel-mismatch', detail: `the copy's sentinel is from backup ${o.sentinel.backupId}, the manifest's from ${m.sentinel.backupId}` });
  return out;
}
