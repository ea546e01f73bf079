/**
 * What happened, as notification events: pure functions over the other domains' read models
 * (a request change, the active exceptions, the compliance rows), so the rules are unit-tested
 * without a store and the scan can run any number of times.
 */
import type { RequestChange } from '../requests/service.js';
import { dedupeKeys, type NotificationEvent } from './kinds.js';

const DAY = 86_400_000;

/** The words a person recognises a request by: its purpose, or the site it opens. */
function requestWhat(body: Record<string, unknown>): string | null {
  for (const k of ['purpose', 'domain', 'address']) if (typeof body[k] === 'string') return body[k] as string;
  return null;
}

/** What approval gave: the allocated prefix, or the exception that opens the site and until when. */
function requestOutcome(result: Record<string, unknown> | null): { outcome: string | null; until: string | null } {
  const prefix = (result?.prefix as { cidr?: unknown } | undefined)?.cidr;
  if (typeof prefix === 'string') return { outcome: prefix, until: null };
  const e = result?.exception as { value?: unknown; until?: unknown } | undefined;
  if (typeof e?.value === 'string') return { outcome: e.value, until: typeof e.until === 'string' ? e.until : null };
  return { outcome: null, until: null };
}

/**
 * Filed: the NOC; approved or rejected: whoever filed it. Cancelled: nobody (the requester did it).
 * `nameOf` gives a person's display name, so the NOC reads who filed, not an actor id.
 */
export function requestEvents(c: RequestChange, nameOf: (actorId: string) => string | null = () => null): NotificationEvent[] {
  const r = c.request;
  const base = { id: r.id, type: r.type, opd: r.opd, what: requestWhat(r.body) };
  switch (c.kind) {
    case 'filed':
      return [
        {
          kind: 'request-filed',
          dedupeKey: dedupeKeys.requestFiled(r.id),
          audience: { to: 'noc' },
          params: { ...base, filedBy: r.createdBy, by: nameOf(r.createdBy) },
          causedBy: r.createdBy,
        },
      ];
    case 'approved':
    case 'rejected':
      return [
        {
          kind: c.kind === 'approved' ? 'request-approved' : 'request-rejected',
          dedupeKey: dedupeKeys.requestDecided(r.id, c.kind),
          audience: { to: 'requester', actorId: r.createdBy, opd: r.opd },
          params: { ...base, reason: r.reason, ...requestOutcome(r.result) },
          causedBy: r.decidedBy ?? undefined,
        },
      ];
    default:
      return [];
  }
}

/** An unblock exception, as far as its ending matters. */
export interface ExceptionView {
  id: number;
  opd: string;
  value: string;
  until: string;
  state: string;
  requestId: number | null;
}

/** Active exceptions that end within `withinDays` (and have not ended yet): the office is told once. */
export function exceptionEndingEvents(exceptions: readonly ExceptionView[], now: Date, withinDays: number): NotificationEvent[] {
  const t = now.getTime();
  return exceptions
    .filter((e) => e.state === 'active' && Date.parse(e.until) > t && Date.parse(e.until) - t <= withinDays * DAY)
    .map((e) => ({
      kind: 'exception-ending' as const,
      dedupeKey: dedupeKeys.exceptionEnding(e.id),
      audience: { to: 'office' as const, opd: e.opd },
      params: { id: e.id, opd: e.opd, value: e.value, until: e.until, requestId: e.requestId },
    }));
}

/** One office's diagram deadline, as the compliance read gives it. */
export interface DeadlineView {
  opd: string;
  name: string;
  version: number | null;
  dueAt: string | null;
  daysUntilDeadline: number | null;
  overdue: boolean;
}

/**
 * Due within `withinDays` (30 by default): a reminder; past due (or never uploaded): overdue.
 * Each keyed by its due date, so one year's reminder does not silence the next year's.
 */
export function diagramEvents(rows: readonly DeadlineView[], withinDays: number): NotificationEvent[] {
  const out: NotificationEvent[] = [];
  for (const r of rows) {
    const params = { opd: r.opd, name: r.name, dueAt: r.dueAt, days: r.daysUntilDeadline, version: r.version };
    if (r.overdue) out.push({ kind: 'diagram-overdue', dedupeKey: dedupeKeys.diagramOverdue(r.opd, r.dueAt), audience: { to: 'office', opd: r.opd }, params });
    else if (r.dueAt && r.daysUntilDeadline !== null && r.daysUntilDeadline <= withinDays)
      out.push({ kind: 'diagram-due', dedupeKey: dedupeKeys.diagramDue(r.opd, r.dueAt), audience: { to: 'office', opd: r.opd }, params });
  }
  return out;
}
