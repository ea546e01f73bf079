import { applyExceptions, composeBase } from '../../../src/blocking/compose.js';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BlockLimitError, enforceBlocklist, subdomainRegexp, type EffectiveBlocklist, type EnforceOptions } from '../../../src/blocking/enforce.js';
import { validateDesired, type Entry } from '../../../src/routeros/desired.js';
import { plan, type ActualState } from '../../../src/routeros/plan.js';

const DNS = '/ip/dns/static';
const AL = '/ip/firewall/address-list';
const FILTER = '/ip/firewall/filter';
const AL6 = '/ipv6/firewall/address-list';
const FILTER6 = '/ipv6/firewall/filter';

const list: EffectiveBlocklist = {
  opd: 'DINKES',
  domains: [
    { name: 'judi.example', subdomains: false, category: 'judi' },
    { name: 'casino.example', subdomains: true, category: 'judi' },
  ],
  prefixes: [
    { prefix: '198.51.100.0/24', category: 'malware' },
    { prefix: '192.0.2.9', category: 'phishing' },
  ],
};

const opts: EnforceOptions = {
  listName: 'simpul-block',
  dropForeignDns: false,
  sniRules: false,
  modelLimits: { default: 20000 },
  protectedPrefixes: ['10.255.0.0/16', '10.254.0.0/24'],
};
const router = (rosVersion?: string) =>
  rosVersion === undefined ? { id: 'dinkes-rtr01', model: 'RB5009UG+S+IN' } : { id: 'dinkes-rtr01', model: 'RB5009UG+S+IN', rosVersion };
const dns = (v?: string, o: Partial<EnforceOptions> = {}) => enforceBlocklist(list, router(v), { ...opts, ...o }).desired.menus[DNS] ?? [];
const strip = (es: readonly Entry[]) => es.map(({ comment: _c, ttl: _t, ...rest }) => rest);

describe('DNS entries per RouterOS version', () => {
  it('7.5 and later: NXDOMAIN, subdomains with match-subdomain', () => {
    expect(strip(dns('7.19.1'))).toEqual([
      { name: 'judi.example', type: 'NXDOMAIN' },
      { name: 'casino.example', 'match-subdomain': 'yes', type: 'NXDOMAIN' },
    ]);
    expect(dns('7.5').every((e) => e.comment === 'simpul:blocking judi' && e.ttl === '5m')).toBe(true);
  });

  it('7.0 to 7.4: NXDOMAIN, subdomains by regexp', () => {
    expect(strip(dns('7.4'))).toEqual([
      { name: 'judi.example', type: 'NXDOMAIN' },
      { regexp: '(^|\\.)casino\\.example$', type: 'NXDOMAIN' },
    ]);
  });

  it('6.47 and later 6.x: A 0.0.0.0 and AAAA ::, subdomains by regexp', () => {
    expect(strip(dns('6.49.10'))).toEqual([
      { name: 'judi.example', address: '0.0.0.0' },
      { name: 'judi.example', type: 'AAAA', address: '::' },
      { regexp: '(^|\\.)casino\\.example$', address: '0.0.0.0' },
      { regexp: '(^|\\.)casino\\.example$', type: 'AAAA', address: '::' },
    ]);
  });

  it('older 6.x and an unknown version: the A form every version accepts', () => {
    const old = strip(dns('6.45.9'));
    expect(old).toEqual([
      { name: 'judi.example', address: '0.0.0.0' },
      { regexp: '(^|\\.)casino\\.example$', address: '0.0.0.0' },
    ]);
    expect(strip(dns(undefined))).toEqual(old);
  });

  it('every form passes the desired-state validation and plans as adds with distinct keys', () => {
    for (const v of ['7.19.1', '7.4', '6.49.10', '6.45.9', undefined]) {
      const { desired } = enforceBlocklist(list, router(v), { ...opts, dropForeignDns: true, sniRules: true });
      expect(validateDesired(desired)).toEqual([]);
      const steps = plan(desired, {});
      expect(steps.every((s) => s.op === 'add')).toBe(true);
      expect(new Set(steps.map((s) => `${s.menu} ${s.key}`)).size).toBe(steps.length);
    }
  });
});

