// What a router must hold, per menu: the fields Simpul manages, how entries are identified, how
// values are normalised the way RouterOS prints them, and validation that runs before anything
// is sent. Pure.
import { isIPv4, isIPv6 } from 'node:net';
import { isCanonicalPrefix, isIpv4Range } from '../common/net/fast.js';

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

/** A field's type: how a value is checked, and how RouterOS prints it back (beyond yes/no). */
export interface FieldType {
  /** Error message for a bad value, or undefined. Runs on raw desired values; `entry` for values that depend on another field. */
  check(value: string, entry: Entry): string | undefined;
  norm?(value: string): string;
}

export interface MenuSpec {
  path: MenuPath;
  ordered: boolean;
  /** Managed fields and the value RouterOS reports when unset ('' = absent). */
  fields: Readonly<Record<string, string>>;
  /** Each managed field's type. */
  types: Readonly<Record<string, FieldType>>;
  required: readonly string[];
  /** Identity of an entry within the menu (normalised fields in, key out). */
  key(e: Entry): string;
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
    super(
      `invalid desired state: ${issues
        .slice(0, 5)
        .map((i) => `${i.menu}[${i.index}]${i.field ? `.${i.field}` : ''}: ${i.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
  }
}

// ---- field types --------------------------------------------------------------------------------

const TOKEN = /^[\w.:@+-]{1,63}$/;
const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z]([a-z0-9_-]{0,61}[a-z0-9])?\.?$/i;
const PORTS = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;

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
  for (const [u, n] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= n) {
      out += `${Math.floor(s / n)}${u}`;
      s %= n;
    }
  }
  return out || '0s';
}

const stripHostLength = (v: string) =>
  v.endsWith('/32') && isIPv4(v.slice(0, -3)) ? v.slice(0, -3) : v.endsWith('/128') && isIPv6(v.slice(0, -4)) ? v.slice(0, -4) : v;
const addHostLength = (v: string) => (v.includes('/') ? v : `${v}/${isIPv4(v) ? 32 : 128}`);
const routerDuration = (v: string) => {
  const s = durationSeconds(v);
  return s === undefined ? v : formatDuration(s);
};

const type = (check: FieldType['check'], norm?: FieldType['norm']): FieldType => (norm ? { check, norm } : { check });
/** The same type, negatable with a leading `!` (firewall matchers). */
const negatable = (t: FieldType): FieldType => type((v, e) => t.check(v.startsWith('!') ? v.slice(1) : v, e));
const oneOf = (values: readonly string[], what: (v: string) => string) => type((v) => (values.includes(v) ? undefined : what(v)));
const isAddress = (v: string) => isIPv4(v) || isIPv6(v);

