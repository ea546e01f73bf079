/** What Simpul tells people about, and which config switch governs each kind's mail. */
export const NOTIFICATION_KINDS = ['request-filed', 'request-approved', 'request-rejected', 'exception-ending', 'diagram-due', 'diagram-overdue'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The `notifications.kinds` switches: one per thing a regency may want mailed or not (phpIPAM #805). */
export interface KindSwitches {
  requestFiled: boolean;
  requestDecided: boolean;
  exceptionEnding: boolean;
  diagramDue: boolean;
}

export const KIND_SWITCH: Record<NotificationKind, keyof KindSwitches> = {
  'request-filed': 'requestFiled',
  'request-approved': 'requestDecided',
  'request-rejected': 'requestDecided',
  'exception-ending': 'exceptionEnding',
  'diagram-due': 'diagramDue',
  'diagram-overdue': 'diagramDue',
};

export const mailSwitchedOn = (kind: NotificationKind, switches: KindSwitches): boolean => switches[KIND_SWITCH[kind]];

/** Values a notification's text is made from; stored as JSON, rendered in the reader's language. */
export type NotificationParams = Record<string, string | number | null>;

/** Who is told: the NOC, the person who filed a request (or its office), or an office's admins. */
export type Audience = { to: 'noc' } | { to: 'requester'; actorId: string; opd: string } | { to: 'office'; opd: string };

/**
 * One thing that happened, before it is fanned out to people. The dedupe key names the event, so
 * a periodic scan (or a restart) that sees it again adds nothing: (person, key) is unique.
 */
export interface NotificationEvent {
  kind: NotificationKind;
  dedupeKey: string;
  audience: Audience;
  params: NotificationParams;
  /** Who caused it: never told about their own act. */
  causedBy?: string;
}

/** Dedupe keys, one per event (not per scan): an ending exception is one event, a deadline one per due date. */
export const dedupeKeys = {
  requestFiled: (id: number) => `request-filed:${id}`,
  requestDecided: (id: number, state: 'approved' | 'rejected') => `request-${state}:${id}`,
  exceptionEnding: (id: number) => `exception-ending:${id}`,
  /** Per due date: the next year's deadline (after a new upload) is a new event. */
  diagramDue: (opd: string, dueAt: string) => `diagram-due:${opd}:${dueAt.slice(0, 10)}`,
  /** `never` for an office that never uploaded: told once, not on every scan. */
  diagramOverdue: (opd: string, dueAt: string | null) => `diagram-overdue:${opd}:${dueAt ? dueAt.slice(0, 10) : 'never'}`,
};
