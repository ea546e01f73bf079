/**
 * One block-list value judged on its own: a domain, a wildcard (`*.example.com`: the name and every
 * name under it), an address or a prefix, in canonical text, or a reason a person can act on.
 * Pure: the import, the API and the unblock requests all go through here.
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import { AppError } from '../common/errors.js';
import { containsPrefix, familyBits, formatAddress, makePrefix, parseAddress, parsePrefix, truncate, type Family, type Prefix } from '../common/net/cidr.js';

export type EntryKind = 'domain' | 'wildcard' | 'address' | 'prefix';

export interface BlockValue {
  kind: EntryKind;
  /** Domains: punycode lowercase without trailing dot (a wildcard without its `*.`). IPs: canonical. */
  value: string;
}

export interface Invalid {
  code: string;
  reason: string;
}

export type Judged = { ok: true; entry: BlockValue } | ({ ok: false } & Invalid);

/** What a value may be: a domain (exact or wildcard), an address or prefix, or either. */
export type Expect = 'domain' | 'ip' | 'any';

const bad = (code: string, reason: string): Judged => ({ ok: false, code, reason });
const show = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

// Public suffixes a wildcard must never cover: blocking `*.go.id` would cut off every government site.
const PUBLIC_SUFFIXES = new Set([
  'co.id',
  'go.id',
  'ac.id',
  'or.id',
  'web.id',
  'sch.id',
  'my.id',
  'biz.id',
  'net.id',
  'mil.id',
  'desa.id',
  'ponpes.id',
  'id.id',
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.jp',
  'com.sg',
  'com.my',
  'gov.my',
  'com.br',
  'co.in',
  'github.io',
  'blogspot.com',
  'appspot.com',
  'cloudfront.net',
  'herokuapp.com',
  'azurewebsites.net',
]);

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
// Control characters (C0, DEL, C1) and anything invisible that would make two names look alike.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060\ufeff]/;

/** A domain or `*.domain`; `expectIp` says what to call an address here (an error, since a domain belongs). */
export function judgeDomain(input: string, opts: { wildcard?: boolean } = {}): Judged {
  let s = input.trim();
  if (!s) return bad('EMPTY', 'empty value');
  if (CONTROL.test(s)) return bad('CONTROL_CHARACTERS', `${show(s.replace(CONTROL, '?'))} contains control or invisible characters`);
  let wildcard = false;
  if (s.startsWith('*.')) {
    if (opts.wildcard === false) return bad('WILDCARD_NOT_ALLOWED', `${show(s)}: a wildcard is not allowed here; give the name itself`);
    wildcard = true;
    s = s.slice(2);
  }
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (!s) return bad('WILDCARD_TOO_BROAD', `${show(input.trim())} would block every name on the internet`);
  // Only something with ':' or '/', or made of digits, dots and brackets, can be an address or prefix: most names skip the costly checks.
  if ((/[:/]/.test(s) || /^[\d.[\]]+$/.test(s)) && (isIP(s) || isIP(s.replace(/^\[|\]$/g, '')) || /^[0-9.]+\/\d+$/.test(s) || /^[0-9a-f:.]+\/\d+$/i.test(s)))
    return bad('IP_NOT_DOMAIN', `${show(s)} is an IP address or prefix where a domain name belongs`);
  if (s.includes('*')) return bad('BAD_WILDCARD', `${show(input.trim())}: '*' is allowed only as the whole first label, as in *.example.com`);
  let ascii = s.toLowerCase();
  if (/[^\x00-\x7f]/.test(ascii)) {
    ascii = domainToASCII(ascii);
    if (!ascii) return bad('BAD_IDN', `${show(s)} is not a valid internationalized domain name`);
  }
  if (ascii.length > 253) return bad('NAME_TOO_LONG', `name is ${ascii.length} characters; a domain name has at most 253`);
  const labels = ascii.split('.');
  for (const l of labels) {
    if (!l) return bad('EMPTY_LABEL', `${show(s)} has an empty label (two dots in a row or a leading dot)`);
    if (l.length > 63) return bad('LABEL_TOO_LONG', `label ${show(l)} is ${l.length} bytes; a label has at most 63`);
    if (!LABEL.test(l)) {
      const c = [...l].find((ch) => !/[a-z0-9_-]/.test(ch));
      return bad('BAD_CHARACTERS', c ? `${show(s)} contains ${show(c)}; names use letters, digits, '-' and '_'` : `label ${show(l)} begins or ends with '-'`);
    }
  }
  if (labels.length < 2) return bad(wildcard ? 'WILDCARD_TOO_BROAD' : 'BARE_TLD', `${show(input.trim())} is a whole top-level domain; name a site under it`);
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return bad('NUMERIC_TLD', `${show(s)} ends in a numeric label; it is not a domain name`);
  if (wildcard && PUBLIC_SUFFIXES.has(ascii)) return bad('WILDCARD_TOO_BROAD', `*.${ascii} would block every site registered under ${ascii}`);
  return { ok: true, entry: { kind: wildcard ? 'wildcard' : 'domain', value: ascii } };
}

/** An address or prefix in canonical text; a full-length prefix (/32, /128) becomes the bare address. */
export function judgeIp(input: string): Judged {
  const s = input.trim();
  if (!s) return bad('EMPTY', 'empty value');
  if (CONTROL.test(s)) return bad('CONTROL_CHARACTERS', `${show(s.replace(CONTROL, '?'))} contains control characters`);
  try {
    if (!s.includes('/')) return { ok: true, entry: { kind: 'address', value: parseAddress(s).text } };
    const p = parsePrefix(s);
    if (p.length === familyBits(p.family)) return { ok: true, entry: { kind: 'address', value: formatAddress(p.family, p.network) } };
    return { ok: true, entry: { kind: 'prefix', value: p.text } };
  } catch (e) {
    if (e instanceof AppError) return bad(e.code, e.detail);
    throw e;
  }
}

