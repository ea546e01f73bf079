// Contributor `routes`: every top-level prefix allocated to an OPD from an office-LAN pool becomes
// a static route on the core router toward that OPD router's backbone address (the far end of the
// backbone /31 allocated for the OPD's link). Released or quarantined prefixes lose their route.
import type { Store } from '../store/store.js';
import type { Inventory } from '../inventory/model.js';
import type { DesiredContributor } from './contributors.js';
import type { Entry } from './desired.js';
import { coreRouter, type RoleOverrides } from './roles.js';

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
  if (first.family !== 4) return null;
  const [net, len] = first.cidr.split('/');
  const base = v4(net ?? '0.0.0.0');
  const coreSide = rows.find((r) => r.address && r.device === core)?.address;
  if (len === '31') return coreSide ? v4s(v4(coreSide) ^ 1) : v4s(base + 1);
  if (len === '30') return coreSide ? (coreSide === v4s(base + 1) ? v4s(base + 2) : v4s(base + 1)) : v4s(base + 2);
  return null;
}

export interface RoutesContributor extends DesiredContributor {
  /** Why some prefixes have no route (e.g. an OPD without a backbone address), per router. */
  notes(routerId: string): string[];
}

export function ipamRoutes(store: Store, roles: RoleOverrides = {}): RoutesContributor {
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
      const entries: Entry[] = [];
      const why: string[] = [];
      const localOpd = router.opd;
      for (const lan of lans.all() as LanRow[]) {
        if (lan.opd === localOpd) continue; // the core's own office LANs are connected, not routed
        const gw = farEnd(byOpd.get(`${lan.opd}/4`) ?? [], router.id);
        if (lan.family === 6) {
          why.push(`${lan.cidr} (${lan.opd}): no route; IPv6 routes toward OPD routers are not managed yet`);
          continue;
        }
        if (!gw) {
          why.push(`${lan.cidr} (${lan.opd}): no route; ${lan.opd} has no backbone address (allocate its backbone /31 in IPAM)`);
          continue;
        }
        entries.push({ 'dst-address': lan.cidr, gateway: gw, comment: `simpul:${ROUTES} ${lan.cidr} ${lan.opd}` });
      }
      notes.set(router.id, why);
      return { menus: { '/ip/route': entries } };
    },
  };
}
