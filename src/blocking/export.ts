/**
 * The effective list for a central resolver: a Response Policy Zone (BIND, Unbound, PowerDNS,
 * Knot) or Unbound local-zone lines. Pure text builders.
 */
import type { EffectiveBlocklist } from './effective.js';
import { parseAddress } from '../common/net/cidr.js';

/** RPZ IP trigger owner name: `24.0.100.51.198.rpz-ip`, IPv6 groups reversed with `zz` for `::`. */
export function rpzIpName(prefix: string): string {
  const [addr, len] = prefix.includes('/') ? (prefix.split('/') as [string, string]) : [prefix, prefix.includes(':') ? '128' : '32'];
  const a = parseAddress(addr);
  if (a.family === 4) return `${len}.${a.text.split('.').reverse().join('.')}.rpz-ip`;
  const [left, right] = a.text.includes('::') ? (a.text.split('::') as [string, string]) : [a.text, null];
  const l = left ? left.split(':') : [];
  if (right === null) return `${len}.${l.reverse().join('.')}.rpz-ip`;
  const r = right ? right.split(':') : [];
  return `${len}.${[...r.reverse(), 'zz', ...l.reverse()].join('.')}.rpz-ip`;
}

export interface ZoneOptions {
  /** Zone origin, e.g. `rpz.simpul.` (the resolver's response-policy names it). */
  origin: string;
  serial: number;
  /** Shown in the SOA RNAME, e.g. noc.example.go.id. */
  contact: string;
  generatedAt: string;
}

export function toRpz(list: EffectiveBlocklist, o: ZoneOptions): string {
  const lines = [
    `; Simpul block list for ${list.opd === '*' ? 'every category' : `OPD ${list.opd}`}, generated ${o.generatedAt}`,
    `; ${list.domains.length} names, ${list.prefixes.length} addresses and prefixes`,
    `$ORIGIN ${o.origin}`,
    '$TTL 300',
    `@ IN SOA localhost. ${o.contact.replace(/\.?$/, '.')} ${o.serial} 3600 600 86400 300`,
    '@ IN NS localhost.',
  ];
  for (const d of list.domains) {
    lines.push(`${d.name} CNAME .`);
    if (d.subdomains) lines.push(`*.${d.name} CNAME .`);
  }
  for (const p of list.prefixes) lines.push(`${rpzIpName(p.prefix)} CNAME .`);
  return `${lines.join('\n')}\n`;
}

/**
 * Unbound: a wildcard is a local-zone answering NXDOMAIN for the name and everything under it; an
 * exact name gets local-data (its zone stays transparent, so names under it still resolve).
 * Addresses need the respip module (`module-config: "respip validator iterator"`).
 */
export function toUnbound(list: EffectiveBlocklist, generatedAt: string): string {
  const lines = [`# Simpul block list for ${list.opd === '*' ? 'every category' : `OPD ${list.opd}`}, generated ${generatedAt}`, 'server:'];
  for (const d of list.domains) {
    if (d.subdomains) lines.push(`  local-zone: "${d.name}." always_nxdomain`);
    else lines.push(`  local-data: "${d.name}. A 0.0.0.0"`, `  local-data: "${d.name}. AAAA ::"`);
  }
  for (const p of list.prefixes)
    lines.push(`  response-ip: ${p.prefix.includes('/') ? p.prefix : `${p.prefix}/${p.prefix.includes(':') ? 128 : 32}`} always_nxdomain`);
  return `${lines.join('\n')}\n`;
}
