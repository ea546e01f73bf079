// Which inventory routers play the regency-wide roles: the core (the far end of the backbone links
// to the OPD routers) and the internet edge (the NOC's other router). Config may name them.
import type { Device, Inventory } from '../inventory/model.js';

export interface RoleOverrides {
  coreRouter?: string;
  edgeRouter?: string;
}

/** The roles named in the config (routeros.coreRouter, routeros.edgeRouter), else found from the inventory. */
export const roleOverrides = (cfg: RoleOverrides): RoleOverrides => ({
  ...(cfg.coreRouter ? { coreRouter: cfg.coreRouter } : {}),
  ...(cfg.edgeRouter ? { edgeRouter: cfg.edgeRouter } : {}),
});

/** A router Simpul manages over the RouterOS API (the one "is this a router" test). */
export const isManagedRouter = (d: Device): boolean => d.role === 'router' && d.routeros !== undefined;

const routers = (inv: Inventory) => inv.devices.filter(isManagedRouter);

/** The router with the most backbone links to routers of other OPDs. */
export function coreRouter(inv: Inventory, o: RoleOverrides = {}): string | null {
  if (o.coreRouter) return o.coreRouter;
  const opdOf = new Map(inv.devices.map((d) => [d.id, d.opd]));
  const isRouter = new Set(routers(inv).map((d) => d.id));
  const count = new Map<string, number>();
  for (const l of inv.links) {
    for (const [me, other] of [
      [l.a.device, l.b.device],
      [l.b.device, l.a.device],
    ] as const) {
      if (isRouter.has(me) && isRouter.has(other) && opdOf.get(me) !== opdOf.get(other)) count.set(me, (count.get(me) ?? 0) + 1);
    }
  }
  let best: string | null = null;
  for (const [id, n] of count) if (best === null || n > (count.get(best) ?? 0) || (n === count.get(best) && id < best)) best = id;
  return best;
}

/** The core's OPD's other router linked to the core (first by id when several). */
export function edgeRouter(inv: Inventory, o: RoleOverrides = {}): string | null {
  if (o.edgeRouter) return o.edgeRouter;
  const core = coreRouter(inv, o);
  if (!core) return null;
  const opd = inv.devices.find((d) => d.id === core)?.opd;
  const linked = new Set(inv.links.flatMap((l) => (l.a.device === core ? [l.b.device] : l.b.device === core ? [l.a.device] : [])));
  const candidates = routers(inv)
    .filter((d) => d.id !== core && d.opd === opd && linked.has(d.id))
    .map((d) => d.id)
    .sort();
  return candidates[0] ?? null;
}

/** The NOC's own office (Diskominfo's): the core router's OPD; null while the inventory has no core. */
export function nocOpd(inv: Inventory, o: RoleOverrides = {}): string | null {
  const core = coreRouter(inv, o);
  return (core && inv.devices.find((d) => d.id === core)?.opd) || null;
}
