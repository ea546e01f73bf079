import { AppError, notFound } from '../../common/errors.js';
import type { Translate } from '../../i18n/i18n.js';
import { prefixLengthForHosts } from '../../ipam/core/size.js';
import type { Services } from '../../http/context.js';
import type { RequestRecord } from '../../requests/service.js';
import { namesOf } from '../people.js';
import type { FieldErrors } from '../forms.js';

export const PAGE_SIZE = 20;
export const STATES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export const TYPES = ['ip-block', 'unblock'] as const;

/** A path id: digits only; anything else is a request that does not exist (404 page), never a 500. */
export function idParam(raw: unknown): number {
  const id = typeof raw === 'string' && /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw notFound('request', String(raw).slice(0, 40));
  return id;
}

/** What the pages show of a request; templates never read `body` or `result` shapes themselves. */
export interface RequestView {
  id: number;
  type: string;
  opd: string;
  state: string;
  /** The words a person recognises it by: the size asked, or the site. */
  what: string;
  purpose: string | null;
  justification: string | null;
  duty: string | null;
  /** Unblock: the end asked for (UTC ISO). */
  until: string | null;
  /** Unblock: the entries that block the site, as `category: value`. */
  blockedBy: string[];
  createdAt: string;
  createdByName: string;
  decidedAt: string | null;
  decidedByName: string | null;
  reason: string | null;
  /** Approved ip-block: the block given. */
  prefix: string | null;
  /** Approved unblock: the exception's end. */
  openUntil: string | null;
  steps: { at: string; name: string; step: string; detail: string }[];
}

/** IPv6 office LANs are always a /64: SLAAC and every host stack expect it, whatever the count. */
export const IPV6_LAN = 64;

/**
 * A number of devices as the block that holds them with room for network, broadcast and the
 * gateway: 28 devices -> /27, 30 usable addresses.
 */
export function blockForDevices(devices: number, family: 4 | 6): { prefixLength: number; usable: number | null } {
  if (family === 6) return { prefixLength: IPV6_LAN, usable: null };
  const prefixLength = prefixLengthForHosts(devices, 4);
  return { prefixLength, usable: 2 ** (32 - prefixLength) - 2 };
}

/** "/27, 30 alamat" in the person's language. */
export function blockText(t: Translate, family: number, prefixLength: number | undefined, addresses?: number): string {
  if (prefixLength === undefined) return addresses !== undefined ? t('requests:size.addresses', { count: addresses }) : '';
  if (family === 6) return t('requests:size.v6', { len: prefixLength });
  const usable = prefixLength >= 31 ? 2 ** (32 - prefixLength) : 2 ** (32 - prefixLength) - 2;
  return t('requests:size.v4', { len: prefixLength, count: usable });
}

/** A person's name for an actor id when the request did not keep one (rows from before names were kept). */
export function nameFor(s: Services, t: Translate, actorId: string, kept: string | null): string {
  if (kept) return kept;
  if (actorId.startsWith('system:')) return t('requests:who.system');
  return namesOf(s, [actorId]).get(actorId) ?? t('requests:who.unknown');
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function requestView(s: Services, t: Translate, r: RequestRecord): RequestView {
  const b = r.body;
  const site = str(b.domain) ?? str(b.address);
  const prefix = (r.result?.prefix as { cidr?: unknown } | undefined)?.cidr;
  const exception = r.result?.exception as { until?: unknown } | undefined;
  return {
    id: r.id,
    type: r.type,
    opd: r.opd,
    state: r.state,
    what: site ?? blockText(t, Number(b.family ?? 4), b.prefixLength as number | undefined, b.addresses as number | undefined),
    purpose: str(b.purpose),
    justification: str(b.justification),
    duty: str(b.duty),
    until: str(b.until),
    blockedBy: Array.isArray(b.blockedBy)
      ? (b.blockedBy as { category: string; kind: string; value: string }[]).map((m) => `${m.category}: ${m.kind === 'wildcard' ? '*.' : ''}${m.value}`)
      : [],
    createdAt: r.createdAt,
    createdByName: nameFor(s, t, r.createdBy, r.createdByName),
    decidedAt: r.decidedAt,
    decidedByName: r.decidedBy ? nameFor(s, t, r.decidedBy, r.decidedByName) : null,
    reason: r.reason,
    prefix: typeof prefix === 'string' ? prefix : null,
    openUntil: str(exception?.until),
    steps: r.steps.map((x) => ({ at: x.at, name: nameFor(s, t, x.actor, x.actorName), step: x.step, detail: x.detail })),
  };
}

/** Service refusals a person can act on, in their words; the field they belong to comes from the error. */
const KNOWN = new Set([
  'SIZE_TOO_LARGE',
  'SIZE_INVALID',
  'NOT_BLOCKED',
  'ALREADY_OPEN',
  'BLOCKED_BY_PARENT',
  'REQUEST_PENDING',
  'UNTIL_IN_PAST',
  'UNTIL_TOO_FAR',
  'UNTIL_INVALID',
  'UNTIL_REQUIRED',
  'UNTIL_LONGER',
  'POOL_EXHAUSTED',
  'NO_POOL',
  'UNKNOWN_POOL',
  'FAMILY_MISMATCH',
  'POOL_ROLE_MISMATCH',
  'REQUEST_NOT_PENDING',
  'PROTECTED_DOMAIN',
]);

/**
 * A service's 4xx as form errors: a known code in the person's words, any other with the
 * service's own detail (so nothing is hidden); 5xx and non-AppErrors are rethrown (error page).
 */
export function serviceErrors(e: unknown, t: Translate, fallbackField = '_form'): { status: number; errors: FieldErrors } {
  if (!(e instanceof AppError) || e.status >= 500 || e.status === 404 || e.status === 403) throw e;
  const field = e.field ?? fallbackField;
  const vars = { detail: e.detail, blockedBy: (e.extra as { blockedBy?: { value?: string } } | undefined)?.blockedBy?.value ?? '' };
  const site = field === 'domain' || field === 'address';
  const text = KNOWN.has(e.code) ? t(`requests:errors.codes.${e.code}`, vars) : t(site ? 'requests:errors.site' : 'requests:errors.other', vars);
  return { status: e.status === 422 ? 400 : e.status, errors: { [field]: text } };
}
