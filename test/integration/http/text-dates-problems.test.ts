// Issue 15 items 9, 17 and 19 through the whole daemon: control characters refused in every free-text
// field (API and CLI path alike), problems that keep their urn type and name what is allowed, and an
// unblock request that ends on a plain date (the end of that day in the regency's zone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOfDay } from '../../../src/common/time.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

let d: TestDaemon;
let dinkes: string;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = async (path: string, init: Parameters<TestDaemon['api']>[1] = {}) => {
  const r = await d.api(path, init);
  const text = await r.text();
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as Json,
  };
};
/** The day `days` from now in Jakarta, as YYYY-MM-DD. */
const dayFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Asia/Jakarta' });

beforeAll(async () => {
  d = await startTestDaemon({ config: { log: { level: 'warn' } } });
  dinkes = (await call('/api/v1/tokens', { method: 'POST', json: { name: 'dinkes', role: 'opd-admin', opd: 'DINKES' } })).body.token;
  expect((await call('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value: 'judi.example' } })).status).toBe(201);
});
afterAll(() => d?.stop());

describe('control characters in free text', () => {
  const hostile = ['bad\u0000name', 'esc\u001b[31mred', 'c1\u0085', 'del\u007f'];

  it('are refused in token names, request texts, reject and revoke reasons and IPAM descriptions, naming the field', async () => {
    const cases: [string, string, (v: string) => unknown, string, Parameters<TestDaemon['api']>[1]?][] = [
      ['/api/v1/tokens', 'POST', (v) => ({ name: v, role: 'viewer' }), 'name'],
      ['/api/v1/requests', 'POST', (v) => ({ type: 'ip-block', prefixLength: 28, purpose: v, justification: 'j' }), 'purpose', { token: dinkes }],
      [
        '/api/v1/requests',
        'POST',
        (v) => ({ type: 'unblock', domain: 'judi.example', duty: 'd', justification: v, until: dayFromNow(3) }),
        'justification',
        { token: dinkes },
      ],
      ['/api/v1/requests/1/reject', 'POST', (v) => ({ reason: v }), 'reason'],
      ['/api/v1/exceptions/1/revoke', 'POST', (v) => ({ reason: v }), 'reason'],
      ['/api/v1/pools', 'POST', (v) => ({ name: 'p1', scope: 'private', cidr: '10.99.0.0/16', role: 'opd-lan', description: v }), 'description'],
    ];
    for (const [path, method, body, field, init] of cases)
      for (const v of hostile) {
        const r = await call(path, { method, json: body(v), ...init });
        expect(r.status, `${path} ${JSON.stringify(v)}`).toBe(400);
        expect(r.body.code).toBe('VALIDATION_FAILED');
        expect(r.body.field).toBe(field);
        expect(r.body.detail).toMatch(/control characters/);
      }
    // nothing was stored: the only token is DINKES', no request was filed, no pool was made
    expect((await call('/api/v1/tokens')).body.map((t: Json) => t.name)).toEqual(['dinkes']);
    expect((await call('/api/v1/requests')).body).toEqual([]);
    expect((await call('/api/v1/pools')).body.map((p: Json) => p.name)).not.toContain('p1');
  });

  it('lines, tabs and any script text stay allowed where a text has lines', async () => {
    const r = await call('/api/v1/requests', {
      method: 'POST',
      token: dinkes,
      json: { type: 'ip-block', prefixLength: 28, purpose: 'Puskesmas\r\nlantai 2\t<script>alert("x")</script>', justification: 'perangkat baru' },
    });
    expect(r.status).toBe(201);
    expect(r.body.body.purpose).toContain('<script>');
  });

  it('are refused on the CLI path too (the token service, without the API schema)', () => {
    expect(() => d.services.tokens.create({ id: 'cli', role: 'system', opd: null }, { name: 'x\u0000y', role: 'viewer' })).toThrow(/control characters/);
  });
});

describe('problem details', () => {
  it('a content type a diagram cannot be keeps the urn type and says what to send', async () => {
    const r = await call('/api/v1/opds/DINKES/diagrams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"devices":[]}' });
    expect(r.status).toBe(415);
    expect(r.body.type).toBe('urn:simpul:problem:diagram-content-type');
    expect(r.body.detail).toContain('application/json');
    expect(r.body.detail).not.toMatch(/not a form|bukan formulir/);
    // a form is accepted now, but one without a file says so, still with its urn type
    const form = await call('/api/v1/opds/DINKES/diagrams', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="f"\r\n\r\n<mxfile/>\r\n--x--',
    });
    expect(form.status).toBe(400);
    expect(form.body.type).toMatch(/^urn:simpul:problem:/);
  });

  it('a JSON body on a route that takes none keeps the urn type and names the content type', async () => {
    const r = await call('/api/v1/blocklists/lainnya/import?source=x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(415);
    expect(r.body.type).toMatch(/^urn:simpul:problem:/);
  });

  it('a query value outside a union names every allowed value', async () => {
    const state = await call('/api/v1/requests?state=open');
    expect(state.status).toBe(400);
    expect(state.body.field).toBe('state');
    expect(state.body.detail).toBe("querystring field 'state': must be one of 'pending', 'approved', 'rejected', 'cancelled'");
    const role = await call('/api/v1/devices?role=printer');
    expect(role.status).toBe(400);
    expect(role.body.detail).toMatch(/must be one of 'router', 'switch'/);
    expect(role.body.detail).not.toMatch(/constant/);
  });
});

describe('end dates', () => {
  it('an unblock request until a plain date ends at the end of that day in the regency zone', async () => {
    const day = dayFromNow(10);
    const r = await call('/api/v1/requests', {
      method: 'POST',
      token: dinkes,
      json: { type: 'unblock', domain: 'judi.example', duty: 'pengawasan', justification: 'tugas', until: day },
    });
    expect(r.status).toBe(201);
    expect(r.body.body.until).toBe(endOfDay(day, 'Asia/Jakarta'));
    const approved = await call(`/api/v1/requests/${r.body.id}/approve`, { method: 'POST', json: { until: dayFromNow(5) } });
    expect(approved.status).toBe(200);
    expect(approved.body.result.exception.until).toBe(endOfDay(dayFromNow(5), 'Asia/Jakarta'));
  });

  it('a day that does not exist, or another spelling, is refused with what to write', async () => {
    const bad = await call('/api/v1/requests', {
      method: 'POST',
      token: dinkes,
      json: { type: 'unblock', domain: 'judi.example', duty: 'd', justification: 'j', until: '2027-02-30' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('until');
    const spelled = await call('/api/v1/requests', {
      method: 'POST',
      token: dinkes,
      json: { type: 'unblock', domain: 'judi.example', duty: 'd', justification: 'j', until: '31-12-2026' },
    });
    expect(spelled.status).toBe(400);
    expect(spelled.body.field).toBe('until');
    expect(spelled.body.detail).toMatch(/a date \(2026-12-31\) or a date-time/);
  });
});