const looksLikeIp = (s: string): boolean => /^[0-9.]+(\/[0-9.]+)?$/.test(s) || (s.includes(':') && /^[0-9a-f:.]+(\/\d+)?$/i.test(s));

/** Any value; `expect` says what belongs here so the wrong kind is reported, not guessed. */
export function judgeValue(input: string, expect: Expect = 'any'): Judged {
  const s = input.trim();
  const ip = looksLikeIp(s);
  if (expect === 'ip') return ip ? judgeIp(s) : bad('DOMAIN_NOT_IP', `${show(s)} is not an IP address or prefix, which belongs here`);
  if (expect === 'domain' || !ip) return judgeDomain(s);
  return judgeIp(s);
}

/** The reversed-label key of a name: `a.example.com` -> `com example a `. A wildcard's key prefixes the keys it covers. */
export const revKey = (name: string): string => `${name.split('.').reverse().join(' ')} `;

/** The name and each parent under the top-level domain: `a.b.example.com` -> [that, b.example.com, example.com]. */
export function selfAndParents(name: string): string[] {
  const labels = name.split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** True when `name` is `parent` or under it. */
export const isAtOrUnder = (name: string, parent: string): boolean => name === parent || name.endsWith(`.${parent}`);

/**
 * The protected domain (e.g. the regency's own) a domain entry would block, if any: the entry is
 * the domain, lies under it, or (a wildcard) covers it. Entry, import and the effective list all
 * ask here, so a protected name is refused at the door and never reaches an export or a router.
 */
export function protectedDomainHit(v: { kind: string; value: string }, protectedDomains: readonly string[]): string | undefined {
  if (v.kind !== 'domain' && v.kind !== 'wildcard') return undefined;
  return protectedDomains.find((p) => isAtOrUnder(v.value, p) || (v.kind === 'wildcard' && p.endsWith(`.${v.value}`)));
}

export const protectedDomainReason = (hit: string) => `the regency's own domain ${hit} (and every name under it) is never blocked`;

export interface ProtectedRange {
  prefix: Prefix;
  /** Why it may not be blocked, e.g. "IPAM pool backbone (10.255.0.0/16)". */
  why: string;
}

/** The ranges nothing may block: what keeps Diskominfo connected to its routers and the intranet to itself. */
export interface Safety {
  protected: readonly ProtectedRange[];
  /** Prefixes shorter than this are refused (too broad to be a site). */
  minLength: { 4: number; 6: number };
  /** Domains nothing may block, nor anything under them: the regency's own (inventory `regency.domain`). */
  domains?: readonly string[];
}

export const ipPrefix = (v: BlockValue): Prefix => (v.kind === 'address' ? prefixOfAddress(v.value) : parsePrefix(v.value));

export function prefixOfAddress(text: string): Prefix {
  const a = parseAddress(text);
  return makePrefix(a.family, a.value, familyBits(a.family));
}

/** Null when the address or prefix may be blocked, else the reason it may not. */
export function unsafeReason(v: BlockValue, safety: Safety): Invalid | null {
  const hit = protectedDomainHit(v, safety.domains ?? []);
  if (hit !== undefined) return { code: 'PROTECTED_DOMAIN', reason: `${v.kind === 'wildcard' ? `*.${v.value}` : v.value}: ${protectedDomainReason(hit)}` };
  if (v.kind !== 'address' && v.kind !== 'prefix') return null;
  const p = ipPrefix(v);
  if (p.length === 0) return { code: 'COVERS_INTERNET', reason: `${v.value} covers the whole ${p.family === 4 ? 'IPv4' : 'IPv6'} internet` };
  const min = safety.minLength[p.family];
  if (p.length < min)
    return {
      code: 'PREFIX_TOO_BROAD',
      reason: `${v.value} is shorter than /${min} (blocking.minPrefixLength${p.family === 4 ? 'V4' : 'V6'}); it is too broad to be a site`,
    };
  for (const r of safety.protected) {
    if (r.prefix.family !== p.family) continue;
    if (containsPrefix(p, r.prefix)) return { code: 'COVERS_PROTECTED', reason: `${v.value} covers ${r.why}; blocking it would cut the intranet off` };
    if (containsPrefix(r.prefix, p))
      return { code: 'INSIDE_PROTECTED', reason: `${v.value} is inside ${r.why}; block lists are for internet sites, not the intranet` };
  }
  return null;
}

/** Every prefix of `family` from length `min` to full that contains the address, as canonical text (full length as the bare address). */
export function coveringValues(p: Prefix, min = 0): BlockValue[] {
  const bits = familyBits(p.family);
  const out: BlockValue[] = [];
  for (let len = min; len <= p.length; len++) {
    const net = truncate(p.family, p.network, len);
    out.push(len === bits ? { kind: 'address', value: formatAddress(p.family, net) } : { kind: 'prefix', value: makePrefix(p.family, net, len).text });
  }
  return out;
}

export const ALWAYS_PROTECTED: readonly ProtectedRange[] = [
  { prefix: parsePrefix('127.0.0.0/8'), why: 'the loopback range 127.0.0.0/8' },
  { prefix: parsePrefix('::1/128'), why: 'the loopback address ::1' },
];

export type { Family };
