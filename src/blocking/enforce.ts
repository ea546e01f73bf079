// An OPD's effective block list as the desired state of its MikroTik router: DNS static entries
// for domains, an address list plus one drop rule per family (/ip and /ipv6 firewall) for
// addresses and prefixes, and optionally rules that keep clients on the router's DNS and drop TLS
// by server name. Pure.
import { parseAddress, parsePrefix, blockLast, type Family } from '../common/net/cidr.js';
import type { DesiredState, Entry } from '../routeros/desired.js';
import type { EffectiveBlocklist, EffectiveDomain } from './effective.js';

export type { EffectiveBlocklist, EffectiveDomain };

export interface EnforceRouter {
  id: string;
  model: string;
  /** Inventory `routeros.version`; unknown = the form every version accepts. */
  rosVersion?: string;
}

export interface EnforceOptions {
  /** Address list the prefixes go in, e.g. `simpul-block`. */
  listName: string;
  /** Drop DNS (53) and DNS over TLS/QUIC (853) that LAN clients send past the router. */
  dropForeignDns: boolean;
  /** Drop TLS to blocked domains by server name (`tls-host`), for clients that skip DNS. */
  sniRules: boolean;
  /** Router model -> most entries it may hold; `default` for the others. */
  modelLimits: Readonly<Record<string, number>>;
  /** Addresses and prefixes that must stay reachable (management addresses, backbone, data
   *  center): a blocked prefix overlapping one of them is skipped, never pushed. */
  protectedPrefixes: readonly string[];
  /** When set, the foreign-DNS rules match only traffic entering from this interface list. */
  lanInterfaceList?: string;
}

export interface SkippedEntry {
  entry: string;
  category: string;
  reason: string;
}

export interface EnforcePlan {
  desired: DesiredState;
  /** Entries the router would hold (DNS entries + address-list entries + rules). */
  count: number;
  limit: number;
  /** Entries left out, with why (protected, whole internet, malformed). */
  skipped: SkippedEntry[];
  /** Domains left out because a blocked parent with subdomains already covers them. */
  covered: number;
}

export class BlockLimitError extends Error {
  override readonly name = 'BlockLimitError';
  constructor(
    readonly router: string,
    readonly count: number,
    readonly limit: number,
    readonly model: string,
  ) {
    super(
      `router ${router} (${model}) would hold ${count} blocking entries, more than its limit of ${limit}; nothing is pushed until the list shrinks or blocking.modelLimits allows more`,
    );
  }
}

export const OWNER = 'simpul:blocking';
const FILTER = '/ip/firewall/filter';
const DNS = '/ip/dns/static';
const LIST = '/ip/firewall/address-list';
const FILTER6 = '/ipv6/firewall/filter';
const LIST6 = '/ipv6/firewall/address-list';
/** Short, so an approved exception reaches clients' caches quickly (negative answers are cached too). */
const DNS_TTL = '5m';

/** `7.19.1` -> [7, 19, 1]; undefined when absent or unreadable. */
function version(v: string | undefined): number[] | undefined {
  if (!v || !/^\d+(\.\d+){0,2}$/.test(v)) return undefined;
  return v.split('.').map(Number);
}

function atLeast(v: number[], major: number, minor: number): boolean {
  const [a = 0, b = 0] = v;
  return a > major || (a === major && b >= minor);
}

/**
 * RouterOS 6 ships IPv6 as an optional package, disabled by default: reading a missing /ipv6 menu
 * would fail the router's whole sync, so /ipv6 menus are managed on RouterOS 7 only.
 */
export function hasIpv6Menus(rosVersion: string | undefined): boolean {
  const v = version(rosVersion);
  return v !== undefined && atLeast(v, 7, 0);
}

/** RouterOS 7.15 added `/ip/dns/adlist`: the router fetches a hosts file and answers its names itself. */
export function supportsAdlist(rosVersion: string | undefined): boolean {
  const v = version(rosVersion);
  return v !== undefined && atLeast(v, 7, 15);
}