describe('the subdomain regexp', () => {
  const names = [
    'casino.example',
    'www.casino.example',
    'a.b.casino.example',
    'badcasino.example',
    'casinoXexample',
    'casino.example.evil',
    'casino.examples',
    'xcasino.example',
  ];
  const expected = [true, true, true, false, false, false, false, false];
  const re = subdomainRegexp('casino.example');

  it('matches the name and its subdomains only (JavaScript)', () => {
    expect(names.map((n) => new RegExp(re).test(n))).toEqual(expected);
  });

  it('matches the same with a POSIX extended regex engine (grep -E), as RouterOS uses', () => {
    const r = spawnSync('grep', ['-E', re], { input: `${names.join('\n')}\n`, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    const hits = new Set(r.stdout.split('\n').filter(Boolean));
    expect(names.map((n) => hits.has(n))).toEqual(expected);
  });

  it('escapes every regex metacharacter a name can carry', () => {
    expect(subdomainRegexp('a-b_c.xn--p1ai')).toBe('(^|\\.)a-b_c\\.xn--p1ai$');
    expect(new RegExp(subdomainRegexp('a.b')).test('aXb')).toBe(false);
  });
});

describe('addresses, prefixes and rules', () => {
  it('puts prefixes in the address list with one forward drop rule placed before the accept rules', () => {
    const { desired, count, skipped } = enforceBlocklist(
      { ...list, prefixes: [...list.prefixes, { prefix: '192.0.2.9/32', category: 'malware' }, { prefix: '2001:db8:bad::/48', category: 'malware' }] },
      router('7.19.1'),
      opts,
    );
    expect(desired.menus[AL]).toEqual([
      { list: 'simpul-block', address: '198.51.100.0/24', comment: 'simpul:blocking malware' },
      { list: 'simpul-block', address: '192.0.2.9', comment: 'simpul:blocking phishing' },
    ]);
    expect(desired.menus[FILTER]).toEqual([
      { chain: 'forward', action: 'drop', 'dst-address-list': 'simpul-block', comment: 'simpul:blocking drop simpul-block' },
    ]);
    expect(desired.menus[AL6]).toEqual([{ list: 'simpul-block', address: '2001:db8:bad::/48', comment: 'simpul:blocking malware' }]);
    expect(desired.menus[FILTER6]).toEqual([
      { chain: 'forward', action: 'drop', 'dst-address-list': 'simpul-block', comment: 'simpul:blocking drop simpul-block' },
    ]);
    expect(desired.placement).toEqual({ [FILTER]: { at: 'before', match: { action: 'accept' } }, [FILTER6]: { at: 'before', match: { action: 'accept' } } });
    expect(skipped).toEqual([]);
    expect(validateDesired(desired)).toEqual([]);
    expect(count).toBe(2 + 2 + 1 + 1 + 1);
  });

  it('IPv6: canonical text, /128 as a bare address, duplicates merged, ::/0 and protected prefixes skipped', () => {
    const { desired, skipped, count } = enforceBlocklist(
      {
        ...list,
        prefixes: [
          { prefix: '2001:DB8:0:0::/32', category: 'malware' },
          { prefix: '2001:db8::/32', category: 'judi' },
          { prefix: '2001:db8:ffff::7/128', category: 'phishing' },
          { prefix: '::/0', category: 'judi' },
          { prefix: '2001:db8:1::/48', category: 'judi' },
          { prefix: 'fd00:10::/32', category: 'judi' },
          { prefix: '2001:db8:zz::/48', category: 'judi' },
        ],
      },
      router('7.19.1'),
      { ...opts, protectedPrefixes: [...opts.protectedPrefixes, 'fd00:10:ff::/48'] },
    );
    expect(desired.menus[AL6]?.map((e) => e.address)).toEqual(['2001:db8::/32', '2001:db8:ffff::7', '2001:db8:1::/48']);
    expect(desired.menus[AL]).toEqual([]);
    expect(desired.menus[FILTER]).toEqual([]);
    expect(desired.menus[FILTER6]).toHaveLength(1);
    expect(desired.placement).toEqual({ [FILTER6]: { at: 'before', match: { action: 'accept' } } });
    expect(skipped.map((s) => s.entry)).toEqual(['::/0', 'fd00:10::/32', '2001:db8:zz::/48']);
    expect(skipped[0]?.reason).toBe('covers the whole internet');
    expect(skipped[1]?.reason).toMatch(/protected/);
    expect(skipped[2]?.reason).toMatch(/\S/);
    expect(count).toBe(2 + 3 + 1);
    expect(validateDesired(desired)).toEqual([]);
  });

  it('lands the IPv6 drop rule just before the first accept rule of the IPv6 forward chain', () => {
    const { desired } = enforceBlocklist({ ...list, prefixes: [{ prefix: '2001:db8:bad::/48', category: 'malware' }] }, router('7.19.1'), opts);
    const actual = {
      [FILTER6]: [
        { '.id': '*a', chain: 'forward', action: 'drop', 'connection-state': 'invalid' },
        { '.id': '*b', chain: 'forward', action: 'accept', 'connection-state': 'established,related' },
      ],
    };
    const steps = plan(desired, actual);
    expect(steps.filter((s) => s.menu === FILTER6)).toMatchObject([{ op: 'add', placeBefore: '*b' }]);
    expect(steps.filter((s) => s.menu === AL6)).toMatchObject([{ op: 'add', fields: { list: 'simpul-block', address: '2001:db8:bad::/48' } }]);
  });

  it('the last IPv6 prefix gone: its entry and the IPv6 drop rule are removed, other rules stay', () => {
    const { desired } = enforceBlocklist(list, router('7.19.1'), opts);
    const actual: ActualState = {
      [AL6]: [{ '.id': '*1', list: 'simpul-block', address: '2001:db8:bad::/48', comment: 'simpul:blocking malware' }],
      [FILTER6]: [
        { '.id': '*2', chain: 'forward', action: 'drop', 'dst-address-list': 'simpul-block', comment: 'simpul:blocking drop simpul-block' },
        { '.id': '*3', chain: 'forward', action: 'accept', comment: 'defconf: accept' },
      ],
    };
    expect(
      plan(desired, actual)
        .filter((s) => s.menu === AL6 || s.menu === FILTER6)
        .map((s) => `${s.op} ${s.menu} ${'id' in s ? s.id : ''}`),
    ).toEqual([`remove ${AL6} *1`, `remove ${FILTER6} *2`]);
  });

  it('lands the drop rule just before the first accept rule of the forward chain', () => {
    const { desired } = enforceBlocklist(list, router('7.19.1'), opts);
    const actual = {
      [FILTER]: [
        { '.id': '*1', chain: 'forward', action: 'fasttrack-connection', 'connection-state': 'established,related' },
        { '.id': '*2', chain: 'forward', action: 'accept', 'connection-state': 'established,related' },
        { '.id': '*3', chain: 'forward', action: 'drop', 'connection-state': 'invalid' },
      ],
    };
    const add = plan(desired, actual).find((s) => s.menu === FILTER);
    expect(add).toMatchObject({ op: 'add', placeBefore: '*2' });
  });

  it('no prefixes: no address-list entries and no drop rule, but the menus stay managed so old entries go', () => {
    const { desired } = enforceBlocklist({ ...list, prefixes: [] }, router('7.19.1'), opts);
    expect(desired.menus[AL]).toEqual([]);
    expect(desired.menus[FILTER]).toEqual([]);
    expect(desired.menus[AL6]).toEqual([]);
    expect(desired.menus[FILTER6]).toEqual([]);
    expect(desired.placement).toBeUndefined();
  });

  it('keeps clients on the router DNS and drops TLS by server name when configured', () => {
    const { desired } = enforceBlocklist(list, router('7.19.1'), { ...opts, dropForeignDns: true, sniRules: true, lanInterfaceList: 'LAN' });
    expect(strip(desired.menus[FILTER] ?? []).slice(1)).toEqual([
      { chain: 'forward', 'in-interface-list': 'LAN', protocol: 'udp', 'dst-port': '53,853', action: 'drop' },
      { chain: 'forward', 'in-interface-list': 'LAN', protocol: 'tcp', 'dst-port': '53,853', action: 'drop' },
      { chain: 'forward', protocol: 'tcp', 'dst-port': '443', 'tls-host': 'judi.example', action: 'drop' },
      { chain: 'forward', protocol: 'tcp', 'dst-port': '443', 'tls-host': 'casino.example', action: 'drop' },
      { chain: 'forward', protocol: 'tcp', 'dst-port': '443', 'tls-host': '*.casino.example', action: 'drop' },
    ]);
    // IPv6 clients are kept on the router DNS too (no address-list entries, so no drop rule)
    expect(strip(desired.menus[FILTER6] ?? [])).toEqual([
      { chain: 'forward', 'in-interface-list': 'LAN', protocol: 'udp', 'dst-port': '53,853', action: 'drop' },
      { chain: 'forward', 'in-interface-list': 'LAN', protocol: 'tcp', 'dst-port': '53,853', action: 'drop' },
    ]);
    expect(desired.placement?.[FILTER6]).toEqual({ at: 'before', match: { action: 'accept' } });
    const comments = (desired.menus[FILTER] ?? []).map((r) => r.comment);
    expect(new Set(comments).size).toBe(comments.length);
    expect(comments.every((c) => c?.startsWith('simpul:blocking '))).toBe(true);
  });

  it('merges duplicates and leaves out domains a blocked parent already covers', () => {
    const r = enforceBlocklist(
      {
        opd: 'DINKES',
        domains: [
          { name: 'Casino.Example.', subdomains: false, category: 'judi' },
          { name: 'casino.example', subdomains: true, category: 'judi' },
          { name: 'www.casino.example', subdomains: false, category: 'lainnya' },
          { name: 'a.b.casino.example', subdomains: true, category: 'lainnya' },
          { name: 'other.example', subdomains: false, category: 'judi' },
          { name: 'other.example', subdomains: false, category: 'lainnya' },
        ],
        prefixes: [
          { prefix: '198.51.100.0/24', category: 'malware' },
          { prefix: '198.51.100.0/24', category: 'judi' },
        ],
      },
      router('7.19.1'),
      opts,
    );
    expect(strip(r.desired.menus[DNS] ?? [])).toEqual([
      { name: 'casino.example', 'match-subdomain': 'yes', type: 'NXDOMAIN' },
      { name: 'other.example', type: 'NXDOMAIN' },
    ]);
    expect(r.covered).toBe(2);
    expect(r.desired.menus[AL]).toHaveLength(1);
  });
});

describe('per-model limits', () => {
  const big: EffectiveBlocklist = {
    opd: 'DINKES',
    domains: Array.from({ length: 60 }, (_, i) => ({ name: `d${i}.example`, subdomains: false, category: 'judi' })),
    prefixes: Array.from({ length: 40 }, (_, i) => ({ prefix: `198.51.100.${i}`, category: 'malware' })),
  };

  it('counts DNS entries, address-list entries and rules against the model limit', () => {
    expect(enforceBlocklist(big, router('7.19.1'), { ...opts, modelLimits: { default: 10, 'RB5009UG+S+IN': 101 } }).count).toBe(101);
    expect(() => enforceBlocklist(big, router('7.19.1'), { ...opts, modelLimits: { default: 1000, 'RB5009UG+S+IN': 100 } })).toThrow(BlockLimitError);
  });

  it('counts IPv6 entries and the IPv6 rules too', () => {
    const v6 = { ...big, prefixes: [...big.prefixes, ...Array.from({ length: 10 }, (_, i) => ({ prefix: `2001:db8:${i}::/48`, category: 'malware' }))] };
    // 60 DNS + 40 + 10 entries + 1 drop rule per family + 2 foreign-DNS rules per family
    expect(enforceBlocklist(v6, router('7.19.1'), { ...opts, dropForeignDns: true, modelLimits: { default: 116 } }).count).toBe(116);
    expect(() => enforceBlocklist(v6, router('7.19.1'), { ...opts, dropForeignDns: true, modelLimits: { default: 115 } })).toThrow(
      /would hold 116 blocking entries, more than its limit of 115/,
    );
  });

  it('falls back to the default and names router, count and limit in the error', () => {
    let err: unknown;
    try {
      enforceBlocklist(
        big,
        { id: 'kechulu-rtr01', model: 'hAP ac2', rosVersion: '6.49.10' },
        { ...opts, modelLimits: { default: 150, 'RB5009UG+S+IN': 100000 } },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BlockLimitError);
    // 6.49: A + AAAA per domain
    expect((err as Error).message).toMatch(/kechulu-rtr01 \(hAP ac2\) would hold 161 blocking entries, more than its limit of 150/);
    expect(err).toMatchObject({ router: 'kechulu-rtr01', count: 161, limit: 150 });
  });
});

describe('safety net', () => {
  it('never pushes a prefix overlapping management, backbone or the router itself, nor the whole internet', () => {
    const r = enforceBlocklist(
      {
        opd: 'DINKES',
        domains: [],
        prefixes: [
          { prefix: '0.0.0.0/0', category: 'lainnya' },
          { prefix: '10.0.0.0/8', category: 'lainnya' },
          { prefix: '10.255.10.1', category: 'lainnya' },
          { prefix: '10.254.0.6/31', category: 'lainnya' },
          { prefix: '10.253.255.0/24', category: 'lainnya' },
          { prefix: '10.254.1.0/24', category: 'lainnya' },
          { prefix: '10.0.0.1/8', category: 'lainnya' },
          { prefix: 'not-an-address', category: 'lainnya' },
        ],
      },
      router('7.19.1'),
      opts,
    );
    expect(r.desired.menus[AL]?.map((e) => e.address)).toEqual(['10.253.255.0/24', '10.254.1.0/24']);
    expect(r.skipped.map((s) => [s.entry, s.reason.split(' ')[0]])).toEqual([
      ['0.0.0.0/0', 'covers'],
      ['10.0.0.0/8', 'overlaps'],
      ['10.255.10.1', 'overlaps'],
      ['10.254.0.6/31', 'overlaps'],
      ['10.0.0.1/8', "'10.0.0.1/8'"],
      ['not-an-address', "'not-an-address'"],
    ]);
  });

  it('never blocks the protected domains, their subdomains, or a wildcard above them, and says so in the notes', () => {
    const rows = [
      { kind: 'domain' as const, value: 'pemda.example', category: 'lainnya' },
      { kind: 'wildcard' as const, value: 'simpul.pemda.example', category: 'lainnya' },
      { kind: 'wildcard' as const, value: 'example', category: 'lainnya' },
      { kind: 'domain' as const, value: 'example', category: 'lainnya' },
      { kind: 'domain' as const, value: 'pemda.example.org', category: 'lainnya' },
    ];
    const list = { opd: 'DINKES', ...applyExceptions(composeBase(rows, ['pemda.example']), []) };
    const r = enforceBlocklist(list, router('7.19.1'), opts);
    expect(r.desired.menus[DNS]?.map((e) => e.name)).toEqual(['example', 'pemda.example.org']);
    expect(r.skipped.map((s) => s.entry)).toEqual(['pemda.example', '*.simpul.pemda.example', '*.example']);
    expect(r.skipped[0]!.reason).toMatch(/regency's own domain pemda\.example/);
  });
});

describe('the /ip/dns/static model (regexp support added for blocking)', () => {
  it('wants exactly one of name and regexp, and a regexp that compiles', () => {
    const issues = validateDesired({
      menus: {
        [DNS]: [
          { name: 'a.example', regexp: 'a', type: 'NXDOMAIN', comment: 'simpul:blocking x' },
          { type: 'NXDOMAIN', comment: 'simpul:blocking x' },
          { regexp: '(^|\\.)b\\.example$', type: 'NXDOMAIN', comment: 'simpul:blocking x' },
          { regexp: '(unclosed', type: 'NXDOMAIN', comment: 'simpul:blocking x' },
        ],
      },
    });
    expect(issues.map((i) => [i.index, i.message])).toEqual([
      [0, 'give name or regexp, not both'],
      [1, 'name or regexp is required'],
      [3, '"(unclosed" is not a regular expression'],
    ]);
  });
});

describe('IPv6 by RouterOS version', () => {
  const v6list: EffectiveBlocklist = { ...list, prefixes: [...list.prefixes, { prefix: '2001:db8:bad::/48', category: 'malware' }] };
  it('RouterOS 7 manages /ipv6/firewall; RouterOS 6 and unknown versions skip IPv6 entries with a reason and never touch the menus', () => {
    const v7 = enforceBlocklist(v6list, router('7.16.2'), opts);
    expect(v7.desired.menus[AL6]?.map((e) => e.address)).toEqual(['2001:db8:bad::/48']);
    expect(v7.desired.menus[FILTER6]?.length).toBe(1);
    for (const v of ['6.49.17', undefined]) {
      const p = enforceBlocklist(v6list, router(v), opts);
      expect(Object.keys(p.desired.menus)).not.toContain(AL6);
      expect(Object.keys(p.desired.menus)).not.toContain(FILTER6);
      expect(p.skipped).toEqual([expect.objectContaining({ entry: '2001:db8:bad::/48', reason: expect.stringContaining('RouterOS 7 routers only') })]);
    }
  });
});
