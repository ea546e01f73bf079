// Encrypted-DNS bypass, first line: Firefox asks its network's resolver for the canary name
// `use-application-dns.net` and leaves its DNS over HTTPS off when the answer is NXDOMAIN. Every
// router Simpul manages answers so (a static entry; RouterOS has record types from 6.47).
import type { Device } from '../inventory/model.js';
import type { DesiredContributor } from '../routeros/contributors.js';
import { supportsNxdomain } from './enforce.js';

export const CANARY = 'use-application-dns.net';
const OWNER = 'simpul:doh-canary';

export function dohCanaryContributor(enabled: () => boolean): DesiredContributor {
  const skipped = new Map<string, string>();
  return {
    name: 'doh-canary',
    notes: (id) => (skipped.has(id) ? [skipped.get(id) as string] : []),
    desired(router: Device) {
      skipped.delete(router.id);
      if (router.role !== 'router' || !router.routeros) return { menus: {} };
      if (!enabled()) return { menus: { '/ip/dns/static': [] } };
      const v = router.routeros.version;
      if (!supportsNxdomain(v)) {
        skipped.set(router.id, `DNS-over-HTTPS canary not set: RouterOS ${v ?? '(version not read yet)'} has no NXDOMAIN static entries (6.47 and later do)`);
        return { menus: {} };
      }
      return { menus: { '/ip/dns/static': [{ name: CANARY, type: 'NXDOMAIN', ttl: '5m', comment: OWNER }] } };
    },
  };
}
