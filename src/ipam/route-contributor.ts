// Contributor `routes`: every top-level prefix allocated to an OPD from an office-LAN pool becomes
// a static route on the core router toward that OPD router's backbone address (the far end of the
// backbone /31, or /127 for IPv6, allocated for the OPD's link). Released or quarantined prefixes
// lose their route.
import type { Store } from '../store/store.js';
import type { Inventory } from '../inventory/model.js';
import type { DesiredContributor } from '../routeros/contributors.js';
import type { Entry } from '../routeros/desired.js';
import { coreRouter, type RoleOverrides } from '../routeros/roles.js';
import { formatAddress, parseAddress } from '../common/net/cidr.js';

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

/** An address from the store (canonical text) as a number. */
const num = (a: string): bigint => parseAddress(a).value;

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
    return formatAddress(6, coreSide6 ? num(coreSide6) ^ 1n : num(net6) + 1n);
  }
  const [net, len] = first.cidr.split('/');
  const base = num(net ?? '0.0.0.0');
  const at = (n: bigint) => formatAddress(4, n);
  const coreSide = rows.find((r) => r.address && r.device === core)?.address;
  if (len === '31') return coreSide ? at(num(coreSide) ^ 1n) : at(base + 1n);
  if (len === '30') return coreSide ? (coreSide === at(base + 1n) ? at(base + 2n) : at(base + 1n)) : at(base + 2n);
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
          why.push(
            `${lan.cidr} (${lan.opd}): no route; ${lan.opd} has no IPv${lan.family} backbone address (allocate its backbone ${lan.family === 4 ? '/31' : '/127'} in IPAM)`,
          );
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
