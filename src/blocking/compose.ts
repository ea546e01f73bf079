/**
 * Pure core of the effective list: entries of the categories that apply, merged (one row per name or
 * prefix; a wildcard wins over the exact name), names under a wildcard and prefixes inside another
 * left out (they add router entries and block nothing more), then an OPD's exceptions taken away.
 */
import type { EffectiveDomain, WithheldEntry } from './effective.js';
import { ipPrefix, isAtOrUnder, protectedDomainHit, protectedDomainReason, revKey, type EntryKind } from './normalize.js';
import { containsPrefix, parseAddress, parsePrefix, type Prefix } from '../common/net/cidr.js';

export interface EntryRow {
  kind: EntryKind;
  value: string;
  category: string;
}

export interface ExceptionRow {
  kind: 'domain' | 'address';
  value: string;
}

export interface BaseList {
  domains: EffectiveDomain[];
  prefixes: { prefix: string; category: string; p: Prefix }[];
  withheld: WithheldEntry[];
}

/** `protectedDomains`: entries blocking one of them (stored before the rule, or before the domain was set) are withheld, not merged. */
export function composeBase(rows: Iterable<EntryRow>, protectedDomains: readonly string[] = []): BaseList {
  const names = new Map<string, EffectiveDomain>();
  const ips = new Map<string, { prefix: string; category: string; p: Prefix }>();
  const withheld: WithheldEntry[] = [];
  for (const r of rows) {
    const hit = protectedDomainHit(r, protectedDomains);
    if (hit !== undefined) {
      withheld.push({ entry: r.kind === 'wildcard' ? `*.${r.value}` : r.value, category: r.category, reason: protectedDomainReason(hit) });
      continue;
    }
    if (r.kind === 'domain' || r.kind === 'wildcard') {
      const sub = r.kind === 'wildcard';
      const have = names.get(r.value);
      if (!have || (sub && !have.subdomains) || (sub === have.subdomains && r.category < have.category))
        names.set(r.value, { name: r.value, subdomains: sub, category: r.category });
    } else {
      const have = ips.get(r.value);
      if (!have || r.category < have.category) ips.set(r.value, { prefix: r.value, category: r.category, p: have?.p ?? ipPrefix(r) });
    }
  }
  // In reversed-label order a wildcard comes right before every name it covers.
  const byRev = [...names.values()].map((d) => ({ d, k: revKey(d.name) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const domains: EffectiveDomain[] = [];
  let cover: string | null = null;
  for (const { d, k } of byRev) {
    if (cover !== null && k.startsWith(cover)) continue;
    cover = d.subdomains ? k : null;
    domains.push(d);
  }
  domains.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Address order, enclosing prefix first: a prefix is covered when it starts before the last kept one ends.
  const sorted = [...ips.values()].sort(
    (a, b) => a.p.family - b.p.family || (a.p.network < b.p.network ? -1 : a.p.network > b.p.network ? 1 : a.p.length - b.p.length),
  );
  const prefixes: BaseList['prefixes'] = [];
  let last: { family: number; end: bigint } | null = null;
  for (const x of sorted) {
    if (last && last.family === x.p.family && x.p.network <= last.end) continue;
    const bits = x.p.family === 4 ? 32 : 128;
    last = { family: x.p.family, end: x.p.network + (1n << BigInt(bits - x.p.length)) - 1n };
    prefixes.push(x);
  }
  return { domains, prefixes, withheld };
}

const exceptionPrefix = (value: string): Prefix => {
  if (value.includes('/')) return parsePrefix(value);
  const a = parseAddress(value);
  return parsePrefix(`${a.text}/${a.family === 4 ? 32 : 128}`);
};

/** The base list minus what the exceptions open: names at or under an excepted name, prefixes inside an excepted one. */
export function applyExceptions(
  base: BaseList,
  exceptions: readonly ExceptionRow[],
): { domains: EffectiveDomain[]; prefixes: { prefix: string; category: string }[]; withheld: WithheldEntry[] } {
  const names = exceptions.filter((e) => e.kind === 'domain').map((e) => e.value);
  const nets = exceptions.filter((e) => e.kind === 'address').map((e) => exceptionPrefix(e.value));
  return {
    domains: names.length ? base.domains.filter((d) => !names.some((n) => isAtOrUnder(d.name, n))) : base.domains,
    prefixes: base.prefixes.filter((x) => !nets.some((n) => containsPrefix(n, x.p))).map(({ prefix, category }) => ({ prefix, category })),
    withheld: base.withheld,
  };
}
