// Site blocking as a router desired-state contributor: each OPD router gets its OPD's effective
// block list (exceptions already left out) in the form its RouterOS version understands.
import type { Clock } from '../common/clock.js';
import type { Device, Inventory } from '../inventory/model.js';
import type { DesiredContributor, RouterSession, AfterApply } from '../routeros/contributors.js';
import { isManagedRouter, nocOpd, roleOverrides, type RoleOverrides } from '../routeros/roles.js';
import { enforceBlocklist, hasIpv6Menus, supportsAdlist, OWNER, type EffectiveBlocklist, type EnforcePlan } from './enforce.js';

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

/** Where the lists come from: BlockingService, whose `safety()` (IPAM pools, routers' addresses,
 *  loopback: what imports refuse) is applied again here, in case a pool was added after an import. */
export interface BlockSource {
  effective(opd: string, at?: Date): EffectiveBlocklist;
  safety?(): { protected: readonly { prefix: { text: string } }[] };
}

/** Router-fetched lists (RouterOS 7.15+ `/ip/dns/adlist`): where each router fetches, what it should get. */
export interface AdlistSource {
  /** The router's list URL (its secret included), or null: adlist off, or Simpul has no HTTPS listener. */
  url(routerId: string): string | null;
  /** The OPD's hosts file now: its version (ETag) and name count. */
  version(opd: string): { version: string; names: number };
  /** The version the router last received whole, if any. */
  served(routerId: string): string | undefined;
  /** How long a reloaded router may take to show names. */
  reloadWaitMs: number;
}

export interface BlockingContributorOptions {
  config: { blocking?: Partial<BlockingEnforceConfig>; routeros?: RoleOverrides };
  clock: Clock;
  /** Extra ranges that must stay reachable (IPAM backbone, management and data-center pools). */
  protectedPrefixes?: () => readonly string[];
  adlist?: AdlistSource;
}

export interface BlockingReport extends Omit<EnforcePlan, 'desired'> {
  /** adlist: names are fetched by the router; static: one DNS entry per name. */
  mode: 'adlist' | 'static';
  /** Names blocked by DNS (adlist: in the hosts file, wildcards stay static entries). */
  names: number;
  /** The hosts file version the router's adlist entry names (adlist mode). */
  listVersion?: string;
}

export interface BlockingContributor extends DesiredContributor {
  /** What the last computation for a router held: entry count, limit, skipped entries, DNS mode. */
  report(routerId: string): BlockingReport | undefined;
}

const ADLIST = '/ip/dns/adlist';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True for the routers blocking is enforced on: the managed routers of every office but the NOC's. */
export function isOpdRouter(d: Device, inv: Inventory, roles: RoleOverrides = {}): boolean {
  return isManagedRouter(d) && d.opd !== nocOpd(inv, roles);
}

/**
 * Management addresses Diskominfo reaches the routers by: every router's, and every device of
 * the NOC's own OPD. Blocking them would cut the NOC off.
 */
export function inventoryProtected(inv: Inventory, roles: RoleOverrides = {}): string[] {
  const noc = nocOpd(inv, roles);
  return inv.devices.filter((d) => d.role === 'router' || d.opd === noc).map((d) => d.mgmt);
}

