// Address checks for the hot paths (a router sync checks entries by the hundred thousand): plain
// string and number work, no objects and no exceptions. Everything else parses with ./cidr.ts.
import { isIPv4, isIPv6 } from 'node:net';

/** A valid dotted-quad IPv4 address as a number. */
export function ipv4Number(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** A valid IPv6 address (embedded IPv4 tail allowed) as a number. */
export function ipv6Number(a: string): bigint {
  const [head = '', tail] = a.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  // an embedded IPv4 tail (`::ffff:192.0.2.1`) is two groups
  const expand = (gs: string[]): string[] =>
    gs.flatMap((g) => (g.includes('.') ? [(ipv4Number(g) >>> 16).toString(16), (ipv4Number(g) & 0xffff).toString(16)] : [g]));
  const hi = expand(groups(head));
  const lo = tail === undefined ? [] : expand(groups(tail));
  const all = [...hi, ...Array<string>(8 - hi.length - lo.length).fill('0'), ...lo];
  return all.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** A prefix with host bits zero, or a bare address (v4 or v6). */
export function isCanonicalPrefix(v: string): boolean {
  const [addr, len, extra] = v.split('/');
  if (extra !== undefined || !addr) return false;
  const v4 = isIPv4(addr);
  if (!v4 && !isIPv6(addr)) return false;
  if (len === undefined) return true;
  if (!/^\d{1,3}$/.test(len)) return false;
  const bits = Number(len);
  if (bits > (v4 ? 32 : 128)) return false;
  if (!v4) return bits === 128 || ipv6Number(addr) % 2n ** BigInt(128 - bits) === 0n;
  const hostBits = 32 - bits;
  return hostBits === 32 ? ipv4Number(addr) === 0 : ipv4Number(addr) % 2 ** hostBits === 0;
}

/** An IPv4 range `a-b` with a <= b. */
export function isIpv4Range(v: string): boolean {
  const [a, b, extra] = v.split('-');
  return extra === undefined && !!a && !!b && isIPv4(a) && isIPv4(b) && ipv4Number(a) <= ipv4Number(b);
}
