// Contributor `routes`: every top-level prefix allocated to an OPD from an office-LAN pool becomes
// a static route on the core router toward that OPD router's backbone address (the far end of the
// backbone /31, or /127 for IPv6, allocated for the OPD's link). Released or quarantined prefixes
// lose their route.
import type { Store } from '../store/store.js';
import type { Inventory } from '../inventory/model.js';
import type { DesiredContributor } from '../routeros/contributors.js';
import type { Entry } from '../routeros/desired.js';
import { coreRouter, type RoleOverrides } from '../routeros/roles.js';

export const ROUTES = 'routes';

interface LanRow {
  cidr: string;
  opd: string;
  family: number;
}
interface LinkRow {
  id: number;
  cidr: string;
  opd: string;
  family: number;
  address: string | null;
  device: string | null;
}

const v4 = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const v4s = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** IPv6 text to a number and back (compressed, lowercase, as RouterOS prints it). */
function v6(a: string): bigint {
  const [head = '', tail] = a.split('::');
  const groups = (x: string) => (x ? x.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}
function v6s(n: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // the longest run of two or more zero groups becomes ::
  let best = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > len && j - i >= 2) (best = i), (len = j - i);
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + len).join(':')}`;
}

/**
 * The OPD end of one backbone link: the address assigned to a device other than the core; else,
 * on a /31 whose core end is recorded, the other address; else the /31's upper address (the
 * core takes the lower one by convention) or a /30's second host.
 */
function farEnd(rows: LinkRow[], core: string): string | null {
  const first = rows[0];
  if (!first) return null;
  const opdSide = rows.find((r) => r.address && r.device !== core);
  if (opdSide?.address) return opdSide.address;
  if (first.family === 6) {
    // a /127 (RFC 6164): the core takes the lower address by convention
    const [net6, len6] = first.cidr.split('/');
    if (len6 !== '127' || !net6) return null;
    const coreSide6 = rows.find((r) => r.address && r.device === core)?.address;
    return v6s(coreSide6 ? v6(coreSide6) ^ 1n : v6(net6) + 1n);
  }
  const [net, len] = first.cidr.split('/');
  const base = v4(net ?? '0.0.0.0');
  const coreSide = rows.find((r) => r.address && r.device === core)?.address;
  if (len === '31') return coreSide ? v4s(v4(coreSide) ^ 1) : v4s(base + 1);
  if (len === '30') return coreSide ? (coreSide === v4s(base + 1) ? v4s(base + 2) : v4s(base + 1)) : v4s(base + 2);
  return null;
}

export function routeContributor(store: Store, roles: RoleOverrides = {}): DesiredContributor {
  const notes = new Map<string, string[]>();
  const lans = store.db.prepare(
    `SELECT p.cidr, p.opd, p.family FROM ipam_prefixes p JOIN ipam_pools pl ON pl.id = p.pool_id
     WHERE p.state = 'allocated' AND p.parent_id IS NULL AND pl.role LIKE 'opd-lan%' ORDER BY p.family, p.network`,
  );
  const links = store.db.prepare(
    `SELECT p.id, p.cidr, p.opd, p.family, a.address, a.device FROM ipam_prefixes p JOIN ipam_pools pl ON pl.id = p.pool_id
     LEFT JOIN ipam_addresses a ON a.prefix_id = p.id AND a.state = 'assigned'
     WHERE p.state = 'allocated' AND pl.role = 'backbone-p2p' ORDER BY p.network, a.value`,
  );
  const v6pool = store.db.prepare(`SELECT 1 FROM ipam_pools WHERE role = 'backbone-p2p' AND family = 6 LIMIT 1`);
  return {
    name: ROUTES,
    notes: (id) => notes.get(id) ?? [],
    desired(router, inv: Inventory) {
      const core = coreRouter(inv, roles);
      if (router.id !== core) return { menus: {} };
      // per OPD and family: the first backbone link's rows
      const byOpd = new Map<string, LinkRow[]>();
      for (const r of links.all() as LinkRow[]) {
        const k = `${r.opd}/${r.family}`;
        const have = byOpd.get(k);
        if (!have) byOpd.set(k, [r]);
        else if (have[0]?.id === r.id) have.push(r);
      }
      const v4routes: Entry[] = [];
      const v6routes: Entry[] = [];
      const why: string[] = [];
      const localOpd = router.opd;
      for (const lan of lans.all() as LanRow[]) {
        if (lan.opd === localOpd) continue; // the core's own office LANs are connected, not routed
        const gw = farEnd(byOpd.get(`${lan.opd}/${lan.family}`) ?? [], router.id);
        if (!gw) {
          why.push(`${lan.cidr} (${lan.opd}): no route; ${lan.opd} has no IPv${lan.family} backbone address (allocate its backbone ${lan.family === 4 ? '/31' : '/127'} in IPAM)`);
          continue;
        }
        (lan.family === 4 ? v4routes : v6routes).push({ 'dst-address': lan.cidr, gateway: gw, comment: `simpul:${ROUTES} ${lan.cidr} ${lan.opd}` });
      }
      notes.set(router.id, why);
      // /ipv6/route is managed once IPAM has an IPv6 backbone pool (a router without IPv6 has no such menu)
      const ipv6Backbone = v6pool.get() !== undefined;
      return { menus: ipv6Backbone ? { '/ip/route': v4routes, '/ipv6/route': v6routes } : { '/ip/route': v4routes } };
    },
  };
}
