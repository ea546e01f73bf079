// What a router must hold, per menu: the fields Simpul manages, how entries are identified, how
// values are normalised the way RouterOS prints them, and validation that runs before anything
// is sent. Pure.
import { isIPv4, isIPv6 } from 'node:net';

/** Everything Simpul writes carries a comment starting with this; nothing else is touched. */
export const OWNER_PREFIX = 'simpul:';

export type MenuPath =
  | '/ip/firewall/address-list'
  | '/ip/firewall/filter'
  | '/ip/firewall/nat'
  | '/ip/dns/static'
  | '/ip/dns/adlist'
  | '/ip/route'
  | '/ipv6/route'
  | '/ipv6/firewall/address-list'
  | '/ipv6/firewall/filter';
export type OrderedMenu = '/ip/firewall/filter' | '/ip/firewall/nat' | '/ipv6/firewall/filter';
export type Entry = Readonly<Record<string, string>>;

/**
 * Where Simpul's rules sit within each chain relative to rules it does not own: before all of
 * them, after all of them, or just before the first unmanaged rule matching every field of
 * `match` (e.g. `{ action: 'accept' }`), falling back to the end of the chain.
 */
export type Placement = { at: 'top' } | { at: 'bottom' } | { at: 'before'; match: Record<string, string> };

export interface DesiredState {
  /** Menus Simpul manages on this router. A menu left out is not read or touched at all; an
   *  empty list removes every Simpul entry from it. */
  menus: Partial<Record<MenuPath, readonly Entry[]>>;
  /** Per ordered menu; the default is `{ at: 'top' }`. */
  placement?: Partial<Record<OrderedMenu, Placement>>;
}

export interface MenuSpec {
  path: MenuPath;
  ordered: boolean;
  /** Managed fields and the value RouterOS reports when unset ('' = absent). */
  fields: Readonly<Record<string, string>>;
  required: readonly string[];
  /** Identity of an entry within the menu (normalised fields in, key out). */
  key(e: Entry): string;
  /** Error message for a bad value, or undefined. Runs on raw desired values. */
  check?(field: string, value: string, entry: Entry): string | undefined;
  /** Error message for an entry whose fields do not fit together, or undefined. */
  complete?(entry: Entry): string | undefined;
}

export interface ValidationIssue {
  menu: MenuPath;
  index: number;
  field?: string;
  message: string;
}

export class InvalidDesiredStateError extends Error {
  override readonly name = 'InvalidDesiredStateError';
  constructor(readonly issues: ValidationIssue[]) {
    super(`invalid desired state: ${issues.slice(0, 5).map((i) => `${i.menu}[${i.index}]${i.field ? `.${i.field}` : ''}: ${i.message}`).join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`);
  }
}

// ---- value checks -------------------------------------------------------------------------------

const TOKEN = /^[\w.:@+-]{1,63}$/;
const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z]([a-z0-9_-]{0,61}[a-z0-9])?\.?$/i;
const PORTS = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;

