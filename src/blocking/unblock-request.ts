import { AppError, badRequest, conflict } from '../common/errors.js';
import { DEFAULT_TIMEZONE, endOfDay, isPlainDate } from '../common/time.js';
import type { RequestService, RequestType } from '../requests/service.js';
import { isAtOrUnder, judgeDomain, judgeIp, ipPrefix, type BlockValue } from './normalize.js';
import { containsPrefix } from '../common/net/cidr.js';
import type { BlockingService } from './service.js';
import { Type } from '@sinclair/typebox';
import { DateOrDateTime, TextLine, TextLines } from '../http/schemas.js';

const DAY = 86_400_000;
const zone = (b: BlockingService) => b.opts.timezone ?? DEFAULT_TIMEZONE;

/** Whether `inner` (a blocking entry) lies at or under the requested value, so an exception for it opens the entry. */
function within(asked: BlockValue, entry: { kind: string; value: string }): boolean {
  if (asked.kind === 'domain') return (entry.kind === 'domain' || entry.kind === 'wildcard') && isAtOrUnder(entry.value, asked.value);
  return (entry.kind === 'address' || entry.kind === 'prefix') && containsPrefix(ipPrefix(asked), ipPrefix(entry as BlockValue));
}

/** A plain date ("2026-12-31") ends at the end of that day in the regency's zone; a date-time is taken as given. */
function parseUntil(v: unknown, now: Date, maxDays: number, field: string, tz: string): string {
  const text = typeof v === 'string' ? v.trim() : '';
  const day = isPlainDate(text) ? endOfDay(text, tz) : undefined;
  if (day === null) throw badRequest('UNTIL_INVALID', `until: ${text} is not a day of the calendar`, field);
  const t = day !== undefined ? Date.parse(day) : text ? Date.parse(text) : NaN;
  if (Number.isNaN(t))
    throw badRequest(
      'UNTIL_REQUIRED',
      "until is required: the day the exception ends (2026-12-31: the end of that day in the regency's zone) or a date-time (2026-12-31T17:00:00+07:00)",
      field,
    );
  if (t <= now.getTime()) throw new AppError(422, 'UNTIL_IN_PAST', `until (${new Date(t).toISOString()}) is not in the future`, field);
  if (t > now.getTime() + maxDays * DAY)
    throw new AppError(
      422,
      'UNTIL_TOO_FAR',
      `an exception lasts at most ${maxDays} days (until ${new Date(now.getTime() + maxDays * DAY).toISOString()}); ask again when it ends`,
      field,
    );
  return new Date(t).toISOString();
}

/**
 * An OPD asks to reach a blocked site for its duties. Filing checks the site is blocked for that OPD
 * by entries an exception can open; approval creates the exception (possibly ending sooner).
 */
export function unblockRequest(blocking: BlockingService, requests: Pick<RequestService, 'pendingWith'>): RequestType {
  return {
    name: 'unblock',
    fields: {
      domain: Type.Optional(TextLine(300, 1, { description: 'the blocked site name (give this or address)' })),
      address: Type.Optional(TextLine(64, 1, { description: 'the blocked IP address or prefix (give this or domain)' })),
      justification: Type.Optional(TextLines(2000, 1, { description: 'required: why the duty needs the site' })),
      duty: Type.Optional(TextLines(1000, 1, { description: 'required: the duty that needs the site' })),
      until: Type.Optional(DateOrDateTime("required: when the exception ends; a plain date (2026-12-31) means the end of that day in the regency's zone")),
    },
    decision: {
      until: Type.Optional(DateOrDateTime("a shorter end than asked (a plain date: the end of that day in the regency's zone)")),
    },
    validate(body, opd, tx) {
      if ((body.domain === undefined) === (body.address === undefined))
        throw badRequest('TARGET_REQUIRED', 'give either domain (a site name) or address (an IP or prefix), not both', 'domain');
      const field = body.domain !== undefined ? 'domain' : 'address';
      const j = field === 'domain' ? judgeDomain(String(body.domain), { wildcard: false }) : judgeIp(String(body.address));
      if (!j.ok)
        throw badRequest(
          j.code,
          field === 'domain' && j.code === 'WILDCARD_NOT_ALLOWED' ? `${j.reason}: an exception opens the name and every name under it` : j.reason,
          field,
        );
      const asked = j.entry;
      for (const f of ['justification', 'duty'] as const)
        if (typeof body[f] !== 'string' || !(body[f] as string).trim())
          throw badRequest('VALIDATION_FAILED', `${f} is required: say which duty needs the site and why`, f);
      const now = new Date(tx.now);
      const until = parseUntil(body.until, now, blocking.opts.maxExceptionDays, 'until', zone(blocking));
      const a = blocking.answer(opd, asked, now);
      const applying = a.matches.filter((m) => m.applies);
      if (!applying.length) throw new AppError(422, 'NOT_BLOCKED', `${asked.value} is not blocked for ${opd} (${a.why}); there is nothing to unblock`, field);
      const closed = applying.filter((m) => m.openedBy === null);
      if (!closed.length) throw conflict('ALREADY_OPEN', `${asked.value} is already open for ${opd} (${a.why})`);
      const above = closed.filter((m) => !within(asked, m));
      if (above.length) {
        const m = above[0]!;
        const fix = m.kind === 'wildcard' ? m.value : m.value;
        throw new AppError(
          422,
          'BLOCKED_BY_PARENT',
          `${asked.value} is blocked by ${m.kind === 'wildcard' ? `*.${m.value}` : m.value} in ${m.category}; an exception can only open that whole entry: ask for ${fix} if the duty needs it`,
          field,
          { blockedBy: { category: m.category, kind: m.kind, value: m.value } },
        );
      }
      const dup = requests.pendingWith(tx.db, 'unblock', opd, field, asked.value);
      if (dup) throw conflict('REQUEST_PENDING', `request ${dup} for ${asked.value} is already pending for ${opd}`, { requestId: dup });
      return {
        [field]: asked.value,
        justification: (body.justification as string).trim(),
        duty: (body.duty as string).trim(),
        until,
        blockedBy: closed.map((m) => ({ category: m.category, kind: m.kind, value: m.value })),
      };
    },
    approve(tx, req, decision) {
      const b = req.body as { domain?: string; address?: string; until: string };
      const now = new Date(tx.now);
      let until = b.until;
      if (decision.until !== undefined) {
        until = parseUntil(decision.until, now, blocking.opts.maxExceptionDays, 'until', zone(blocking));
        if (until > b.until)
          throw new AppError(422, 'UNTIL_LONGER', `the approval may shorten the exception, not extend it past what was asked (${b.until})`, 'until');
      }
      if (until <= tx.now) throw new AppError(422, 'UNTIL_IN_PAST', `the requested end (${until}) has passed; reject and ask the OPD to file again`, 'until');
      const e = blocking.createException(tx, {
        opd: req.opd,
        kind: b.domain !== undefined ? 'domain' : 'address',
        value: (b.domain ?? b.address)!,
        requestId: req.id,
        until,
      });
      return { result: { exception: e }, steps: [`exception ${e.id} opens ${e.value} for ${req.opd} until ${e.until}`] };
    },
  };
}