export function blockingContributor(service: BlockSource, opts: BlockingContributorOptions): BlockingContributor {
  const reports = new Map<string, BlockingReport>();
  const roles = roleOverrides(opts.config.routeros ?? {});
  return {
    name: 'blocking',
    report: (id) => reports.get(id),
    notes(id) {
      const r = reports.get(id);
      if (!r) return [];
      return [
        r.mode === 'adlist'
          ? `DNS blocking: adlist, the router fetches its ${r.names} names from Simpul (version ${r.listVersion}); wildcards stay static entries`
          : `DNS blocking: static entries, one per name (adlist needs RouterOS 7.15+, blocking.adlist.enabled and the HTTPS listener of Simpul)`,
      ];
    },
    afterApply: (router, session) => afterApply(router, session, reports.get(router.id), opts.adlist),
    desired(router, inventory) {
      if (!isOpdRouter(router, inventory, roles)) {
        reports.delete(router.id);
        return { menus: {} };
      }
      const cfg = { ...DEFAULTS, ...opts.config.blocking };
      if (!cfg.enforce) {
        // enforcement switched off: whatever an earlier push left is removed
        reports.delete(router.id);
        const v4 = {
          '/ip/dns/static': [],
          '/ip/firewall/address-list': [],
          '/ip/firewall/filter': [],
          ...(supportsAdlist(router.routeros?.version) ? { [ADLIST]: [] } : {}),
        };
        return { menus: hasIpv6Menus(router.routeros?.version) ? { ...v4, '/ipv6/firewall/address-list': [], '/ipv6/firewall/filter': [] } : v4 };
      }
      const full = service.effective(router.opd, opts.clock.now());
      const rosVersion = router.routeros?.version;
      const target = rosVersion === undefined ? { id: router.id, model: router.model } : { id: router.id, model: router.model, rosVersion };
      const url = opts.adlist && supportsAdlist(rosVersion) ? opts.adlist.url(router.id) : null;
      const hosts = url && opts.adlist ? opts.adlist.version(router.opd) : null;
      // adlist mode: exact names go in the fetched hosts file, wildcards stay static (match-subdomain)
      const list = hosts ? { ...full, domains: full.domains.filter((d) => d.subdomains) } : full;
      const { desired, ...report } = enforceBlocklist(list, target, {
        listName: cfg.listName,
        dropForeignDns: cfg.dropForeignDns,
        sniRules: cfg.sniRules,
        modelLimits: cfg.modelLimits,
        protectedPrefixes: [
          ...inventoryProtected(inventory, roles),
          ...(service.safety?.().protected.map((p) => p.prefix.text) ?? []),
          ...(opts.protectedPrefixes?.() ?? []),
        ],
      });
      if (url && hosts) {
        desired.menus[ADLIST] = [{ url, 'ssl-verify': 'yes', comment: `${OWNER} adlist ${hosts.version}` }];
        reports.set(router.id, { ...report, count: report.count + 1, mode: 'adlist', names: hosts.names, listVersion: hosts.version });
      } else {
        // a 7.15+ router back to static entries loses the adlist entry an earlier push left
        if (supportsAdlist(rosVersion)) desired.menus[ADLIST] = [];
        reports.set(router.id, { ...report, mode: 'static', names: full.domains.length });
      }
      return desired;
    },
  };
}

/**
 * After an apply, an adlist router must hold the current version: when Simpul has not served it
 * that version whole, it is asked to reload, then its own counters are read until it shows names.
 * A router that still shows none cannot reach Simpul: degraded, with where to look.
 */
async function afterApply(
  router: Device,
  session: RouterSession,
  report: BlockingReport | undefined,
  adlist: AdlistSource | undefined,
): Promise<AfterApply | undefined> {
  if (!report) return undefined; // only OPD routers have a report
  if (report.mode === 'static' || !adlist || !report.listVersion) return { dns: { mode: 'static', names: report.names } };
  // the URL always serves the newest version: the router must hold that one (a newer one than this
  // desired state names means another sync is on its way, not a failure)
  const want = adlist.version(router.opd).version;
  const count = async () => Number((await session.request([`${ADLIST}/print`, `?comment=${OWNER} adlist ${report.listVersion}`]))[0]?.['name-count'] ?? 0);
  let names = await count();
  // held: Simpul served this router the version whole, and the router counts its names (an
  // entry re-added by hand holds nothing until it fetches again, whatever was served before)
  const loaded = () => adlist.served(router.id) === want && (names > 0 || adlist.version(router.opd).names === 0);
  if (!loaded()) {
    await session.request([`${ADLIST}/reload`]);
    const deadline = Date.now() + adlist.reloadWaitMs;
    do {
      await sleep(100);
      names = await count();
    } while (!loaded() && Date.now() < deadline);
  }
  if (loaded()) return { dns: { mode: 'adlist', names } };
  const reason =
    names === 0
      ? `its adlist holds no names after a reload: the router cannot fetch its list from Simpul (check its route and DNS to the HTTPS address of Simpul, and that it trusts the certificate of Simpul)`
      : `its adlist still holds an older list (${names} names): it did not fetch version ${want} from Simpul after a reload`;
  return { degraded: `${router.id}: ${reason}`, dns: { mode: 'adlist', names } };
}