/** An IPv6 address, or an IPv6 network address with prefix length. */
const ADDRESS6 = type((v) =>
  isCanonicalPrefix(v) && isIPv6(v.split('/')[0] ?? '') ? undefined : `"${v}" is not an IPv6 address or network address with prefix length`,
);
const ADDRESS = type((v) =>
  isCanonicalPrefix(v) || isIpv4Range(v) ? undefined : `"${v}" is not an address, a network address with prefix length, or a range`,
);
const BOOL = type((v) => (['true', 'false', 'yes', 'no'].includes(v) ? undefined : `"${v}" is not yes/no`));
const NAME = type((v) => (TOKEN.test(v) ? undefined : `"${v}" is not a valid name (letters, digits and . : @ + - _, at most 63)`));
const PORT_LIST = type((v) => (isPorts(v) ? undefined : `"${v}" is not a port, port range or list`));
const TEXT = type(() => undefined);
const HOST = type((v) => (HOSTNAME.test(v) ? undefined : `"${v}" is not a domain name`));
const DURATION_T = type((v) => (durationSeconds(v) === undefined ? `"${v}" is not a duration` : undefined), routerDuration);
const DISTANCE = type((v) => (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= 255 ? undefined : `distance must be 1..255, not "${v}"`));
const URL_T = type((v) => (/^https?:\/\/[^\s"]+$/.test(v) ? undefined : `"${v}" is not an http(s) URL`));
const REGEXP = type((v) => {
  try {
    new RegExp(v);
    return undefined;
  } catch {
    return `"${v}" is not a regular expression`;
  }
});

const FIREWALL_ACTIONS = [
  'accept',
  'drop',
  'reject',
  'jump',
  'return',
  'passthrough',
  'log',
  'fasttrack-connection',
  'add-src-to-address-list',
  'add-dst-to-address-list',
  'tarpit',
];
const NAT_ACTIONS = ['accept', 'dst-nat', 'src-nat', 'masquerade', 'netmap', 'redirect', 'same', 'return', 'jump', 'passthrough', 'log'];
const CONNECTION_STATES = ['established', 'related', 'new', 'invalid', 'untracked'];

const action = (actions: readonly string[]) =>
  type((v, e) => (!actions.includes(v) ? `unknown action "${v}"` : v === 'jump' && !e['jump-target'] ? 'action jump needs jump-target' : undefined));

/** A menu's field: its type and the value RouterOS reports when unset ('' = absent). */
type Field = readonly [FieldType, string?];

interface MenuDecl extends Omit<MenuSpec, 'fields' | 'types'> {
  fields: Readonly<Record<string, Field>>;
}

const menu = (d: MenuDecl): MenuSpec => ({
  ...d,
  fields: Object.fromEntries(Object.entries(d.fields).map(([f, [, dflt]]) => [f, dflt ?? ''])),
  types: Object.fromEntries(Object.entries(d.fields).map(([f, [t]]) => [f, t])),
});

const firewallFields = (actions: readonly string[], address: FieldType): Record<string, Field> => ({
  chain: [negatable(NAME)],
  action: [action(actions), 'accept'],
  'src-address': [negatable(address)],
  'dst-address': [negatable(address)],
  'src-address-list': [negatable(NAME)],
  'dst-address-list': [negatable(NAME)],
  protocol: [negatable(NAME)],
  'src-port': [PORT_LIST],
  'dst-port': [PORT_LIST],
  'in-interface': [negatable(NAME)],
  'out-interface': [negatable(NAME)],
  'in-interface-list': [negatable(NAME)],
  'out-interface-list': [negatable(NAME)],
  'connection-state': [
    type((v) => (v.split(',').every((s) => CONNECTION_STATES.includes(s.replace(/^!/, ''))) ? undefined : `"${v}" is not a list of connection states`)),
  ],
  'jump-target': [negatable(NAME)],
  'tls-host': [TEXT],
  log: [BOOL, 'false'],
  'log-prefix': [TEXT],
  disabled: [BOOL, 'false'],
  comment: [TEXT],
});

/** address-list menus (IPv4 and IPv6): an entry is its list and address; /32 and /128 print bare. */
const addressListSpec = (path: MenuPath, address: FieldType): MenuSpec =>
  menu({
    path,
    ordered: false,
    fields: { list: [NAME], address: [type(address.check, stripHostLength)], disabled: [BOOL, 'false'], comment: [TEXT] },
    required: ['list', 'address'],
    key: (e) => `${e.list}\u0000${e.address}`,
  });

/** Ordered firewall menus: Simpul's rules are identified by their comment. */
const firewallSpec = (path: MenuPath, fields: Record<string, Field>): MenuSpec =>
  menu({ path, ordered: true, fields, required: ['chain'], key: (e) => e.comment ?? '' });

/** Static routes: a bare destination prints with /32 or /128. */
const routeSpec = (path: MenuPath, dst: FieldType, gateway: FieldType, extra: Record<string, Field> = {}): MenuSpec =>
  menu({
    path,
    ordered: false,
    fields: {
      'dst-address': [type(dst.check, addHostLength)],
      gateway: [gateway],
      'routing-table': [NAME, 'main'],
      distance: [DISTANCE, '1'],
      ...extra,
      disabled: [BOOL, 'false'],
      comment: [TEXT],
    },
    required: ['dst-address', 'gateway'],
    key: (e) => `${e['dst-address']}\u0000${e['routing-table']}`,
  });

export const MENU_SPECS: Readonly<Record<MenuPath, MenuSpec>> = {
  '/ip/firewall/address-list': addressListSpec(
    '/ip/firewall/address-list',
    type((v, e) => (ADDRESS.check(v, e) && !HOSTNAME.test(v) ? `"${v}" is not an address, network, range or domain name` : undefined)),
  ),
  '/ip/firewall/filter': firewallSpec('/ip/firewall/filter', firewallFields(FIREWALL_ACTIONS, ADDRESS)),
  '/ip/firewall/nat': firewallSpec('/ip/firewall/nat', {
    ...firewallFields(NAT_ACTIONS, ADDRESS),
    'to-addresses': [type((v) => (isAddress(v) || isIpv4Range(v) ? undefined : `"${v}" is not an address or range`))],
    'to-ports': [PORT_LIST],
  }),
  // IPv6 twins of the address list and the filter: IPv6 addresses only
  '/ipv6/firewall/address-list': addressListSpec('/ipv6/firewall/address-list', ADDRESS6),
  '/ipv6/firewall/filter': firewallSpec('/ipv6/firewall/filter', firewallFields(FIREWALL_ACTIONS, ADDRESS6)),
  '/ip/dns/static': menu({
    path: '/ip/dns/static',
    ordered: false,
    fields: {
      name: [HOST],
      regexp: [REGEXP],
      type: [oneOf(['A', 'AAAA', 'CNAME', 'FWD', 'NXDOMAIN', 'TXT'], (v) => `unsupported record type "${v}"`), 'A'],
      address: [
        type((v, e) => {
          const t = e.type ?? 'A';
          if (t === 'A' && !isIPv4(v)) return `"${v}" is not an IPv4 address`;
          if (t === 'AAAA' && !isIPv6(v)) return `"${v}" is not an IPv6 address`;
          return undefined;
        }),
      ],
      cname: [HOST],
      text: [TEXT],
      'forward-to': [type((v) => (isAddress(v) || HOSTNAME.test(v) ? undefined : `"${v}" is not a server address`))],
      ttl: [DURATION_T, '1d'],
      'match-subdomain': [BOOL, 'false'],
      disabled: [BOOL, 'false'],
      comment: [TEXT],
    },
    // an entry matches by name or by regular expression (RouterOS refuses both at once)
    required: [],
    key: (e) => (e.regexp ? `~${e.regexp}\u0000${e.type}` : `${e.name}\u0000${e.type}`),
    complete: (e) => (!e.name === !e.regexp ? (e.name ? 'give name or regexp, not both' : 'name or regexp is required') : undefined),
  }),
  '/ip/route': routeSpec(
    '/ip/route',
    type((v) => (isCanonicalPrefix(v) ? undefined : `"${v}" is not a network address with prefix length`)),
    type((v) => (isAddress(v) || /^[\w.-]{1,63}(%[\w.-]{1,63})?$/.test(v) ? undefined : `"${v}" is not a gateway address or interface`)),
    { 'pref-src': [type((v) => (isAddress(v) ? undefined : `"${v}" is not an address`))] },
  ),
  // RouterOS 7.15+: a hosts-format list the router fetches from `url` itself
  '/ip/dns/adlist': menu({
    path: '/ip/dns/adlist',
    ordered: false,
    fields: { url: [URL_T], file: [TEXT], 'ssl-verify': [BOOL, 'true'], disabled: [BOOL, 'false'], comment: [TEXT] },
    required: [],
    key: (e) => (e.url ? `url ${e.url}` : `file ${e.file}`),
    complete: (e) => (!e.url === !e.file ? 'give url or file, one of them' : undefined),
  }),
  '/ipv6/route': routeSpec(
    '/ipv6/route',
    type((v) => (isCanonicalPrefix(v) && isIPv6(v.split('/')[0] ?? '') ? undefined : `"${v}" is not an IPv6 network address with prefix length`)),
    type((v) => (isIPv6(v.split('%')[0] ?? '') || /^[\w.-]{1,63}$/.test(v) ? undefined : `"${v}" is not an IPv6 gateway address or interface`)),
  ),
};

// ---- normalisation ------------------------------------------------------------------------------

const same = (v: string) => v;

/** How a field's value is normalised beyond yes/no: its type's. */
const fieldNormalizer = (menu: MenuPath, field: string): ((v: string) => string) => MENU_SPECS[menu]?.types[field]?.norm ?? same;

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
  Object.values(MENU_SPECS).map((spec) => [
    spec.path,
    Object.entries(spec.fields).map(([field, dflt]) => ({ field, dflt, required: spec.required.includes(field), norm: fieldNormalizer(spec.path, field) })),
  ]),
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

const issue = (menu: MenuPath, index: number, message: string, field?: string): ValidationIssue =>
  field === undefined ? { menu, index, message } : { menu, index, field, message };

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
          const msg = spec.types[f]?.check(v, e);
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
    if (p && p.at === 'before' && Object.keys(p.match).length === 0)
      issues.push({ menu: menu as MenuPath, index: -1, message: 'placement "before" needs at least one field to match' });
  }
  return { issues, menus };
}
