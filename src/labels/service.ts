/**
 * Label validation for people: a list of labels checked on its own (grammar and meaning against
 * the inventory) and, for one OPD, together and against that OPD's latest diagram.
 */
import type { Actor } from '../auth/actor.js';
import { badRequest } from '../common/errors.js';
import { checkLabels, type LabelCheck, type LabelContext } from './validate.js';

export const MAX_LABELS = 5_000;

export class LabelService {
  constructor(private readonly context: (actor: Actor, opd?: string) => LabelContext) {}

  /** An opd-admin checks against its own OPD when it names none. */
  validate(actor: Actor, labels: readonly string[], opd?: string): { opd: string | null; checks: LabelCheck[] } {
    if (labels.length > MAX_LABELS) throw badRequest('TOO_MANY_LABELS', `send at most ${MAX_LABELS} labels per request (got ${labels.length})`, 'labels');
    const scope = opd ?? (actor.role === 'opd-admin' ? (actor.opd ?? undefined) : undefined);
    const ctx = this.context(actor, scope);
    const checks = checkLabels(labels, ctx);
    // An opd-admin never reads another office's port list.
    if (actor.role === 'opd-admin') for (const c of checks) for (const i of c.issues) if (i.office) i.message = i.office;
    return { opd: scope ?? null, checks };
  }
}

/** One label per line; blank lines and `#` comments are skipped. */
export function labelsFromText(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
