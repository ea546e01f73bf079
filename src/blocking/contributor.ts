// Site blocking as a router desired-state contributor: each OPD router gets its OPD's effective
// block list (exceptions already left out) in the form its RouterOS version understands.
import type { Clock } from '../common/clock.js';
import type { Device, Inventory } from '../inventory/model.js';
import type { DesiredContributor } from '../routeros/contributors.js';
import { enforceBlocklist, hasIpv6Menus, type EffectiveBlocklist, type EnforcePlan } from './enforce.js';

/** The `blocking` config keys this contributor reads. */
export interface BlockingEnforceConfig {
  enforce: boolean;
  dropForeignDns: boolean;
  sniRules: boolean;
  listName: string;
  modelLimits: Record<string, number>;
}

const DEFAULTS: BlockingEnforceConfig = { enforce: true, dropForeignDns: true, sniRules: false, listName: 'simpul-block', modelLimits: { default: 20000 } };

/** The OPD that runs the intranet: its routers are never filtered. */
export const NOC_OPD = 'DISKOMINFO';

/** Where the lists come from: BlockingService, whose `safety()` (IPAM pools, routers' addresses,
 *  loopback: what imports refuse) is applied again here, in case a pool was added after an import. */
export interface BlockSource {
  effective(opd: string, at?: Date): EffectiveBlocklist;
  safety?(): { protected: readonly { prefix: { text: string } }[] };
}

export interface BlockingContributorOptions {
  config: { blocking?: Partial<BlockingEnforceConfig> };
  clock: Clock;
  /** Extra ranges that must stay reachable (IPAM backbone, management and data-center pools). */
  protectedPrefixes?: () => readonly string[];
}

export interface BlockingContributor extends DesiredContributor {
  /** What the last computation for a router held: entry count, limit, skipped entries. */
  report(routerId: string): Omit<EnforcePlan, 'desired'> | undefined;
}

/** True for the routers blocking is enforced on: OPD routers the RouterOS module manages. */
export function isOpdRouter(d: Device): boolean {
  return d.role === 'router' && d.routeros !== undefined && d.opd !== NOC_OPD;
}

/**
 * Management addresses Diskominfo reaches the routers by: every router's, and every device of
 * the NOC's own OPD. Blocking them would cut the NOC off.
 */
export function inventoryProtected(inv: Inventory): string[] {
  return inv.devices.filter((d) => d.role === 'router' || d.opd === NOC_OPD).map((d) => d.mgmt);
}

export function blockingContributor(service: BlockSource, opts: BlockingContributorOptions): BlockingContributor {
  const reports = new Map<string, Omit<EnforcePlan, 'desired'>>();
  return {
    name: 'blocking',
    report: (id) => reports.get(id),
    desired(router, inventory) {
      if (!isOpdRouter(router)) return { menus: {} };
      const cfg = { ...DEFAULTS, ...opts.config.blocking };
      if (!cfg.enforce) {
        // enforcement switched off: whatever an earlier push left is removed
        reports.delete(router.id);
        const v4 = { '/ip/dns/static': [], '/ip/firewall/address-list': [], '/ip/firewall/filter': [] };
        return { menus: hasIpv6Menus(router.routeros?.version) ? { ...v4, '/ipv6/firewall/address-list': [], '/ipv6/firewall/filter': [] } : v4 };
      }
      const list = service.effective(router.opd, opts.clock.now());
      const target = router.routeros?.version === undefined ? { id: router.id, model: router.model } : { id: router.id, model: router.model, rosVersion: router.routeros.version };
      const { desired, ...report } = enforceBlocklist(list, target, {
        listName: cfg.listName,
        dropForeignDns: cfg.dropForeignDns,
        sniRules: cfg.sniRules,
        modelLimits: cfg.modelLimits,
        protectedPrefixes: [...inventoryProtected(inventory), ...(service.safety?.().protected.map((p) => p.prefix.text) ?? []), ...(opts.protectedPrefixes?.() ?? [])],
      });
      reports.set(router.id, report);
      return desired;
    },
  };
}
