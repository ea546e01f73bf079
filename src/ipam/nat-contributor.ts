// Contributor `nat`: every public address assigned in IPAM to a data-center server becomes, on the
// internet edge router, a dst-nat (public -> the server's private address) and the matching
// src-nat (its outgoing traffic leaves from that public address). Released addresses lose both.
import type { Store } from '../store/store.js';
import type { Inventory } from '../inventory/model.js';
import type { DesiredContributor } from '../routeros/contributors.js';
import type { Entry } from '../routeros/desired.js';
import { edgeRouter, type RoleOverrides } from '../routeros/roles.js';

export const NAT = 'nat';

interface AddrRow {
  address: string;
  device: string | null;
  hostname: string | null;
}

export function natContributor(store: Store, roles: RoleOverrides = {}): DesiredContributor {
  const notes = new Map<string, string[]>();
  const publics = store.db.prepare(
    `SELECT a.address, a.device, a.hostname FROM ipam_addresses a JOIN ipam_prefixes p ON p.id = a.prefix_id JOIN ipam_pools pl ON pl.id = p.pool_id
     WHERE a.state = 'assigned' AND a.family = 4 AND pl.scope = 'public' AND pl.role = 'public-service' ORDER BY a.value`,
  );
  const servers = store.db.prepare(
    `SELECT a.address, a.device, a.hostname FROM ipam_addresses a JOIN ipam_prefixes p ON p.id = a.prefix_id JOIN ipam_pools pl ON pl.id = p.pool_id
     WHERE a.state = 'assigned' AND a.family = 4 AND pl.scope = 'private' AND pl.role = 'dc-server' ORDER BY a.value`,
  );
  return {
    name: NAT,
    notes: (id) => notes.get(id) ?? [],
    desired(router, inv: Inventory) {
      if (router.id !== edgeRouter(inv, roles)) return { menus: {} };
      // a server is known by its device id, else its hostname
      const privateOf = new Map<string, string>();
      for (const s of servers.all() as AddrRow[]) {
        const k = s.device ?? s.hostname;
        if (k && !privateOf.has(k)) privateOf.set(k, s.address);
      }
      const entries: Entry[] = [];
      const why: string[] = [];
      for (const p of publics.all() as AddrRow[]) {
        const who = p.device ?? p.hostname;
        const inside = who ? privateOf.get(who) : undefined;
        if (!who || !inside) {
          why.push(`${p.address}: no NAT; ${who ? `server ${who} has no address in a dc-server pool` : 'the address names no device or hostname'}`);
          continue;
        }
        entries.push(
          { chain: 'dstnat', action: 'dst-nat', 'dst-address': p.address, 'to-addresses': inside, comment: `simpul:${NAT} ${p.address} dst-nat ${who}` },
          { chain: 'srcnat', action: 'src-nat', 'src-address': inside, 'to-addresses': p.address, comment: `simpul:${NAT} ${p.address} src-nat ${who}` },
        );
      }
      notes.set(router.id, why);
      return { menus: { '/ip/firewall/nat': entries } };
    },
  };
}
