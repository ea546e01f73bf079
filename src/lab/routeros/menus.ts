// Menu definitions of the simulated router: which fields each menu accepts, their defaults, how
// RouterOS normalises values, and what it refuses. Only what Simpul and its tests exercise.
import { isIP, isIPv4 } from 'node:net';
import { ipv4Number } from '../../common/net/fast.js';

export interface Trap {
  message: string;
  category?: number;
}

export interface MenuDef {
  path: string;
  /** Rule lists where order matters (`place-before`, `move`). */
  ordered: boolean;
  /** One record that always exists (`/system/identity`). */
  singleton: boolean;
  /** Records can be added and removed. */
  writable: boolean;
  /** Settable fields with their defaults ('' = no default, absent until set). */
  fields: Record<string, string>;
  required: string[];
  /** Read-only fields the router fills in. */
  computed?: (rec: Record<string, string>) => Record<string, string>;
  /** Returns a trap when a field value is invalid, else the value as RouterOS stores it. */
  normalize?: (field: string, value: string) => string | Trap;
  /** Identity for "failure: already have such entry". */
  unique?: string[];
}

const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i;

function invalid(field: string): Trap {
  return { message: `invalid value for argument ${field}`, category: 1 };
}

function prefixOk(value: string): boolean {
  const [addr, len, extra] = value.split('/');
  if (extra !== undefined || addr === undefined) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (len === undefined) return true;
  const n = Number(len);
  return /^\d+$/.test(len) && n <= (family === 4 ? 32 : 128);
}

/** Address-list addresses: an address, a prefix, a range or a DNS name; /32 is dropped. */
function listAddress(value: string): string | Trap {
  if (prefixOk(value)) {
    if (value.endsWith('/32') && isIPv4(value.slice(0, -3))) return value.slice(0, -3);
    if (value.endsWith('/128') && !isIPv4(value.slice(0, -4))) return value.slice(0, -4);
    return value;
  }
  const range = value.split('-');
  if (range.length === 2 && range.every((a) => isIPv4(a))) return value;
  if (HOSTNAME.test(value) && !/^[\d.]+$/.test(value)) return value;
  return invalid('address');
}

/** IPv6 address lists: an IPv6 address or prefix only. */
function listAddress6(value: string): string | Trap {
  const [addr = ''] = value.split('/');
  return prefixOk(value) && !isIPv4(addr) ? listAddress(value) : invalid('address');
}

function bool(field: string, value: string): string | Trap {
  if (value === 'yes' || value === 'true') return 'true';
  if (value === 'no' || value === 'false') return 'false';
  return invalid(field);
}

function common(field: string, value: string): string | Trap {
  if (field === 'disabled' || field === 'log' || field === 'match-subdomain') return bool(field, value);
  if (/[\0\r\n]/.test(value)) return invalid(field);
  return value;
}

const firewallFields = {
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
  'reject-with': '',
  log: 'false',
  'log-prefix': '',
  disabled: 'false',
  comment: '',
};

function firewall(field: string, value: string): string | Trap {
  if ((field === 'src-address' || field === 'dst-address') && value !== '') {
    const neg = value.startsWith('!') ? value.slice(1) : value;
    const range = neg.split('-');
    if (!prefixOk(neg) && !(range.length === 2 && range.every((a) => isIPv4(a)))) return invalid(field);
  }
  return firewallCommon(field, value);
}

/** `/ipv6/firewall/filter`: addresses are IPv6 only. */
function firewall6(field: string, value: string): string | Trap {
  if ((field === 'src-address' || field === 'dst-address') && value !== '') {
    const neg = value.startsWith('!') ? value.slice(1) : value;
    if (!prefixOk(neg) || isIPv4(neg.split('/')[0] ?? '')) return invalid(field);
  }
  return firewallCommon(field, value);
}

function firewallCommon(field: string, value: string): string | Trap {
  if (field === 'chain' && !/^[\w-]+$/.test(value)) return invalid(field);
  return common(field, value);
}

const addressListMenu = (path: string, address: (v: string) => string | Trap): MenuDef => ({
  path,
  ordered: false,
  singleton: false,
  writable: true,
  fields: { list: '', address: '', timeout: '', disabled: 'false', comment: '' },
  required: ['list', 'address'],
  computed: () => ({ dynamic: 'false', 'creation-time': '2025-01-01 00:00:00' }),
  normalize: (f, v) => (f === 'address' ? address(v) : common(f, v)),
  unique: ['list', 'address'],
});

const firewallMenu = (path: string, fields: Record<string, string>, normalize: MenuDef['normalize']): MenuDef => ({
  path,
  ordered: true,
  singleton: false,
  writable: true,
  fields,
  required: ['chain'],
  computed: () => ({ dynamic: 'false', invalid: 'false', bytes: '0', packets: '0' }),
  normalize,
});

