import { describe, expect, it } from 'vitest';
import { applyExceptions, composeBase, type EntryRow } from '../../../src/blocking/compose.js';
import { rpzIpName, toRpz, toUnbound } from '../../../src/blocking/export.js';

const rows: EntryRow[] = [
  { kind: 'domain', value: 'a.slot.example', category: 'judi' },
  { kind: 'wildcard', value: 'slot.example', category: 'judi' },
  { kind: 'domain', value: 'slot.example', category: 'lainnya' },
  { kind: 'domain', value: 'slot.example-x.com', category: 'judi' },
  { kind: 'domain', value: 'both.example', category: 'pornografi' },
  { kind: 'domain', value: 'both.example', category: 'judi' },
  { kind: 'wildcard', value: 'deep.a.slot.example', category: 'malware' },
  { kind: 'prefix', value: '198.51.100.0/24', category: 'judi' },
  { kind: 'address', value: '198.51.100.9', category: 'malware' },
  { kind: 'address', value: '203.0.113.7', category: 'malware' },
  { kind: 'address', value: '203.0.113.7', category: 'judi' },
  { kind: 'prefix', value: '2001:db8::/32', category: 'judi' },
];

describe('effective list composition', () => {
  it('merges per name and prefix and leaves out what a wildcard or a wider prefix covers', () => {
    const b = composeBase(rows);
    expect(b.domains).toEqual([
      { name: 'both.example', subdomains: false, category: 'judi' },
      { name: 'slot.example', subdomains: true, category: 'judi' },
      { name: 'slot.example-x.com', subdomains: false, category: 'judi' },
    ]);
    expect(b.prefixes.map((p) => [p.prefix, p.category])).toEqual([
      ['198.51.100.0/24', 'judi'],
      ['203.0.113.7', 'judi'],
      ['2001:db8::/32', 'judi'],
    ]);
  });

  it('takes away what exceptions open: the name and what is under it, prefixes inside', () => {
    const b = composeBase(rows);
    const e = applyExceptions(b, [
      { kind: 'domain', value: 'slot.example' },
      { kind: 'address', value: '203.0.113.0/24' },
    ]);
    expect(e.domains.map((d) => d.name)).toEqual(['both.example', 'slot.example-x.com']);
    expect(e.prefixes.map((p) => p.prefix)).toEqual(['198.51.100.0/24', '2001:db8::/32']);
    // An exception inside a blocked prefix does not open it.
    expect(applyExceptions(b, [{ kind: 'address', value: '198.51.100.9' }]).prefixes.map((p) => p.prefix)).toContain('198.51.100.0/24');
  });
});

describe('resolver exports', () => {
  it('writes RPZ IP triggers for IPv4 and IPv6', () => {
    expect(rpzIpName('198.51.100.0/24')).toBe('24.0.100.51.198.rpz-ip');
    expect(rpzIpName('203.0.113.7')).toBe('32.7.113.0.203.rpz-ip');
    expect(rpzIpName('2001:db8::/32')).toBe('32.zz.db8.2001.rpz-ip');
    expect(rpzIpName('2001:db8::1')).toBe('128.1.zz.db8.2001.rpz-ip');
    expect(rpzIpName('2001:db8:1:2:3:4:5:6')).toBe('128.6.5.4.3.2.1.db8.2001.rpz-ip');
  });

  it('writes a zone with SOA and NS and unbound lines', () => {
    const list = {
      opd: 'DINKES',
      domains: [
        { name: 'w.example', subdomains: true, category: 'judi' },
        { name: 'x.example', subdomains: false, category: 'judi' },
      ],
      prefixes: [{ prefix: '203.0.113.7', category: 'judi' }],
    };
    const z = toRpz(list, { origin: 'rpz.example.go.id.', serial: 42, contact: 'noc.example.go.id', generatedAt: 'now' });
    expect(z).toContain('@ IN SOA localhost. noc.example.go.id. 42 3600 600 86400 300');
    expect(z).toMatch(/^w\.example CNAME \.$/m);
    expect(z).toMatch(/^\*\.w\.example CNAME \.$/m);
    expect(z).not.toMatch(/^\*\.x\.example/m);
    const u = toUnbound(list, 'now');
    expect(u).toContain('local-zone: "w.example." always_nxdomain');
    expect(u).toContain('local-data: "x.example. A 0.0.0.0"');
    expect(u).toContain('response-ip: 203.0.113.7/32 always_nxdomain');
  });
});
