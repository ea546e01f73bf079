import { describe, expect, it } from 'vitest';
import {
  judgeDomain,
  judgeIp,
  judgeValue,
  unsafeReason,
  revKey,
  selfAndParents,
  coveringValues,
  ipPrefix,
  ALWAYS_PROTECTED,
  type Safety,
} from '../../../src/blocking/normalize.js';
import { parsePrefix } from '../../../src/common/net/cidr.js';

const ok = (s: string) => {
  const j = judgeValue(s);
  if (!j.ok) throw new Error(`${s}: ${j.code} ${j.reason}`);
  return j.entry;
};
const code = (j: ReturnType<typeof judgeValue>) => (j.ok ? 'OK' : j.code);

describe('domain normalization', () => {
  it('lowercases, strips the trailing dot, converts IDN to punycode', () => {
    expect(ok('Example.COM.')).toEqual({ kind: 'domain', value: 'example.com' });
    expect(ok('bücher.de')).toEqual({ kind: 'domain', value: 'xn--bcher-kva.de' });
    expect(ok('  judi-online_1.co.id  ')).toEqual({ kind: 'domain', value: 'judi-online_1.co.id' });
    expect(ok('*.Slot.Example.')).toEqual({ kind: 'wildcard', value: 'slot.example' });
  });

  it('refuses names over the length limits, with the numbers', () => {
    const long = `${'a'.repeat(64)}.com`;
    const j = judgeDomain(long);
    expect(j).toMatchObject({ ok: false, code: 'LABEL_TOO_LONG' });
    expect(j.ok ? '' : j.reason).toContain('64 bytes');
    expect(code(judgeDomain(`${'a'.repeat(63)}.com`))).toBe('OK');
    const name = Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.') + '.com';
    expect(judgeDomain(name)).toMatchObject({ ok: false, code: 'NAME_TOO_LONG' });
  });

  it('refuses bad characters, control characters and broken labels', () => {
    expect(code(judgeDomain('exa mple.com'))).toBe('BAD_CHARACTERS');
    expect(code(judgeDomain('exa$mple.com'))).toBe('BAD_CHARACTERS');
    expect(code(judgeDomain('-bad.com'))).toBe('BAD_CHARACTERS');
    expect(code(judgeDomain('ex\u0000ample.com'))).toBe('CONTROL_CHARACTERS');
    expect(code(judgeDomain('ex\u200bample.com'))).toBe('CONTROL_CHARACTERS');
    expect(code(judgeDomain('a..com'))).toBe('EMPTY_LABEL');
    expect(code(judgeDomain('.com'))).toBe('EMPTY_LABEL');
    expect(code(judgeDomain('foo.*.com'))).toBe('BAD_WILDCARD');
  });

  it('refuses wildcards and names that would block a whole TLD or public suffix', () => {
    expect(code(judgeDomain('*.'))).toBe('WILDCARD_TOO_BROAD');
    expect(code(judgeDomain('*'))).toBe('BAD_WILDCARD');
    expect(code(judgeDomain('*.com'))).toBe('WILDCARD_TOO_BROAD');
    expect(code(judgeDomain('*.go.id'))).toBe('WILDCARD_TOO_BROAD');
    expect(code(judgeDomain('com'))).toBe('BARE_TLD');
    expect(code(judgeDomain('com.'))).toBe('BARE_TLD');
    expect(code(judgeDomain('*.situs.go.id'))).toBe('OK');
  });

  it('reports an IP where a domain belongs', () => {
    expect(code(judgeDomain('203.0.113.7'))).toBe('IP_NOT_DOMAIN');
    expect(code(judgeDomain('2001:db8::1'))).toBe('IP_NOT_DOMAIN');
    expect(code(judgeDomain('198.51.100.0/24'))).toBe('IP_NOT_DOMAIN');
    expect(code(judgeValue('example.com', 'ip'))).toBe('DOMAIN_NOT_IP');
  });
});

describe('addresses and prefixes', () => {
  it('are canonical; a full-length prefix is the bare address', () => {
    expect(judgeIp('2001:DB8:0:0::1')).toEqual({ ok: true, entry: { kind: 'address', value: '2001:db8::1' } });
    expect(judgeIp('203.0.113.7/32')).toEqual({ ok: true, entry: { kind: 'address', value: '203.0.113.7' } });
    expect(judgeIp('198.51.100.0/24')).toEqual({ ok: true, entry: { kind: 'prefix', value: '198.51.100.0/24' } });
    expect(judgeIp('198.51.100.0/255.255.255.0')).toEqual({ ok: true, entry: { kind: 'prefix', value: '198.51.100.0/24' } });
    expect(judgeIp('198.51.100.7/24')).toMatchObject({ ok: false, code: 'CIDR_HOST_BITS_SET' });
    expect(judgeIp('300.1.1.1')).toMatchObject({ ok: false });
  });

  const safety: Safety = {
    minLength: { 4: 8, 6: 16 },
    protected: [
      ...ALWAYS_PROTECTED,
      { prefix: parsePrefix('10.20.0.0/16'), why: 'the opd-lan pool lan' },
      { prefix: parsePrefix('10.255.255.0/24'), why: 'the backbone-p2p pool backbone' },
    ],
  };
  const unsafe = (s: string) => unsafeReason(ok(s), safety)?.code ?? null;

  it('refuses the whole internet, too-broad prefixes, and anything touching the intranet', () => {
    expect(unsafe('0.0.0.0/0')).toBe('COVERS_INTERNET');
    expect(unsafe('::/0')).toBe('COVERS_INTERNET');
    expect(unsafe('64.0.0.0/2')).toBe('PREFIX_TOO_BROAD');
    expect(unsafe('2000::/3')).toBe('PREFIX_TOO_BROAD');
    expect(unsafe('10.0.0.0/8')).toBe('COVERS_PROTECTED');
    expect(unsafe('10.255.0.0/16')).toBe('COVERS_PROTECTED');
    expect(unsafe('10.20.3.4')).toBe('INSIDE_PROTECTED');
    expect(unsafe('127.0.0.1')).toBe('INSIDE_PROTECTED');
    expect(unsafe('192.168.0.0/16')).toBeNull();
    expect(unsafe('203.0.113.0/24')).toBeNull();
    expect(unsafe('example.com')).toBeNull();
    expect(unsafeReason(ok('10.0.0.0/8'), safety)!.reason).toContain('opd-lan pool lan');
  });
});

describe('helpers', () => {
  it('reversed keys make a wildcard prefix the names it covers, on label boundaries only', () => {
    expect(revKey('a.example.com')).toBe('com example a ');
    expect(revKey('a.example.com').startsWith(revKey('example.com'))).toBe(true);
    expect(revKey('example.community').startsWith(revKey('example.com'))).toBe(false);
    expect(revKey('badexample.com').startsWith(revKey('example.com'))).toBe(false);
    expect(selfAndParents('a.b.example.com')).toEqual(['a.b.example.com', 'b.example.com', 'example.com']);
  });

  it('lists the covering prefixes of an address', () => {
    const vals = coveringValues(ipPrefix({ kind: 'address', value: '203.0.113.7' }), 22).map((v) => v.value);
    expect(vals).toEqual([
      '203.0.112.0/22',
      '203.0.112.0/23',
      '203.0.113.0/24',
      '203.0.113.0/25',
      '203.0.113.0/26',
      '203.0.113.0/27',
      '203.0.113.0/28',
      '203.0.113.0/29',
      '203.0.113.4/30',
      '203.0.113.6/31',
      '203.0.113.7',
    ]);
  });
});
