import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';
import { FreeSpaceIndex, type UsedState } from './core/free-space.js';
import { HostIndex } from './core/hosts.js';
import { blockSize, makePrefix, type Family } from '../common/net/cidr.js';
import { fromHex, type PoolRow, type PrefixRow } from './columns.js';

export interface OpdHeld {
  allocated: bigint;
  quarantined: bigint;
  prefixes: number;
}

/**
 * In-memory free-space indexes mirroring the store: one per container (a pool, or a prefix that
 * holds sub-prefixes) and one host index per prefix that holds addresses, built on first use and
 * then updated by every write, so allocation and utilization never scan tables.
 *
 * It is a cache, never the authority: the database's triggers and unique index refuse any
 * overlap. The mirror is dropped when a write rolls back, and when SQLite's data_version says
 * another process (a second daemon, a CLI import) committed.
 */
export class IpamMirror {
  private containers = new Map<string, FreeSpaceIndex>();
  private hosts = new Map<number, HostIndex>();
  private held: Map<string, Record<Family, OpdHeld>> | null = null;
  private seenVersion: number | null = null;
  /** Set before any in-memory change inside a transaction: a rollback then drops the mirror. */
  dirty = false;
  private readonly dataVersion: Statement;

  constructor(private readonly db: Db) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /** Drops everything if another connection committed since we last looked. */
  sync(): void {
    const v = this.dataVersion.get() as number;
    if (v !== this.seenVersion) {
      this.clear();
      this.seenVersion = v;
    }
  }

  clear(): void {
    this.containers.clear();
    this.hosts.clear();
    this.held = null;
  }

  pool(pool: PoolRow): FreeSpaceIndex {
    return this.container(
      `pool:${pool.id}`,
      pool,
      "SELECT network, length, state FROM ipam_prefixes WHERE pool_id = ? AND parent_id IS NULL AND state <> 'released'",
      pool.id,
    );
  }

  /** Free space inside an allocated prefix, for its sub-prefixes. */
  prefix(p: PrefixRow): FreeSpaceIndex {
    return this.container(`prefix:${p.id}`, p, "SELECT network, length, state FROM ipam_prefixes WHERE parent_id = ? AND state <> 'released'", p.id);
  }

  private container(key: string, parent: { family: Family; network: string; length: number }, sql: string, id: number): FreeSpaceIndex {
    let idx = this.containers.get(key);
    if (!idx) {
      const rows = this.db.prepare(sql).all(id) as { network: string; length: number; state: UsedState }[];
      idx = new FreeSpaceIndex(
        makePrefix(parent.family, fromHex(parent.network), parent.length),
        rows.map((r) => ({ network: fromHex(r.network), length: r.length, state: r.state })),
      );
      this.containers.set(key, idx);
    }
    return idx;
  }

  hostIndex(p: PrefixRow, gateway: PoolRow['gateway']): HostIndex {
    let idx = this.hosts.get(p.id);
    if (!idx) {
      const rows = this.db.prepare("SELECT value, state FROM ipam_addresses WHERE prefix_id = ? AND state <> 'released'").all(p.id) as {
        value: string;
        state: 'assigned' | 'quarantined';
      }[];
      idx = new HostIndex(
        makePrefix(p.family, fromHex(p.network), p.length),
        rows.map((r) => ({ value: fromHex(r.value), state: r.state === 'assigned' ? ('allocated' as const) : ('quarantined' as const) })),
        { gateway },
      );
      this.hosts.set(p.id, idx);
    }
    return idx;
  }

  /** Addresses each OPD holds in top-level prefixes, by family. */
  opdHeld(): Map<string, Record<Family, OpdHeld>> {
    if (!this.held) {
      this.held = new Map();
      const rows = this.db.prepare("SELECT opd, family, length, state FROM ipam_prefixes WHERE parent_id IS NULL AND state <> 'released'").all() as {
        opd: string;
        family: Family;
        length: number;
        state: 'allocated' | 'quarantined';
      }[];
      for (const r of rows) this.countHeld(r.opd, r.family, r.length, r.state, 1);
    }
    return this.held;
  }

  /** Keeps the per-OPD totals current on a write (no-op until first read builds them). */
  countHeld(opd: string, family: Family, length: number, state: 'allocated' | 'quarantined', sign: 1 | -1): void {
    this.dirty = true;
    if (!this.held) return;
    let e = this.held.get(opd);
    if (!e) this.held.set(opd, (e = { 4: { allocated: 0n, quarantined: 0n, prefixes: 0 }, 6: { allocated: 0n, quarantined: 0n, prefixes: 0 } }));
    const size = blockSize(family, length);
    e[family][state] += sign > 0 ? size : -size;
    if (state === 'allocated') e[family].prefixes += sign;
  }
}
