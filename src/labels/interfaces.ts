/**
 * Interface-name normalization, after Netdisco: the same port is written many ways
 * (`GigabitEthernet1/0/24`, `Gi1/0/24`, `gi1-0-24` on a label where "/" is not allowed),
 * so names are compared through one canonical key and displayed as written.
 */

/** Long and short spellings of Cisco-style type prefixes, mapped to one short form. */
const TYPE_ALIASES: ReadonlyMap<string, string> = new Map(
  (
    [
      ['gi', ['gigabitethernet', 'gigabit', 'gige', 'gig', 'gi']],
      ['fa', ['fastethernet', 'fast', 'fa']],
      ['te', ['tengigabitethernet', 'tengige', 'tengig', 'ten', 'te', 'xe']],
      ['twe', ['twentyfivegigabitethernet', 'twentyfivegige', 'twe']],
      ['fo', ['fortygigabitethernet', 'fortygige', 'fo']],
      ['hu', ['hundredgigabitethernet', 'hundredgige', 'hu']],
      ['et', ['ethernet', 'eth', 'et']],
      ['po', ['port-channel', 'portchannel', 'po']],
      ['vl', ['vlan', 'vl']],
      ['lo', ['loopback', 'lo']],
      // "Port 24" (TP-Link, some D-Link) is the bare port number.
      ['', ['port']],
    ] as const
  ).flatMap(([short, longs]) => longs.map((l) => [l, short] as [string, string])),
);

const NAME = /^([a-z]+(?:-[a-z]+)*)?\s*([0-9]+(?:[/:.-][0-9]+)*)$/;

/**
 * Canonical comparison key of an interface name: lower case, type prefix shortened,
 * "-" between numbers read as "/", leading zeros dropped. MikroTik names such as `ether5`
 * and `sfp-sfpplus1` keep their prefix (they are not Cisco abbreviations).
 */
export function normalizeInterface(name: string): string {
  const s = name.trim().toLowerCase();
  const m = NAME.exec(s);
  if (!m) return s;
  const prefix = m[1] ?? '';
  const nums = (m[2] ?? '').replace(/[/:-]/g, '/');
  const numbers = nums.replace(/[0-9]+/g, (d) => String(Number.parseInt(d, 10)));
  const short = TYPE_ALIASES.get(prefix);
  return (short ?? prefix) + numbers;
}

/** Interface name as it may be written in a label (no "/"): `Gi1/0/24` -> `Gi1-0-24`. */
export function interfaceForLabel(name: string): string {
  return name.trim().replace(/\//g, '-');
}

/** Trailing port number of a single-number name (`ether5` -> 5, `Gi1/0/5` -> 5, `5` -> 5). */
function trailingNumber(key: string): number | undefined {
  const m = /([0-9]+)$/.exec(key);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Whether two port names denote the same port. Besides equal keys, a bare number matches a
 * named port ending in that number (inventory `ports: 24` names ports 1..24 while a label or
 * LLDP may say `ether5` or `Gi1/0/5`), because comparisons are always within one device.
 */
export function samePort(a: string, b: string): boolean {
  const ka = normalizeInterface(a);
  const kb = normalizeInterface(b);
  if (ka === kb) return true;
  const bareA = /^[0-9]+$/.test(ka);
  const bareB = /^[0-9]+$/.test(kb);
  if (bareA === bareB) return false;
  return trailingNumber(bareA ? kb : ka) === Number(bareA ? ka : kb);
}

/** What a device offers as ports: a count (ports 1..N) or interface names. */
export interface PortSpec {
  ports?: number;
  interfaces?: readonly string[];
}

/**
 * The port of the device that `port` names, as its canonical key: the normalized name the device
 * declares (`3` and `ether3` are its `ether3`), or on a numbered device the port number
 * (`Gi1/0/5`, `ether5` and `5` are port 5). Undefined when the device has no such port.
 */
function declaredPort(port: string, spec: PortSpec): string | undefined {
  const named = spec.interfaces?.find((n) => samePort(n, port));
  if (named !== undefined) return normalizeInterface(named);
  if (spec.ports !== undefined) {
    const key = normalizeInterface(port);
    const n = /^[0-9]+$/.test(key) ? Number(key) : trailingNumber(key);
    if (n !== undefined && n >= 1 && n <= spec.ports) return String(n);
  }
  return undefined;
}

/** Whether `port` exists on a device; `undefined` when the device declares no ports at all. */
export function portExists(port: string, spec: PortSpec): boolean | undefined {
  if (declaredPort(port, spec) !== undefined) return true;
  return spec.ports !== undefined || (spec.interfaces ?? []).length > 0 ? false : undefined;
}

/**
 * The one key a port of a device is compared by (port reuse, duplicate cables, LLDP pairs): every
 * spelling the existence check accepts for a port gives that port's key, so `Gi1-0-24` and `24`
 * on a 48-port switch are one port. Without a spec (device unknown), the normalized name.
 */
export function portKey(port: string, spec?: PortSpec): string {
  return (spec && declaredPort(port, spec)) ?? normalizeInterface(port);
}