export const MENUS: readonly MenuDef[] = [
  addressListMenu('/ip/firewall/address-list', listAddress),
  firewallMenu('/ip/firewall/filter', firewallFields, firewall),
  firewallMenu('/ip/firewall/nat', { ...firewallFields, 'to-addresses': '', 'to-ports': '' }, (f, v) =>
    f === 'to-addresses' && v !== '' && !isIP(v.split('-')[0] ?? '') ? invalid(f) : firewall(f, v),
  ),
  addressListMenu('/ipv6/firewall/address-list', listAddress6),
  firewallMenu('/ipv6/firewall/filter', firewallFields, firewall6),
  {
    path: '/ip/dns/static',
    ordered: false,
    singleton: false,
    writable: true,
    fields: {
      name: '',
      regexp: '',
      type: 'A',
      address: '',
      cname: '',
      text: '',
      'forward-to': '',
      ttl: '1d',
      'match-subdomain': 'false',
      disabled: 'false',
      comment: '',
    },
    required: [],
    computed: () => ({ dynamic: 'false' }),
    normalize: (f, v) => {
      if (f === 'address' && isIP(v) === 0) return invalid(f);
      if (f === 'name' && !HOSTNAME.test(v)) return invalid(f);
      if (f === 'type' && !['A', 'AAAA', 'CNAME', 'FWD', 'MX', 'NS', 'NXDOMAIN', 'SRV', 'TXT'].includes(v)) return invalid(f);
      return common(f, v);
    },
  },
  {
    // RouterOS 7.15+: the router fetches a hosts-format list (url) or reads a file; the counters
    // (name-count, match-count) are the simulator's runtime state, not settable fields
    path: '/ip/dns/adlist',
    ordered: false,
    singleton: false,
    writable: true,
    fields: { url: '', file: '', 'ssl-verify': 'true', disabled: 'false', comment: '' },
    required: [],
    normalize: (f, v) => (f === 'ssl-verify' ? bool(f, v) : f === 'url' && !/^https?:\/\/\S+$/.test(v) ? invalid(f) : common(f, v)),
  },
  {
    path: '/ip/route',
    ordered: false,
    singleton: false,
    writable: true,
    fields: { 'dst-address': '', gateway: '', 'routing-table': 'main', distance: '1', 'pref-src': '', disabled: 'false', comment: '' },
    required: ['gateway'],
    computed: (r) => ({ dynamic: 'false', active: r.disabled === 'true' ? 'false' : 'true', static: 'true' }),
    normalize: (f, v) => {
      if (f === 'dst-address') {
        if (!prefixOk(v)) return invalid(f);
        return v.includes('/') ? v : `${v}/${isIPv4(v) ? 32 : 128}`;
      }
      if (f === 'distance' && !(/^\d+$/.test(v) && Number(v) <= 255)) return invalid(f);
      return common(f, v);
    },
  },
  {
    path: '/ipv6/route',
    ordered: false,
    singleton: false,
    writable: true,
    fields: { 'dst-address': '', gateway: '', 'routing-table': 'main', distance: '1', disabled: 'false', comment: '' },
    required: ['gateway'],
    computed: (r) => ({ dynamic: 'false', active: r.disabled === 'true' ? 'false' : 'true', static: 'true' }),
    normalize: (f, v) => {
      if (f === 'dst-address') {
        if (!prefixOk(v) || isIPv4(v.split('/')[0] ?? '')) return invalid(f);
        return v.includes('/') ? v : `${v}/128`;
      }
      if (f === 'distance' && !(/^\d+$/.test(v) && Number(v) <= 255)) return invalid(f);
      return common(f, v);
    },
  },
  {
    path: '/ip/address',
    ordered: false,
    singleton: false,
    writable: true,
    fields: { address: '', interface: '', network: '', disabled: 'false', comment: '' },
    required: ['address', 'interface'],
    computed: (r) => ({ dynamic: 'false', invalid: 'false', network: r.network || networkOf(r.address ?? '') }),
    normalize: (f, v) => (f === 'address' && !(prefixOk(v) && isIPv4(v.split('/')[0] ?? '')) ? invalid(f) : common(f, v)),
  },
  {
    path: '/interface',
    ordered: false,
    singleton: false,
    writable: false,
    fields: { name: '', type: 'ether', mtu: '1500', disabled: 'false', comment: '' },
    required: [],
    computed: (r) => ({ running: r.disabled === 'true' ? 'false' : 'true' }),
    normalize: common,
  },
  {
    path: '/system/identity',
    ordered: false,
    singleton: true,
    writable: false,
    fields: { name: 'MikroTik' },
    required: [],
  },
  {
    path: '/system/resource',
    ordered: false,
    singleton: true,
    writable: false,
    fields: {},
    required: [],
  },
];

function networkOf(address: string): string {
  const [addr, len] = address.split('/');
  if (!addr || !isIPv4(addr)) return '';
  const bits = len === undefined ? 32 : Number(len);
  const n = ipv4Number(addr);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (net >>> s) & 0xff).join('.');
}

export function findMenu(path: string): MenuDef | undefined {
  return MENUS.find((m) => m.path === path);
}