function ipv4Number(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function ipv6Number(a: string): bigint {
  const [head = '', tail] = a.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  // an embedded IPv4 tail (`::ffff:192.0.2.1`) is two groups
  const expand = (gs: string[]): string[] => gs.flatMap((g) => (g.includes('.') ? [(ipv4Number(g) >>> 16).toString(16), (ipv4Number(g) & 0xffff).toString(16)] : [g]));
  const hi = expand(groups(head));
  const lo = tail === undefined ? [] : expand(groups(tail));
  const all = [...hi, ...Array<string>(8 - hi.length - lo.length).fill('0'), ...lo];
  return all.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** A prefix with host bits zero, or a bare address (v4 or v6). */
function isCanonicalPrefix(v: string): boolean {
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

function isRange(v: string): boolean {
  const [a, b, extra] = v.split('-');
  return extra === undefined && !!a && !!b && isIPv4(a) && isIPv4(b) && ipv4Number(a) <= ipv4Number(b);
}

function isPorts(v: string): boolean {
  return PORTS.test(v) && v.split(/[-,]/).every((p) => Number(p) >= 0 && Number(p) <= 65535);
}

const DURATION = /^(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/;

/** Parses RouterOS durations (`1d`, `1h30m`, `00:05:00`, `3600`) into seconds. */
export function durationSeconds(v: string): number | undefined {
  if (/^\d+$/.test(v)) return Number(v);
  const hms = /^(\d+):(\d{2}):(\d{2})$/.exec(v);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  const m = DURATION.exec(v);
  if (!m || v === '') return undefined;
  const unit = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 } as const;
  let total = 0;
  for (const part of m.slice(1)) if (part) total += Number(part.slice(0, -1)) * unit[part.slice(-1) as keyof typeof unit];
  return total;
}

/** Seconds as RouterOS prints them: `1d`, `1h30m`, `0s`. */
export function formatDuration(seconds: number): string {
  let s = seconds;
  let out = '';
  for (const [u, n] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= n) {
      out += `${Math.floor(s / n)}${u}`;
      s %= n;
    }
  }
  return out || '0s';
}

/** An IPv6 address, or an IPv6 network address with prefix length. */
const ADDRESS6 = (v: string) => (isCanonicalPrefix(v) && isIPv6(v.split('/')[0] ?? '') ? undefined : `"${v}" is not an IPv6 address or network address with prefix length`);
const ADDRESS = (v: string) => (isCanonicalPrefix(v) || isRange(v) ? undefined : `"${v}" is not an address, a network address with prefix length, or a range`);
const BOOL = (v: string) => (['true', 'false', 'yes', 'no'].includes(v) ? undefined : `"${v}" is not yes/no`);
const NAME = (v: string) => (TOKEN.test(v) ? undefined : `"${v}" is not a valid name (letters, digits and . : @ + - _, at most 63)`);
const PORT_LIST = (v: string) => (isPorts(v) ? undefined : `"${v}" is not a port, port range or list`);

const FIREWALL_ACTIONS = ['accept', 'drop', 'reject', 'jump', 'return', 'passthrough', 'log', 'fasttrack-connection', 'add-src-to-address-list', 'add-dst-to-address-list', 'tarpit'];
const NAT_ACTIONS = ['accept', 'dst-nat', 'src-nat', 'masquerade', 'netmap', 'redirect', 'same', 'return', 'jump', 'passthrough', 'log'];
const CONNECTION_STATES = ['established', 'related', 'new', 'invalid', 'untracked'];

function firewallCheck(actions: string[], address: (v: string) => string | undefined = ADDRESS) {
  return (field: string, v: string, e: Entry): string | undefined => {
    switch (field) {
      case 'chain':
      case 'jump-target':
      case 'src-address-list':
      case 'dst-address-list':
      case 'in-interface':
      case 'out-interface':
      case 'in-interface-list':
      case 'out-interface-list':
      case 'protocol':
        return NAME(v.startsWith('!') ? v.slice(1) : v);
      case 'action':
        if (!actions.includes(v)) return `unknown action "${v}"`;
        return v === 'jump' && !e['jump-target'] ? 'action jump needs jump-target' : undefined;
      case 'src-address':
      case 'dst-address':
        return address(v.startsWith('!') ? v.slice(1) : v);
      case 'src-port':
      case 'dst-port':
      case 'to-ports':
        return PORT_LIST(v);
      case 'to-addresses':
        return isIPv4(v) || isIPv6(v) || isRange(v) ? undefined : `"${v}" is not an address or range`;
      case 'connection-state':
        return v.split(',').every((s) => CONNECTION_STATES.includes(s.replace(/^!/, ''))) ? undefined : `"${v}" is not a list of connection states`;
      case 'log':
      case 'disabled':
        return BOOL(v);
    }
    return undefined;
  };
}

const FIREWALL_FIELDS = {
  chain: '',
  action: 'accept',
  'src-address': '',
  'dst-address': '',
  'src-address-list': '',
  'dst-address-list': '',
  protocol: '',
  'src-port': '',
  'dst-port': '',
  'in-interface': '',
  'out-interface': '',
  'in-interface-list': '',
  'out-interface-list': '',
  'connection-state': '',
  'jump-target': '',
  'tls-host': '',
  log: 'false',
  'log-prefix': '',
  disabled: 'false',
  comment: '',
};

/** address-list menus (IPv4 and IPv6): an entry is its list and address. */
const addressListSpec = (path: MenuPath, address: (v: string) => string | undefined): MenuSpec => ({
  path,
  ordered: false,
  fields: { list: '', address: '', disabled: 'false', comment: '' },
  required: ['list', 'address'],
  key: (e) => `${e.list}\u0000${e.address}`,
  check: (f, v) => {
    if (f === 'list') return NAME(v);
    if (f === 'address') return address(v);
    if (f === 'disabled') return BOOL(v);
    return undefined;
  },
});

/** Ordered firewall menus: Simpul's rules are identified by their comment. */
const firewallSpec = (path: MenuPath, fields: Readonly<Record<string, string>>, check: MenuSpec['check']): MenuSpec => ({
  path,
  ordered: true,
  fields,
  required: ['chain'],
  key: (e) => e.comment ?? '',
  check,
});

export const MENU_SPECS: Readonly<Record<MenuPath, MenuSpec>> = {
  '/ip/firewall/address-list': addressListSpec('/ip/firewall/address-list', (v) =>
    ADDRESS(v) && !HOSTNAME.test(v) ? `"${v}" is not an address, network, range or domain name` : undefined,
  ),
  '/ip/firewall/filter': firewallSpec('/ip/firewall/filter', FIREWALL_FIELDS, firewallCheck(FIREWALL_ACTIONS)),
  '/ip/firewall/nat': firewallSpec('/ip/firewall/nat', { ...FIREWALL_FIELDS, 'to-addresses': '', 'to-ports': '' }, firewallCheck(NAT_ACTIONS)),
  // IPv6 twins of the address list and the filter: IPv6 addresses only
  '/ipv6/firewall/address-list': addressListSpec('/ipv6/firewall/address-list', ADDRESS6),
  '/ipv6/firewall/filter': firewallSpec('/ipv6/firewall/filter', FIREWALL_FIELDS, firewallCheck(FIREWALL_ACTIONS, ADDRESS6)),
  '/ip/dns/static': {
    path: '/ip/dns/static',
    ordered: false,
    fields: { name: '', regexp: '', type: 'A', address: '', cname: '', text: '', 'forward-to': '', ttl: '1d', 'match-subdomain': 'false', disabled: 'false', comment: '' },
    // an entry matches by name or by regular expression (RouterOS refuses both at once)
    required: [],
    key: (e) => (e.regexp ? `~${e.regexp}\u0000${e.type}` : `${e.name}\u0000${e.type}`),
    complete: (e) => (!e.name === !e.regexp ? (e.name ? 'give name or regexp, not both' : 'name or regexp is required') : undefined),
    check: (f, v, e) => {
      const type = e.type ?? 'A';
      switch (f) {
        case 'name':
        case 'cname':
          return HOSTNAME.test(v) ? undefined : `"${v}" is not a domain name`;
        case 'regexp':
          try {
            new RegExp(v);
            return undefined;
          } catch {
            return `"${v}" is not a regular expression`;
          }
        case 'type':
          return ['A', 'AAAA', 'CNAME', 'FWD', 'NXDOMAIN', 'TXT'].includes(v) ? undefined : `unsupported record type "${v}"`;
        case 'address':
          if (type === 'A' && !isIPv4(v)) return `"${v}" is not an IPv4 address`;
          if (type === 'AAAA' && !isIPv6(v)) return `"${v}" is not an IPv6 address`;
          return undefined;
        case 'forward-to':
          return isIPv4(v) || isIPv6(v) || HOSTNAME.test(v) ? undefined : `"${v}" is not a server address`;
        case 'ttl':
          return durationSeconds(v) === undefined ? `"${v}" is not a duration` : undefined;
        case 'match-subdomain':
        case 'disabled':
          return BOOL(v);
      }
      return undefined;
    },
  },
  '/ip/route': {
    path: '/ip/route',
    ordered: false,
    fields: { 'dst-address': '', gateway: '', 'routing-table': 'main', distance: '1', 'pref-src': '', disabled: 'false', comment: '' },
    required: ['dst-address', 'gateway'],
    key: (e) => `${e['dst-address']}\u0000${e['routing-table']}`,
    check: (f, v) => {
      switch (f) {
        case 'dst-address':
          return isCanonicalPrefix(v) ? undefined : `"${v}" is not a network address with prefix length`;
        case 'gateway':
          return isIPv4(v) || isIPv6(v) || /^[\w.-]{1,63}(%[\w.-]{1,63})?$/.test(v) ? undefined : `"${v}" is not a gateway address or interface`;
        case 'routing-table':
          return NAME(v);
        case 'distance':
          return /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 255 ? undefined : `distance must be 1..255, not "${v}"`;
        case 'pref-src':
          return isIPv4(v) || isIPv6(v) ? undefined : `"${v}" is not an address`;
        case 'disabled':
          return BOOL(v);
      }
      return undefined;
    },
  },
  // RouterOS 7.15+: a hosts-format list the router fetches from `url` itself
  '/ip/dns/adlist': {
    path: '/ip/dns/adlist',
    ordered: false,
    fields: { url: '', file: '', 'ssl-verify': 'true', disabled: 'false', comment: '' },
    required: [],
    key: (e) => (e.url ? `url ${e.url}` : `file ${e.file}`),
    complete: (e) => (!e.url === !e.file ? 'give url or file, one of them' : undefined),
    check: (f, v) => {
      if (f === 'url') return /^https?:\/\/[^\s"]+$/.test(v) ? undefined : `"${v}" is not an http(s) URL`;
      if (f === 'ssl-verify' || f === 'disabled') return BOOL(v);
      return undefined;
    },
  },
  '/ipv6/route': {
    path: '/ipv6/route',
    ordered: false,
    fields: { 'dst-address': '', gateway: '', 'routing-table': 'main', distance: '1', disabled: 'false', comment: '' },
    required: ['dst-address', 'gateway'],
    key: (e) => `${e['dst-address']}\u0000${e['routing-table']}`,
    check: (f, v) => {
      switch (f) {
        case 'dst-address':
          return isCanonicalPrefix(v) && isIPv6(v.split('/')[0] ?? '') ? undefined : `"${v}" is not an IPv6 network address with prefix length`;
        case 'gateway':
          return isIPv6(v.split('%')[0] ?? '') || /^[\w.-]{1,63}$/.test(v) ? undefined : `"${v}" is not an IPv6 gateway address or interface`;
        case 'routing-table':
          return NAME(v);
        case 'distance':
          return /^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 255 ? undefined : `distance must be 1..255, not "${v}"`;
        case 'disabled':
          return BOOL(v);
      }
      return undefined;
    },
  },
};

// ---- normalisation ------------------------------------------------------------------------------

const same = (v: string) => v;
const stripHostLength = (v: string) => (v.endsWith('/32') && isIPv4(v.slice(0, -3)) ? v.slice(0, -3) : v.endsWith('/128') && isIPv6(v.slice(0, -4)) ? v.slice(0, -4) : v);
const addHostLength = (v: string) => (v.includes('/') ? v : `${v}/${isIPv4(v) ? 32 : 128}`);
const routerDuration = (v: string) => {
  const s = durationSeconds(v);
  return s === undefined ? v : formatDuration(s);
};

/** How a field's value is normalised beyond yes/no, chosen once per menu and field. */
function fieldNormalizer(menu: MenuPath, field: string): (v: string) => string {
  if ((menu === '/ip/firewall/address-list' || menu === '/ipv6/firewall/address-list') && field === 'address') return stripHostLength;
  if ((menu === '/ip/route' || menu === '/ipv6/route') && field === 'dst-address') return addHostLength;
  if (field === 'ttl') return routerDuration;
  return same;
}

/**
 * A value as RouterOS prints it back, so desired and actual compare equal: booleans as
 * true/false, /32 and /128 dropped in address lists, a bare route destination gets /32, durations in
 * RouterOS form.
 */
export function normalizeValue(menu: MenuPath, field: string, v: string): string {
  if (v === 'yes') return 'true';
  if (v === 'no') return 'false';
  return fieldNormalizer(menu, field)(v);
}

/** Per menu, each managed field with its default, whether it is required, and its normaliser:
 *  entries are normalised by the hundred thousand, so nothing is looked up per value. */
const FIELD_NORMS = new Map(
  Object.values(MENU_SPECS).map((spec) => [spec.path, Object.entries(spec.fields).map(([field, dflt]) => ({ field, dflt, required: spec.required.includes(field), norm: fieldNormalizer(spec.path, field) }))]),
);

/** Managed fields only, normalised, defaults filled in. */
export function normalizeEntry(menu: MenuPath, e: Entry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { field, dflt, norm } of FIELD_NORMS.get(menu) ?? []) {
    const v = e[field];
    out[field] = v === undefined || v === '' ? dflt : v === 'yes' ? 'true' : v === 'no' ? 'false' : norm(v);
  }
  return out;
}

/**
 * The values an add sends: non-default ones, and required fields whatever their value. Equal
 * values of a field become one string across entries: comments, lists and TTLs repeat by the
 * thousand in a block list, and the plans kept after a sync hold them. Up to 256 values per field,
 * so the tables stay small where every value differs (names, addresses).
 */
function withoutDefaults(menu: MenuPath, full: Record<string, string>, shared: Map<string, Map<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { field, dflt, required } of FIELD_NORMS.get(menu) ?? []) {
    const v = full[field] as string;
    if (v === '' || (v === dflt && !required)) continue;
    let values = shared.get(field);
    if (!values) shared.set(field, (values = new Map()));
    const same = values.get(v);
    if (same !== undefined) out[field] = same;
    else {
      if (values.size < 256) values.set(v, v);
      out[field] = v;
    }
  }
  return out;
}

export function isOwned(row: Entry): boolean {
  return (row.comment ?? '').startsWith(OWNER_PREFIX) && row.dynamic !== 'true';
}

// ---- validation ---------------------------------------------------------------------------------

/** A desired entry, validated and normalised once. */
export interface WantedEntry {
  /** Identity within its menu. */
  key: string;
  /** Normalised values other than the defaults (plus required fields): what an add sends, and
   *  with the defaults, what the router must hold. */
  want: Record<string, string>;
}

export function validateDesired(desired: DesiredState): ValidationIssue[] {
  return prepareDesired(desired).issues;
}

const issue = (menu: MenuPath, index: number, message: string, field?: string): ValidationIssue => (field === undefined ? { menu, index, message } : { menu, index, field, message });

/** Validates the desired state and normalises each entry once, per menu in desired order. */
export function prepareDesired(desired: DesiredState): { issues: ValidationIssue[]; menus: Map<MenuPath, WantedEntry[]> } {
  const issues: ValidationIssue[] = [];
  const menus = new Map<MenuPath, WantedEntry[]>();
  for (const [menu, entries] of Object.entries(desired.menus) as [MenuPath, readonly Entry[]][]) {
    const spec = MENU_SPECS[menu];
    if (!spec) {
      issues.push({ menu, index: -1, message: `menu ${menu} is not managed by Simpul` });
      continue;
    }
    const wanted: WantedEntry[] = [];
    const seen = new Map<string, number>();
    const shared = new Map<string, Map<string, string>>();
    for (let index = 0; index < entries.length; index++) {
      const e = entries[index] as Entry;
      for (const f of Object.keys(e)) {
        const v = e[f];
        if (!(f in spec.fields)) issues.push(issue(menu, index, `unknown field ${f}`, f));
        else if (typeof v !== 'string') issues.push(issue(menu, index, 'value must be a string', f));
        else if (/[\u0000-\u001f\u007f]/.test(v) || v.length > 1024) issues.push(issue(menu, index, 'value has control characters or is too long', f));
        else if (v !== '' && f !== 'comment') {
          const msg = spec.check?.(f, v, e);
          if (msg) issues.push(issue(menu, index, msg, f));
        }
      }
      for (const f of spec.required) if (!e[f]) issues.push(issue(menu, index, `${f} is required`, f));
      const whole = spec.complete?.(e);
      if (whole) issues.push(issue(menu, index, whole));
      if (!(e.comment ?? '').startsWith(OWNER_PREFIX)) issues.push(issue(menu, index, `comment must start with "${OWNER_PREFIX}"`, 'comment'));
      const full = normalizeEntry(menu, e);
      const key = spec.key(full);
      const want = withoutDefaults(menu, full, shared);
      const first = seen.get(key);
      if (first !== undefined) issues.push(issue(menu, index, `duplicates entry ${first} (${key.replace('\u0000', ' ')})`));
      else seen.set(key, index);
      wanted.push({ key, want });
    }
    menus.set(menu, wanted);
  }
  for (const [menu, p] of Object.entries(desired.placement ?? {})) {
    if (p && p.at === 'before' && Object.keys(p.match).length === 0) issues.push({ menu: menu as MenuPath, index: -1, message: 'placement "before" needs at least one field to match' });
  }
  return { issues, menus };
}
