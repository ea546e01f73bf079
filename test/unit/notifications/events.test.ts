import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../src/requests/service.js';
import { diagramEvents, exceptionEndingEvents, requestEvents } from '../../../src/notifications/events.js';
import { mailSwitchedOn } from '../../../src/notifications/kinds.js';

const req = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  id: 7,
  type: 'ip-block',
  opd: 'DINKES',
  state: 'pending',
  body: { purpose: 'LAN puskesmas' },
  result: null,
  reason: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'user:dinkes1',
  createdByName: null,
  decidedAt: null,
  decidedBy: null,
  decidedByName: null,
  steps: [],
  ...over,
});
const now = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();

describe('notification events', () => {
  it('a filing goes to the NOC, a decision to whoever filed; a cancellation to nobody', () => {
    expect(requestEvents({ kind: 'filed', request: req() }, (id) => (id === 'user:dinkes1' ? 'Sari Dewi' : null))).toEqual([
      {
        kind: 'request-filed',
        dedupeKey: 'request-filed:7',
        audience: { to: 'noc' },
        params: { id: 7, type: 'ip-block', opd: 'DINKES', what: 'LAN puskesmas', filedBy: 'user:dinkes1', by: 'Sari Dewi' },
        causedBy: 'user:dinkes1',
      },
    ]);
    const approved = requestEvents({
      kind: 'approved',
      request: req({ state: 'approved', result: { prefix: { cidr: '10.20.0.0/25' } }, decidedBy: 'user:noc1' }),
    });
    expect(approved).toMatchObject([
      {
        kind: 'request-approved',
        dedupeKey: 'request-approved:7',
        audience: { to: 'requester', actorId: 'user:dinkes1', opd: 'DINKES' },
        params: { outcome: '10.20.0.0/25', until: null },
        causedBy: 'user:noc1',
      },
    ]);
    const unblock = requestEvents({
      kind: 'approved',
      request: req({ type: 'unblock', body: { domain: 'example.org' }, result: { exception: { value: 'example.org', until: at(30) } } }),
    });
    expect(unblock[0]!.params).toMatchObject({ what: 'example.org', outcome: 'example.org', until: at(30) });
    expect(requestEvents({ kind: 'rejected', request: req({ state: 'rejected', reason: 'too big' }) })[0]).toMatchObject({
      kind: 'request-rejected',
      dedupeKey: 'request-rejected:7',
      params: { reason: 'too big' },
    });
    expect(requestEvents({ kind: 'cancelled', request: req({ state: 'cancelled' }) })).toEqual([]);
  });

  it('an active exception ending within the window is one event, keyed by its id; ended, revoked or later ones are not', () => {
    const ex = (id: number, until: string, state = 'active') => ({ id, opd: 'DINKES', value: `s${id}.example`, until, state, requestId: id * 10 });
    const evs = exceptionEndingEvents([ex(1, at(2.5)), ex(2, at(3)), ex(3, at(3.01)), ex(4, at(-0.1)), ex(5, at(1), 'revoked')], now, 3);
    expect(evs.map((e) => e.dedupeKey)).toEqual(['exception-ending:1', 'exception-ending:2']);
    expect(evs[0]).toMatchObject({ audience: { to: 'office', opd: 'DINKES' }, params: { value: 's1.example', requestId: 10 } });
  });

  it('a diagram due within 30 days is a reminder, a late or missing one is overdue; each keyed by its due date', () => {
    const row = (opd: string, dueAt: string | null, days: number | null, overdue: boolean) => ({
      opd,
      name: opd,
      version: dueAt ? 1 : null,
      dueAt,
      daysUntilDeadline: days,
      overdue,
    });
    const evs = diagramEvents([row('A', at(30), 30, false), row('B', at(31), 31, false), row('C', at(-2), -2, true), row('D', null, null, true)], 30);
    expect(evs.map((e) => [e.kind, e.dedupeKey])).toEqual([
      ['diagram-due', `diagram-due:A:${at(30).slice(0, 10)}`],
      ['diagram-overdue', `diagram-overdue:C:${at(-2).slice(0, 10)}`],
      ['diagram-overdue', 'diagram-overdue:D:never'],
    ]);
  });

  it('both decisions answer to one switch, both deadline kinds to another', () => {
    const s = { requestFiled: true, requestDecided: false, exceptionEnding: true, diagramDue: false };
    expect(
      ['request-filed', 'request-approved', 'request-rejected', 'exception-ending', 'diagram-due', 'diagram-overdue'].map((k) => mailSwitchedOn(k as never, s)),
    ).toEqual([true, false, false, true, false, false]);
  });
});