/** RouterOS 6.47 added record types to static DNS entries, NXDOMAIN among them. */
export function supportsNxdomain(rosVersion: string | undefined): boolean {
  const v = version(rosVersion);
  return v !== undefined && atLeast(v, 6, 47);
}

/** RouterOS DNS regexp matching a name and every name below it. */
export function subdomainRegexp(name: string): string {
  return `(^|\\.)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

const parents = (name: string): string[] => {
  const out: string[] = [];
  for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) out.push(name.slice(i + 1));
  return out;
};

interface Interval {
  family: Family;
  lo: bigint;
  hi: bigint;
}

/** The range an address or prefix covers, and its canonical text as an address-list holds it. */
function interval(input: string): Interval & { text: string } {
  const text = input.trim();
  if (text.includes('/')) {
    const p = parsePrefix(text);
    const single = p.length === (p.family === 4 ? 32 : 128);
    return { family: p.family, lo: p.network, hi: blockLast(p.family, p), text: single ? p.text.slice(0, p.text.indexOf('/')) : p.text };
  }
  const a = parseAddress(text);
  return { family: a.family, lo: a.value, hi: a.value, text: a.text };
}

/** Sorted, merged intervals per family; `overlaps` is a binary search. */
class IntervalSet {
  private readonly byFamily = new Map<Family, Interval[]>();
  constructor(items: readonly Interval[]) {
    for (const f of [4, 6] as const) {
      const sorted = items.filter((i) => i.family === f).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
      const merged: Interval[] = [];
      for (const i of sorted) {
        const last = merged[merged.length - 1];
        if (last && i.lo <= last.hi + 1n) {
          if (i.hi > last.hi) last.hi = i.hi;
        } else merged.push({ ...i });
      }
      this.byFamily.set(f, merged);
    }
  }

  overlaps(x: Interval): boolean {
    const list = this.byFamily.get(x.family) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as Interval).hi < x.lo) lo = mid + 1;
      else hi = mid;
    }
    const found = list[lo];
    return found !== undefined && found.lo <= x.hi;
  }
}

/**
 * The desired state of one OPD router for its effective block list. Throws BlockLimitError when
 * the router would hold more entries than its model allows.
 */
export function enforceBlocklist(list: EffectiveBlocklist, router: EnforceRouter, opts: EnforceOptions): EnforcePlan {
  const skipped: SkippedEntry[] = [];
  const v = version(router.rosVersion);
  // unknown version: forms RouterOS 6 and 7 both accept
  const nxdomain = v !== undefined && atLeast(v, 7, 0);
  const matchSubdomain = v !== undefined && atLeast(v, 7, 5);
  const aaaa = v !== undefined && !nxdomain && atLeast(v, 6, 47);
  const ipv6 = hasIpv6Menus(router.rosVersion);

  // ---- domains ----------------------------------------------------------------------------------
  // The list already withholds protected domains (the regency's own); the router's notes say which.
  skipped.push(...(list.withheld ?? []));
  const wanted = new Map<string, EffectiveDomain>();
  for (const d of list.domains) {
    const name = d.name.toLowerCase().replace(/\.$/, '');
    const prev = wanted.get(name);
    if (!prev || (d.subdomains && !prev.subdomains)) wanted.set(name, { name, subdomains: d.subdomains, category: d.category });
  }
  const wildcards = new Set([...wanted.values()].filter((d) => d.subdomains).map((d) => d.name));
  const domains = [...wanted.values()].filter((d) => !parents(d.name).some((p) => wildcards.has(p)));
  const covered = wanted.size - domains.length;

  const dns: Entry[] = [];
  const sni: Entry[] = [];
  for (const d of domains) {
    const comment = `${OWNER} ${d.category}`;
    const match: Record<string, string> = !d.subdomains
      ? { name: d.name }
      : matchSubdomain
        ? { name: d.name, 'match-subdomain': 'yes' }
        : { regexp: subdomainRegexp(d.name) };
    if (nxdomain) dns.push({ ...match, type: 'NXDOMAIN', ttl: DNS_TTL, comment });
    else {
      dns.push({ ...match, address: '0.0.0.0', ttl: DNS_TTL, comment });
      if (aaaa) dns.push({ ...match, type: 'AAAA', address: '::', ttl: DNS_TTL, comment });
    }
    if (opts.sniRules) {
      const hosts = d.subdomains ? [d.name, `*.${d.name}`] : [d.name];
      for (const h of hosts) sni.push({ chain: 'forward', protocol: 'tcp', 'dst-port': '443', 'tls-host': h, action: 'drop', comment: `${OWNER} sni ${h}` });
    }
  }

  // ---- addresses and prefixes -------------------------------------------------------------------
  const guard = new IntervalSet(
    opts.protectedPrefixes.flatMap((p) => {
      try {
        return [interval(p)];
      } catch {
        return [];
      }
    }),
  );
  const addresses: Record<Family, Entry[]> = { 4: [], 6: [] };
  const seen = new Set<string>();
  for (const p of list.prefixes) {
    let iv: ReturnType<typeof interval>;
    try {
      iv = interval(p.prefix);
    } catch (e) {
      skipped.push({ entry: p.prefix, category: p.category, reason: (e as Error).message });
      continue;
    }
    if (iv.lo === 0n && iv.hi === (iv.family === 4 ? 0xffffffffn : (1n << 128n) - 1n)) {
      skipped.push({ entry: p.prefix, category: p.category, reason: 'covers the whole internet' });
      continue;
    }
    if (guard.overlaps(iv)) {
      skipped.push({ entry: p.prefix, category: p.category, reason: 'overlaps a protected management, backbone or data-center range' });
      continue;
    }
    if (iv.family === 6 && !ipv6) {
      skipped.push({
        entry: p.prefix,
        category: p.category,
        reason: `RouterOS ${router.rosVersion ?? '(version unknown)'} may lack the ipv6 package; IPv6 entries are pushed to RouterOS 7 routers only`,
      });
      continue;
    }
    if (seen.has(iv.text)) continue;
    seen.add(iv.text);
    addresses[iv.family].push({ list: opts.listName, address: iv.text, comment: `${OWNER} ${p.category}` });
  }

  // ---- rules --------------------------------------------------------------------------------------
  // the same rules in /ip and /ipv6 firewall (same comments: each menu is its own identity space)
  const familyRules = (family: Family): Entry[] => {
    const rules: Entry[] = [];
    if (addresses[family].length > 0)
      rules.push({ chain: 'forward', action: 'drop', 'dst-address-list': opts.listName, comment: `${OWNER} drop ${opts.listName}` });
    if (opts.dropForeignDns) {
      // the router's own resolver is reached through the input chain, so `forward` only sees
      // queries to other resolvers
      const lan: Record<string, string> = opts.lanInterfaceList ? { 'in-interface-list': opts.lanInterfaceList } : {};
      for (const protocol of ['udp', 'tcp'])
        rules.push({ chain: 'forward', ...lan, protocol, 'dst-port': '53,853', action: 'drop', comment: `${OWNER} foreign-dns ${protocol}` });
    }
    return rules;
  };
  const rules = [...familyRules(4), ...sni];
  const rules6 = ipv6 ? familyRules(6) : [];

  const count = dns.length + addresses[4].length + addresses[6].length + rules.length + rules6.length;
  const limit = opts.modelLimits[router.model] ?? opts.modelLimits.default ?? 20000;
  if (count > limit) throw new BlockLimitError(router.id, count, limit, router.model);

  // Every menu is managed even when empty: what an earlier push left (the last IPv6 prefix and
  // its drop rule too) is removed when the list shrinks.
  const desired: DesiredState = { menus: { [DNS]: dns, [LIST]: addresses[4], [FILTER]: rules, ...(ipv6 ? { [LIST6]: addresses[6], [FILTER6]: rules6 } : {}) } };
  const before = { at: 'before', match: { action: 'accept' } } as const;
  if (rules.length > 0) desired.placement = { [FILTER]: before };
  if (rules6.length > 0) desired.placement = { ...desired.placement, [FILTER6]: before };
  return { desired, count, limit, skipped, covered };
}
