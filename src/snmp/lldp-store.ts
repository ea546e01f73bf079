/**
 * Keeps `lldp_neighbors` in step with what the poller read. A device's rows are rewritten (one
 * transaction, one summary audit entry) only when its neighbor set changed; an unchanged set
 * costs a string comparison, plus a last_seen refresh without audit at most every few minutes.
 */
import { systemActor } from '../auth/actor.js';
import type { Store } from '../store/store.js';
import type { LldpNeighbor } from './lldp.js';

export interface NeighborRow {
  device_id: string;
  local_port: string;
  local_if_index: number | null;
  remote_chassis: string;
  remote_chassis_subtype: number | null;
  remote_port: string;
  remote_port_subtype: number | null;
  remote_port_desc: string | null;
  remote_sys_name: string | null;
  first_seen: string;
  last_seen: string;
}

type Fields = Omit<NeighborRow, 'device_id' | 'first_seen' | 'last_seen'>;

export type SyncResult = 'changed' | 'unchanged' | 'touched';

const ACTOR = systemActor('snmp');
/** How many neighbors an audit entry names before it only counts. */
const AUDIT_LIST_MAX = 20;

const keyOf = (f: Pick<Fields, 'local_port' | 'remote_chassis' | 'remote_port'>): string => JSON.stringify([f.local_port, f.remote_chassis, f.remote_port]);
const describe = (f: Fields): string => `${f.local_port} -> ${f.remote_sys_name ?? f.remote_chassis} ${f.remote_port}`;

/** Table fields of one neighbor; the local port is its ifName, else the LLDP port number. */
export function neighborFields(n: LldpNeighbor): Fields {
  return {
    local_port: n.ifName ?? String(n.localPortNum),
    local_if_index: n.ifIndex ?? null,
    remote_chassis: n.chassisId,
    remote_chassis_subtype: n.chassisIdSubtype,
    remote_port: n.portId,
    remote_port_subtype: n.portIdSubtype,
    remote_port_desc: n.portDesc ?? null,
    remote_sys_name: n.sysName ?? null,
  };
}

/** Rows keyed by primary key (the same key twice: the first wins), in a stable order. */
function byKey(rows: Fields[]): Map<string, Fields> {
  const m = new Map<string, Fields>();
  for (const r of rows) if (!m.has(keyOf(r))) m.set(keyOf(r), r);
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const rowSignature = (r: Fields): string =>
  JSON.stringify([
    r.local_port,
    r.local_if_index,
    r.remote_chassis,
    r.remote_chassis_subtype,
    r.remote_port,
    r.remote_port_subtype,
    r.remote_port_desc,
    r.remote_sys_name,
  ]);
const signature = (rows: Map<string, Fields>): string => [...rows.values()].map(rowSignature).join('\n');

export class LldpStore {
  /** Device -> signature of the rows in the table (after the first look). */
  private readonly written = new Map<string, string>();
  /** Device -> when last_seen was last refreshed (ms). */
  private readonly touchedAt = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly opts: { lastSeenRefreshMs?: number } = {},
  ) {}

  /** Write the device's neighbors if they changed since the last write. */
  sync(deviceId: string, opd: string | undefined, neighbors: LldpNeighbor[]): SyncResult {
    const next = byKey(neighbors.map(neighborFields));
    const sig = signature(next);
    const nowMs = this.store.clock.now().getTime();
    let known = this.written.get(deviceId);
    if (known === undefined) {
      // first look since start: the table is the reference, its last_seen the last refresh
      const stored = this.rows(deviceId);
      known = signature(byKey(stored));
      this.written.set(deviceId, known);
      this.touchedAt.set(deviceId, Math.max(0, ...stored.map((r) => Date.parse(r.last_seen))));
    }
    if (known === sig) {
      const refresh = this.opts.lastSeenRefreshMs ?? 300_000;
      if (next.size === 0 || nowMs - (this.touchedAt.get(deviceId) ?? 0) < refresh) return 'unchanged';
      this.store.write(ACTOR, (tx) => void tx.db.prepare('UPDATE lldp_neighbors SET last_seen = ? WHERE device_id = ?').run(tx.now, deviceId));
      this.touchedAt.set(deviceId, nowMs);
      return 'touched';
    }
    this.store.write(ACTOR, (tx) => {
      const before = byKey(this.rows(deviceId));
      const added: string[] = [];
      const changed: string[] = [];
      const removed: string[] = [];
      for (const [k, r] of before) {
        if (next.has(k)) continue;
        tx.db
          .prepare('DELETE FROM lldp_neighbors WHERE device_id = ? AND local_port = ? AND remote_chassis = ? AND remote_port = ?')
          .run(deviceId, r.local_port, r.remote_chassis, r.remote_port);
        removed.push(describe(r));
      }
      for (const [k, r] of next) {
        const old = before.get(k);
        if (old && rowSignature(old) === rowSignature(r)) continue;
        (old ? changed : added).push(describe(r));
        // first_seen stays what it was for a row that only changed
        tx.db
          .prepare(
            `INSERT INTO lldp_neighbors (device_id, local_port, local_if_index, remote_chassis, remote_chassis_subtype, remote_port, remote_port_subtype, remote_port_desc, remote_sys_name, first_seen, last_seen)
             VALUES (@device_id, @local_port, @local_if_index, @remote_chassis, @remote_chassis_subtype, @remote_port, @remote_port_subtype, @remote_port_desc, @remote_sys_name, @now, @now)
             ON CONFLICT (device_id, local_port, remote_chassis, remote_port) DO UPDATE SET
               local_if_index = excluded.local_if_index, remote_chassis_subtype = excluded.remote_chassis_subtype,
               remote_port_subtype = excluded.remote_port_subtype, remote_port_desc = excluded.remote_port_desc,
               remote_sys_name = excluded.remote_sys_name, last_seen = excluded.last_seen`,
          )
          .run({ ...r, device_id: deviceId, now: tx.now });
      }
      tx.db.prepare('UPDATE lldp_neighbors SET last_seen = ? WHERE device_id = ?').run(tx.now, deviceId);
      const list = (xs: string[]) => (xs.length > AUDIT_LIST_MAX ? [...xs.slice(0, AUDIT_LIST_MAX), `... ${xs.length - AUDIT_LIST_MAX} more`] : xs);
      tx.audit({
        action: 'lldp.neighbors_changed',
        objectType: 'device',
        objectId: deviceId,
        opd: opd ?? null,
        before: { neighbors: before.size, removed: list(removed) },
        after: { neighbors: next.size, added: list(added), changed: list(changed) },
      });
    });
    this.written.set(deviceId, sig);
    this.touchedAt.set(deviceId, nowMs);
    return 'changed';
  }

  /** Forget a device's cached state (removed from the inventory; its rows go with the device). */
  forget(deviceId: string): void {
    this.written.delete(deviceId);
    this.touchedAt.delete(deviceId);
  }

  rows(deviceId: string): NeighborRow[] {
    return this.store.db
      .prepare('SELECT * FROM lldp_neighbors WHERE device_id = ? ORDER BY local_if_index, local_port, remote_chassis, remote_port')
      .all(deviceId) as NeighborRow[];
  }
}
