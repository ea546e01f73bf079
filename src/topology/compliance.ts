/**
 * The yearly submission rule as arithmetic: an OPD's diagram is due `deadlineDays` after its last
 * upload; an OPD that never uploaded is overdue. Pure, so the API, the metrics and the tests agree.
 */
import type { Severity } from './model.js';

/** The latest version of one OPD's diagram, as far as compliance needs it. */
export interface LatestDiagram {
  opd: string;
  version: number;
  uploadedAt: string;
  findings: Record<Severity, number>;
  cables: number;
  validLabels: number;
}

export interface ComplianceRow {
  opd: string;
  name: string;
  version: number | null;
  lastDiagramAt: string | null;
  /** Whole days since the last upload. */
  ageDays: number | null;
  /** When the next diagram is due (last upload + deadline days). */
  dueAt: string | null;
  /** Whole days left until dueAt; negative once overdue; null when never uploaded. */
  daysUntilDeadline: number | null;
  overdue: boolean;
  findings: Record<Severity, number>;
  cables: number;
  validLabels: number;
  /** validLabels / cables, 0..1; null without a diagram or without cables. */
  validLabelShare: number | null;
}

const DAY = 86_400_000;

export function complianceRow(opd: { code: string; name: string }, latest: LatestDiagram | undefined, now: Date, deadlineDays: number): ComplianceRow {
  if (!latest)
    return {
      opd: opd.code,
      name: opd.name,
      version: null,
      lastDiagramAt: null,
      ageDays: null,
      dueAt: null,
      daysUntilDeadline: null,
      overdue: true,
      findings: { error: 0, warning: 0, info: 0 },
      cables: 0,
      validLabels: 0,
      validLabelShare: null,
    };
  const at = Date.parse(latest.uploadedAt);
  const due = at + deadlineDays * DAY;
  return {
    opd: opd.code,
    name: opd.name,
    version: latest.version,
    lastDiagramAt: latest.uploadedAt,
    ageDays: Math.max(0, Math.floor((now.getTime() - at) / DAY)),
    dueAt: new Date(due).toISOString(),
    daysUntilDeadline: Math.floor((due - now.getTime()) / DAY),
    overdue: now.getTime() > due,
    findings: { ...latest.findings },
    cables: latest.cables,
    validLabels: latest.validLabels,
    validLabelShare: latest.cables > 0 ? latest.validLabels / latest.cables : null,
  };
}
