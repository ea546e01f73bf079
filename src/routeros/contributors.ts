// Domains that want entries on routers (routes and NAT from IPAM, site blocking, ...) contribute
// desired state here; the reconciler merges the contributions per router and pushes the result.
// A contributor never talks to a router itself.
import type { Device, Inventory } from '../inventory/model.js';
import type { DesiredState, Entry, MenuPath, OrderedMenu, Placement } from './desired.js';
import { OWNER_PREFIX } from './desired.js';

export interface DesiredContributor {
  /** Short stable name, e.g. `routes`, `nat`, `blocking`. Entries' comments start `simpul:<name>`. */
  name: string;
  /** What this contributor wants on one router (any role: core, edge, OPD). Pure, fast, no I/O
   *  beyond reading the store. Return `{ menus: {} }` for a router it has nothing for. The device's
   *  `model` and `routeros.version` are what the router itself reported, once it has been read. */
  desired(router: Device, inventory: Inventory): DesiredState;
  /** Explanations for the router's notes (what was left out, which form was chosen). */
  notes?(routerId: string): string[];
  /** After a successful apply: commands that are not entries (e.g. `/ip/dns/adlist/reload`) and
   *  counters read back. The only place a contributor talks to a router, through the reconciler. */
  afterApply?(router: Device, session: RouterSession): Promise<AfterApply | undefined>;
}

/** One router's API, for a contributor's after-apply step. */
export interface RouterSession {
  request(words: readonly string[]): Promise<Record<string, string>[]>;
}

export interface AfterApply {
  /** The router holds its entries but does not do what they are for: it is degraded with this reason. */
  degraded?: string;
  /** How the router blocks names: its own adlist (names counted by the router) or static entries. */
  dns?: { mode: 'adlist' | 'static'; names: number | null };
}

export class ContributionConflict extends Error {
  override readonly name = 'ContributionConflict';
}

/** Routers whose desired state changed: a list of device ids, or every router. */
export type ChangedRouters = readonly string[] | 'all';

export class DesiredRegistry {
  private readonly contributors: DesiredContributor[] = [];
  private readonly listeners: ((routers: ChangedRouters) => void)[] = [];

  register(c: DesiredContributor): void {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(c.name)) throw new Error(`contributor name ${JSON.stringify(c.name)} must be lowercase letters, digits, dashes`);
    if (this.contributors.some((x) => x.name === c.name)) throw new Error(`contributor ${c.name} registered twice`);
    this.contributors.push(c);
    this.changed('all');
  }

  names(): string[] {
    return this.contributors.map((c) => c.name);
  }

  /** Every contributor's notes for one router, after its desired state was computed. */
  notes(routerId: string): string[] {
    return this.contributors.flatMap((c) => c.notes?.(routerId) ?? []);
  }

  /** Runs each contributor's after-apply step; a step that throws is a degraded reason. */
  async afterApply(router: Device, session: RouterSession): Promise<AfterApply> {
    const out: AfterApply = {};
    for (const c of this.contributors) {
      if (!c.afterApply) continue;
      const r = await c.afterApply(router, session).catch((e: unknown) => ({ degraded: `${c.name}: ${(e as Error).message}` }) as AfterApply);
      if (r?.degraded) out.degraded = out.degraded ? `${out.degraded}; ${r.degraded}` : r.degraded;
      if (r?.dns) out.dns = r.dns;
    }
    return out;
  }

  /** A contributor's data changed (an allocation, an approved exception...): resync these routers. */
  changed(routers: ChangedRouters): void {
    for (const l of this.listeners) l(routers);
  }

  /** The reconciler subscribes here. */
  onChange(fn: (routers: ChangedRouters) => void): void {
    this.listeners.push(fn);
  }

  /**
   * The merged desired state of one router: entries concatenated in registration order. Every
   * entry must carry a comment beginning `simpul:<contributor>` so each contributor's entries are
   * recognisable on the router; two contributors asking different placements for the same
   * ordered menu is a programming error.
   */
  desiredFor(router: Device, inventory: Inventory): DesiredState {
    const menus: Partial<Record<MenuPath, Entry[]>> = {};
    const placement: Partial<Record<OrderedMenu, Placement>> = {};
    const placedBy: Partial<Record<OrderedMenu, string>> = {};
    for (const c of this.contributors) {
      const d = c.desired(router, inventory);
      for (const [menu, entries] of Object.entries(d.menus) as [MenuPath, readonly Entry[]][]) {
        const own = `${OWNER_PREFIX}${c.name}`;
        for (const e of entries) {
          const comment = e.comment ?? '';
          if (comment !== own && !comment.startsWith(`${own} `) && !comment.startsWith(`${own}:`))
            throw new ContributionConflict(`${c.name}: entry in ${menu} has comment ${JSON.stringify(comment)}; it must begin ${JSON.stringify(own)}`);
        }
        (menus[menu] ??= []).push(...entries);
      }
      for (const [menu, p] of Object.entries(d.placement ?? {}) as [OrderedMenu, Placement][]) {
        const prev = placement[menu];
        if (prev && JSON.stringify(prev) !== JSON.stringify(p))
          throw new ContributionConflict(`${c.name} and ${placedBy[menu]} ask different placements for ${menu}`);
        placement[menu] = p;
        placedBy[menu] = c.name;
      }
    }
    return Object.keys(placement).length ? { menus, placement } : { menus };
  }
}
