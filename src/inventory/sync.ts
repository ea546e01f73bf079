import type { Store } from '../store/store.js';
import { canonicalJson } from '../common/canonical-json.js';
import { systemActor, type Actor } from '../auth/actor.js';
import { AppError } from '../common/errors.js';
import type { Inventory } from './model.js';

export interface SyncCounts {
  added: number;
  changed: number;
  removed: number;
}
export type SyncReport = Record<'opds' | 'sites' | 'devices' | 'links', SyncCounts>;

interface Table<T> {
  name: 'opds' | 'sites' | 'devices' | 'links';
  type: string;
  key: (v: T) => string;
  opd: (v: T) => string | null;
  insert: string;
  update: string;
  params: (v: T) => unknown[];
}

const tables = {
  opds: {
    name: 'opds',
    type: 'opd',
    key: (o) => o.code,
    opd: (o) => o.code,
    insert: 'INSERT INTO opds (name, kind, data_json, code) VALUES (?, ?, ?, ?)',
    update: 'UPDATE opds SET name = ?, kind = ?, data_json = ? WHERE code = ?',
    params: (o) => [o.name, o.kind, canonicalJson(o), o.code],
  } satisfies Table<Inventory['opds'][number]>,
  sites: {
    name: 'sites',
    type: 'site',
    key: (s) => s.id,
    opd: (s) => s.opd,
    insert: 'INSERT INTO sites (opd, name, data_json, id) VALUES (?, ?, ?, ?)',
    update: 'UPDATE sites SET opd = ?, name = ?, data_json = ? WHERE id = ?',
    params: (s) => [s.opd, s.name, canonicalJson(s), s.id],
  } satisfies Table<Inventory['sites'][number]>,
  devices: {
    name: 'devices',
    type: 'device',
    key: (d) => d.id,
    opd: (d) => d.opd,
    insert: 'INSERT INTO devices (opd, site, role, mgmt_address, data_json, id) VALUES (?, ?, ?, ?, ?, ?)',
    update: 'UPDATE devices SET opd = ?, site = ?, role = ?, mgmt_address = ?, data_json = ? WHERE id = ?',
    params: (d) => [d.opd, d.site, d.role, d.mgmt, canonicalJson(d), d.id],
  } satisfies Table<Inventory['devices'][number]>,
  links: {
    name: 'links',
    type: 'link',
    key: (l) => l.id,
    opd: () => null,
    insert: 'INSERT INTO links (a_device, b_device, data_json, id) VALUES (?, ?, ?, ?)',
    update: 'UPDATE links SET a_device = ?, b_device = ?, data_json = ? WHERE id = ?',
    params: (l) => [l.a.device, l.b.device, canonicalJson(l), l.id],
  } satisfies Table<Inventory['links'][number]>,
};

const KEY_COLUMN = { opds: 'code', sites: 'id', devices: 'id', links: 'id' } as const;

/**
 * Makes the store hold exactly the inventory: adds, changes and removes, one audit entry each,
 * all in one transaction. Removals go children-first and additions parents-first so foreign keys
 * hold at every step; an object still in use elsewhere (an OPD with tokens, say) stops the whole
 * sync with a message saying what holds it.
 */
export function syncInventory(store: Store, inv: Inventory, actor: Actor = systemActor('inventory')): SyncReport {
  return store.write(actor, (tx) => {
    const report = {} as SyncReport;
    const existing = {} as Record<keyof typeof tables, Map<string, string>>;
    for (const t of Object.values(tables)) {
      const rows = tx.db.prepare(`SELECT ${KEY_COLUMN[t.name]} AS k, data_json AS j FROM ${t.name}`).all() as { k: string; j: string }[];
      existing[t.name] = new Map(rows.map((r) => [r.k, r.j]));
      report[t.name] = { added: 0, changed: 0, removed: 0 };
    }
    const wanted = {
      opds: new Map(inv.opds.map((o) => [o.code, o])),
      sites: new Map(inv.sites.map((o) => [o.id, o])),
      devices: new Map(inv.devices.map((o) => [o.id, o])),
      links: new Map(inv.links.map((o) => [o.id, o])),
    };
    // Children first for removals.
    for (const name of ['links', 'devices', 'sites', 'opds'] as const) {
      for (const [k, j] of existing[name]) {
        if (wanted[name].has(k)) continue;
        const before = JSON.parse(j);
        try {
          tx.db.prepare(`DELETE FROM ${name} WHERE ${KEY_COLUMN[name]} = ?`).run(k);
        } catch (e) {
          if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
            throw new AppError(
              409,
              'INVENTORY_IN_USE',
              `cannot remove ${tables[name].type} '${k}' from the inventory: other records (tokens, allocations, requests...) still refer to it; move or release them first`,
            );
          throw e;
        }
        tx.audit({ action: 'inventory.remove', objectType: tables[name].type, objectId: k, opd: (tables[name] as Table<unknown>).opd(before), before });
        report[name].removed++;
      }
    }
    // Parents first for additions and changes.
    for (const name of ['opds', 'sites', 'devices', 'links'] as const) {
      const t = tables[name] as Table<unknown>;
      for (const [k, v] of wanted[name] as Map<string, unknown>) {
        const json = canonicalJson(v);
        const old = existing[name].get(k);
        if (old === json) continue;
        tx.db.prepare(old === undefined ? t.insert : t.update).run(...t.params(v));
        tx.audit({
          action: old === undefined ? 'inventory.add' : 'inventory.change',
          objectType: t.type,
          objectId: k,
          opd: t.opd(v),
          before: old === undefined ? undefined : JSON.parse(old),
          after: v,
        });
        report[name][old === undefined ? 'added' : 'changed']++;
      }
    }
    return report;
  });
}
