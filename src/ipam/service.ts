import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Change, Store, Tx } from '../store/store.js';
import { AppError, badRequest, conflict, notFound } from '../common/errors.js';
import { canSeeOpd, requirePermission, seesAllOpds, type Actor } from '../auth/actor.js';
import { blockLast, containsPrefix, formatAddress, makePrefix, parseAddress, parsePrefix, type Family, type Prefix } from '../common/net/cidr.js';
import type { FitStrategy, FreeSpaceIndex } from './core/free-space.js';
import { prefixLengthForAddresses, type Count } from './core/size.js';
import { utilizationOf, hostUtilizationOf, type Utilization } from './core/utilization.js';
import { OPD_V6_LENGTH, LAN_V6_LENGTH } from './core/plan-v6.js';
import { fromHex, toHex, type AddressRow, type PoolRow, type PrefixRow } from './columns.js';
import { IpamMirror } from './mirror.js';
import { addressOut, poolOut, prefixOut, utilizationOut, type AddressOut, type PoolOut, type PrefixOut } from './views.js';
import { hasOpd } from '../inventory/read.js';

export const POOL_ROLES = ['opd-lan', 'backbone-p2p', 'loopback', 'dc-server', 'public-service'] as const;

export interface CreatePool {
  name: string;
  scope: 'public' | 'private';
  cidr: string;
  role: string;
  description?: string;
  /** Backbone pools: /31 (RFC 3021) or /30 for IPv4 point-to-point links. */
  p2pLength?: 30 | 31;
  gateway?: 'first' | 'last' | 'none';
}

export interface AllocateRequest {
  opd: string;
  purpose: string;
  prefixLength?: number;
  addresses?: Count;
  /** A specific prefix, when it is free. */
  prefix?: string;
  strategy?: FitStrategy;
  idempotencyKey?: string;
}

export interface AssignAddress {
  address?: string;
  hostname?: string;
  mac?: string;
  device?: string;
  description?: string;
  /** Allow the address reserved as the prefix's gateway (for the router's own interface). */
  gateway?: boolean;
}

export const OPD_V6_PURPOSE = 'IPv6 block of the OPD (/56, holds its /64 LANs)';
const DAY = 86_400_000;

/** Maps the database's own refusals (migration 002 triggers, unique index) to 409s. */
function fromSqlite(e: unknown): never {
  const msg = (e as Error).message ?? '';
  for (const [needle, code, detail] of [
    ['POOL_OVERLAP', 'POOL_OVERLAP', 'the pool overlaps another pool of the same scope'],
    ['PREFIX_OVERLAP', 'PREFIX_OVERLAP', 'the prefix overlaps one that is allocated or in quarantine'],
    ['PREFIX_OUTSIDE_POOL', 'NOT_IN_POOL', 'the prefix is not inside the pool'],
    ['PREFIX_OUTSIDE_PARENT', 'NOT_IN_PARENT', 'the prefix is not inside an allocated parent prefix'],
    ['ipam_addresses_one_owner', 'ADDRESS_TAKEN', 'the address already has an owner'],
    ['UNIQUE constraint failed: ipam_pools.name', 'POOL_NAME_TAKEN', 'a pool with this name exists'],
  ] as const)
    if (msg.includes(needle)) throw conflict(code, detail);
  throw e;
}

/**
 * The IP numbering authority. Every write runs in one IMMEDIATE transaction (serialized across
 * processes), with its audit entry; the in-memory mirror answers "what is free" quickly and the
 * database triggers guarantee that no address ever has two owners.
 */
export class IpamService {
  readonly mirror: IpamMirror;
  private readonly stmts = new Map<string, Statement>();

  constructor(
    private readonly store: Store,
    private readonly opts: { quarantineDays: number },
  ) {
    this.mirror = new IpamMirror(store.db);
    // A refused request (409, 400) that changed nothing in memory keeps the mirror: rebuilding
    // the index of a /8 with 100,000 prefixes on every refusal would be the slow path.
    store.onRollback(() => {
      if (this.mirror.dirty) this.mirror.clear();
      this.mirror.dirty = false;
    });
    store.onCommit(() => (this.mirror.dirty = false));
  }

  private q(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.store.db.prepare(sql)));
    return s;
  }

  /** Runs a write with the mirror checked against other processes' commits first. */
  private write<T>(actor: Actor, fn: (tx: Tx) => T): T {
    requirePermission(actor, 'operate');
    return this.store.write(actor, (tx) => {
      this.mirror.sync();
      try {
        return fn(tx);
      } catch (e) {
        if (e instanceof AppError) throw e;
        return fromSqlite(e);
      }
    });
  }

  // ---- pools ----------------------------------------------------------------------------------

  createPool(actor: Actor, req: CreatePool): PoolOut {
    const cidr = parsePrefix(req.cidr, { field: 'cidr' });
    if (req.p2pLength !== undefined && cidr.family === 6)
      throw badRequest('P2P_LENGTH_IPV4_ONLY', 'p2pLength applies to IPv4 pools; IPv6 links always get /127', 'p2pLength');
    return this.write(actor, (tx) => {
      const clash = tx.db
        .prepare('SELECT name, cidr FROM ipam_pools WHERE scope = ? AND family = ? AND network <= ? AND last >= ? LIMIT 1')
        .get(req.scope, cidr.family, toHex(cidr.family, blockLast(cidr.family, cidr)), toHex(cidr.family, cidr.network)) as
        | { name: string; cidr: string }
        | undefined;
      if (clash) throw conflict('POOL_OVERLAP', `${cidr.text} overlaps pool '${clash.name}' (${clash.cidr}) in the ${req.scope} scope`);
      const id = tx.db
        .prepare(
          `INSERT INTO ipam_pools (name, scope, family, cidr, network, last, length, role, description, p2p_length, gateway, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          req.name,
          req.scope,
          cidr.family,
          cidr.text,
          toHex(cidr.family, cidr.network),
          toHex(cidr.family, blockLast(cidr.family, cidr)),
          cidr.length,
          req.role,
          req.description ?? '',
          req.p2pLength ?? null,
          req.gateway ?? 'first',
          tx.now,
          actor.id,
        ).lastInsertRowid as number;
      const row = this.poolRow(id)!;
      const out = this.poolView(row, actor);
      tx.audit({ action: 'ipam.pool.create', objectType: 'pool', objectId: String(id), after: { ...out, utilization: undefined } });
      return out;
    });
  }

  listPools(actor: Actor): PoolOut[] {
    requirePermission(actor, 'read');
    this.mirror.sync();
    return (this.q('SELECT * FROM ipam_pools ORDER BY family, network').all() as PoolRow[]).map((p) => this.poolView(p, actor));
  }

  getPool(actor: Actor, id: number): PoolOut {
    requirePermission(actor, 'read');
    this.mirror.sync();
    const p = this.poolRow(id);
    if (!p) throw notFound('pool', String(id));
    return this.poolView(p, actor);
  }

  deletePool(actor: Actor, id: number): void {
    this.write(actor, (tx) => {
      const p = this.poolRow(id);
      if (!p) throw notFound('pool', String(id));
      const n = tx.db.prepare('SELECT count(*) FROM ipam_prefixes WHERE pool_id = ?').pluck().get(id) as number;
      if (n) throw conflict('POOL_IN_USE', `pool '${p.name}' has held ${n} prefixes; their history is kept, so the pool cannot be deleted`);
      tx.db.prepare('DELETE FROM ipam_pools WHERE id = ?').run(id);
      tx.audit({ action: 'ipam.pool.delete', objectType: 'pool', objectId: String(id), before: poolOut(p, null) });
    });
  }

  private poolRow(id: number): PoolRow | undefined {
    return this.q('SELECT * FROM ipam_pools WHERE id = ?').get(id) as PoolRow | undefined;
  }

  /**
   * What an OPD admin sees of a shared pool: its identity (name, role, family, CIDR: what it needs
   * to file a request), never its utilization, whose counts and largest free block are made of other
   * offices' allocations. Its own prefixes' utilization it reads on /prefixes/{id}. Every route that
   * shows a pool comes through here.
   */
  private poolView(p: PoolRow, actor: Actor): PoolOut {
    return poolOut(p, seesAllOpds(actor) ? utilizationOf(this.mirror.pool(p)) : null);
  }

  // ---- allocation -----------------------------------------------------------------------------

  /** Next free aligned block in a pool (or a specific one), for one OPD. */
  allocate(actor: Actor, poolId: number, req: AllocateRequest): { prefix: PrefixOut; created: boolean } {
    return this.write(actor, (tx) => {
      const pool = this.poolRow(poolId);
      if (!pool) throw notFound('pool', String(poolId));
      return this.allocateIn(tx, { pool, parent: null }, req);
    });
  }

  /** A sub-prefix inside an allocated prefix (an OPD's /24 split into VLANs). */
  allocateChild(actor: Actor, parentId: number, req: AllocateRequest): { prefix: PrefixOut; created: boolean } {
    return this.write(actor, (tx) => {
      const parent = this.prefixRow(parentId);
      if (!parent || !canSeeOpd(actor, parent.opd)) throw notFound('prefix', String(parentId));
      if (parent.state !== 'allocated')
        throw conflict('PREFIX_NOT_ALLOCATED', `prefix ${parent.cidr} is ${parent.state}; only an allocated prefix can be split`);
      if (req.opd !== parent.opd) throw badRequest('OPD_MISMATCH', `a sub-prefix of ${parent.cidr} belongs to ${parent.opd}, not ${req.opd}`, 'opd');
      if (this.q("SELECT 1 FROM ipam_addresses WHERE prefix_id = ? AND state <> 'released' LIMIT 1").get(parent.id))
        throw conflict('PREFIX_HAS_ADDRESSES', `${parent.cidr} already holds addresses; release them before splitting it into sub-prefixes`);
      return this.allocateIn(tx, { pool: this.poolRow(parent.pool_id)!, parent }, req);
    });
  }

  /** The allocation itself, inside a caller's transaction (request approval uses it too). */
  allocateIn(tx: Tx, where: { pool: PoolRow; parent: PrefixRow | null }, req: AllocateRequest): { prefix: PrefixOut; created: boolean } {
    this.mirror.sync();
    const { pool } = where;
    if (!hasOpd(this.store.db, req.opd)) throw badRequest('UNKNOWN_OPD', `OPD '${req.opd}' is not in the inventory`, 'opd');
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          pool.id,
          where.parent?.id ?? null,
          req.opd,
          req.purpose,
          req.prefixLength ?? null,
          String(req.addresses ?? ''),
          req.prefix ?? null,
          req.strategy ?? null,
        ]),
      )
      .digest('hex');
    if (req.idempotencyKey) {
      const seen = tx.db.prepare('SELECT fingerprint, prefix_id FROM ipam_idempotency WHERE key = ?').get(req.idempotencyKey) as
        | { fingerprint: string; prefix_id: number }
        | undefined;
      if (seen) {
        if (seen.fingerprint !== fingerprint)
          throw conflict('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different allocation; use a new key');
        return { prefix: prefixOut(this.prefixRow(seen.prefix_id)!), created: false };
      }
    }
    this.sweep(tx);
    const family = pool.family;
    let length = this.requestedLength(pool, where.parent, req);
    let container: { index: FreeSpaceIndex; parent: PrefixRow | null } = {
      index: where.parent ? this.mirror.prefix(where.parent) : this.mirror.pool(pool),
      parent: where.parent,
    };

    // IPv6 LANs: a /64 comes out of the OPD's own /56, made on first need, out of the regency's /48.
    if (!where.parent && family === 6 && pool.role === 'opd-lan' && length > OPD_V6_LENGTH && pool.length <= OPD_V6_LENGTH && !req.prefix) {
      const block = this.opdV6Block(tx, pool, req.opd, length, req.strategy);
      container = { index: this.mirror.prefix(block), parent: block };
    }
    const within = container.parent
      ? makePrefix(family, fromHex(container.parent.network), container.parent.length)
      : makePrefix(family, fromHex(pool.network), pool.length);
    let chosen: Prefix | null;
    if (req.prefix) {
      const wanted = parsePrefix(req.prefix, { family, field: 'prefix' });
      if (!containsPrefix(within, wanted)) throw badRequest('NOT_IN_POOL', `${wanted.text} is not inside ${within.text}`, 'prefix');
      if (where.parent && wanted.length === within.length)
        throw badRequest('PREFIX_LENGTH_NOT_IN_PARENT', `a sub-prefix must be smaller than ${within.text}`, 'prefix');
      if (!container.index.isFree(wanted)) {
        const held = container.index.conflicts(wanted, 3).map((c) => `${c.prefix.text} (${c.state})`);
        throw conflict('PREFIX_TAKEN', `${wanted.text} is not free: it overlaps ${held.join(', ')}`, { conflicts: held });
      }
      chosen = wanted;
      length = wanted.length;
    } else chosen = container.index.find(length, req.strategy ?? 'first-fit');
    if (!chosen) {
      const largest = container.index.largestFree();
      throw conflict('POOL_EXHAUSTED', `no free /${length} in ${within.text}; the largest free block is ${largest ? largest.text : 'none (it is full)'}`, {
        largestFree: largest?.text ?? null,
      });
    }
    const row = this.insertPrefix(tx, pool, container.parent, chosen, req.opd, req.purpose);
    this.mirror.dirty = true;
    container.index.add({ network: chosen.network, length: chosen.length, state: 'allocated' });
    if (!container.parent) this.mirror.countHeld(req.opd, family, chosen.length, 'allocated', 1);
    if (req.idempotencyKey)
      tx.db
        .prepare('INSERT INTO ipam_idempotency (key, actor_id, fingerprint, prefix_id, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(req.idempotencyKey, tx.actor.id, fingerprint, row.id, tx.now);
    return { prefix: prefixOut(row), created: true };
  }

  private requestedLength(pool: PoolRow, parent: PrefixRow | null, req: AllocateRequest): number {
    const family = pool.family;
    const bits = family === 4 ? 32 : 128;
    const floor = parent ? parent.length + 1 : pool.length;
    if (req.prefix) return parsePrefix(req.prefix, { family, field: 'prefix' }).length;
    if (req.prefixLength !== undefined && req.addresses !== undefined)
      throw badRequest('SIZE_AMBIGUOUS', 'give prefixLength or addresses, not both', 'addresses');
    let length: number;
    if (req.prefixLength !== undefined) length = req.prefixLength;
    else if (req.addresses !== undefined) length = prefixLengthForAddresses(req.addresses, family);
    else if (pool.role === 'backbone-p2p') length = family === 4 ? (pool.p2p_length ?? 31) : 127;
    else if (family === 6 && pool.role === 'opd-lan') length = LAN_V6_LENGTH;
    else throw badRequest('SIZE_REQUIRED', 'give prefixLength (e.g. 24) or addresses (e.g. 200)', 'prefixLength');
    if (!Number.isInteger(length) || length < 0 || length > bits)
      throw badRequest('CIDR_LENGTH_OUT_OF_RANGE', `prefixLength ${length} is out of range for IPv${family} (0 to ${bits})`, 'prefixLength');
    if (length < floor)
      throw badRequest(
        'PREFIX_LENGTH_NOT_IN_PARENT',
        `a /${length} does not fit in ${parent ? parent.cidr : pool.cidr}; the largest possible is /${floor}`,
        req.addresses !== undefined ? 'addresses' : 'prefixLength',
      );
    return length;
  }

  /**
   * The OPD's /56 in an IPv6 LAN pool with room for a /length, allocating a new one if none has room.
   * Found by structure: a live top-level /56 of the OPD in this pool that holds no addresses of its
   * own (so it can be split). Its purpose text is the NOC's or a spreadsheet's words, never a key.
   */
  private opdV6Block(tx: Tx, pool: PoolRow, opd: string, length: number, strategy?: FitStrategy): PrefixRow {
    const blocks = tx.db
      .prepare(
        `SELECT * FROM ipam_prefixes p WHERE pool_id = ? AND parent_id IS NULL AND opd = ? AND length = ? AND state = 'allocated'
           AND NOT EXISTS (SELECT 1 FROM ipam_addresses a WHERE a.prefix_id = p.id AND a.state <> 'released') ORDER BY network`,
      )
      .all(pool.id, opd, OPD_V6_LENGTH) as PrefixRow[];
    for (const b of blocks) if (this.mirror.prefix(b).find(length, strategy)) return b;
    const index = this.mirror.pool(pool);
    const p = index.find(OPD_V6_LENGTH, 'first-fit');
    if (!p) {
      const largest = index.largestFree();
      throw conflict('POOL_EXHAUSTED', `no free /56 left in ${pool.cidr} for ${opd}; the largest free block is ${largest?.text ?? 'none'}`, {
        largestFree: largest?.text ?? null,
      });
    }
    const row = this.insertPrefix(tx, pool, null, p, opd, OPD_V6_PURPOSE);
    this.mirror.dirty = true;
    index.add({ network: p.network, length: p.length, state: 'allocated' });
    this.mirror.countHeld(opd, 6, p.length, 'allocated', 1);
    return row;
  }

  private insertPrefix(tx: Tx, pool: PoolRow, parent: PrefixRow | null, p: Prefix, opd: string, purpose: string): PrefixRow {
    const id = tx.db
      .prepare(
        `INSERT INTO ipam_prefixes (pool_id, parent_id, family, cidr, network, last, length, opd, purpose, state, allocated_at, allocated_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'allocated', ?, ?)`,
      )
      .run(
        pool.id,
        parent?.id ?? null,
        p.family,
        p.text,
        toHex(p.family, p.network),
        toHex(p.family, blockLast(p.family, p)),
        p.length,
        opd,
        purpose,
        tx.now,
        tx.actor.id,
      ).lastInsertRowid as number;
    const row = this.prefixRow(id)!;
    tx.audit({ action: 'ipam.prefix.allocate', objectType: 'prefix', objectId: String(id), opd, after: prefixOut(row) });
    return row;
  }

  // ---- prefixes -------------------------------------------------------------------------------

  prefixRow(id: number): PrefixRow | undefined {
    return this.q('SELECT * FROM ipam_prefixes WHERE id = ?').get(id) as PrefixRow | undefined;
  }

  listPrefixes(actor: Actor, f: { pool?: number; opd?: string; state?: string; parent?: number; limit?: number; after?: number } = {}): PrefixOut[] {
    requirePermission(actor, 'read');
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => (where.push(sql), args.push(v));
    if (!seesAllOpds(actor)) add('opd = ?', actor.opd);
    if (f.pool !== undefined) add('pool_id = ?', f.pool);
    if (f.opd) add('opd = ?', f.opd);
    if (f.parent !== undefined) add('parent_id = ?', f.parent);
    if (f.state) add('state = ?', f.state);
    else where.push("state <> 'released'");
    if (f.after !== undefined) add('id > ?', f.after);
    const sql = `SELECT * FROM ipam_prefixes ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ?`;
    return (this.store.db.prepare(sql).all(...args, f.limit ?? 1000) as PrefixRow[]).map(prefixOut);
  }

  getPrefix(actor: Actor, id: number): PrefixOut & { utilization: ReturnType<typeof utilizationOut> | null } {
    requirePermission(actor, 'read');
    this.mirror.sync();
    const p = this.prefixRow(id);
    if (!p || !canSeeOpd(actor, p.opd)) throw notFound('prefix', String(id));
    return { ...prefixOut(p), utilization: p.state === 'allocated' ? utilizationOut(this.prefixUtilization(p)) : null };
  }

  private prefixUtilization(p: PrefixRow): Utilization {
    const hasChildren = this.q("SELECT 1 FROM ipam_prefixes WHERE parent_id = ? AND state <> 'released' LIMIT 1").get(p.id);
    if (hasChildren) return utilizationOf(this.mirror.prefix(p));
    return hostUtilizationOf(this.mirror.hostIndex(p, this.poolRow(p.pool_id)!.gateway));
  }

  /** Release into quarantine; the block can be handed out again only after it. */
  releasePrefix(actor: Actor, id: number): PrefixOut {
    return this.write(actor, (tx) => {
      const p = this.prefixRow(id);
      if (!p || !canSeeOpd(actor, p.opd)) throw notFound('prefix', String(id));
      if (p.state !== 'allocated') throw conflict('PREFIX_NOT_ALLOCATED', `prefix ${p.cidr} is already ${p.state}`);
      const children = tx.db.prepare("SELECT count(*) FROM ipam_prefixes WHERE parent_id = ? AND state = 'allocated'").pluck().get(id) as number;
      const addresses = tx.db.prepare("SELECT count(*) FROM ipam_addresses WHERE prefix_id = ? AND state = 'assigned'").pluck().get(id) as number;
      if (children || addresses)
        throw conflict('PREFIX_IN_USE', `${p.cidr} still holds ${children} sub-prefixes and ${addresses} assigned addresses; release them first`);
      return prefixOut(this.moveToQuarantine(tx, p));
    });
  }

  private moveToQuarantine(tx: Tx, p: PrefixRow): PrefixRow {
    const days = this.opts.quarantineDays;
    const until = new Date(Date.parse(tx.now) + days * DAY).toISOString();
    const state = days > 0 ? 'quarantined' : 'released';
    tx.db
      .prepare('UPDATE ipam_prefixes SET state = ?, released_at = ?, released_by = ?, quarantine_until = ? WHERE id = ?')
      .run(state, tx.now, tx.actor.id, days > 0 ? until : null, p.id);
    const container = this.containerOf(p);
    this.mirror.dirty = true;
    container.remove({ network: fromHex(p.network), length: p.length, state: 'allocated' });
    if (state === 'quarantined') container.add({ network: fromHex(p.network), length: p.length, state: 'quarantined' });
    if (p.parent_id === null) {
      this.mirror.countHeld(p.opd, p.family, p.length, 'allocated', -1);
      if (state === 'quarantined') this.mirror.countHeld(p.opd, p.family, p.length, 'quarantined', 1);
    }
    const after = this.prefixRow(p.id)!;
    tx.audit({ action: 'ipam.prefix.release', objectType: 'prefix', objectId: String(p.id), opd: p.opd, before: prefixOut(p), after: prefixOut(after) });
    return after;
  }

  private containerOf(p: PrefixRow): FreeSpaceIndex {
    return p.parent_id === null ? this.mirror.pool(this.poolRow(p.pool_id)!) : this.mirror.prefix(this.prefixRow(p.parent_id)!);
  }

  /** Ends quarantines whose time has come (prefixes and addresses), each with its audit entry. */
  sweep(tx: Tx): number {
    const prefixes = tx.db.prepare("SELECT * FROM ipam_prefixes WHERE state = 'quarantined' AND quarantine_until <= ?").all(tx.now) as PrefixRow[];
    for (const p of prefixes) {
      tx.db.prepare("UPDATE ipam_prefixes SET state = 'released' WHERE id = ?").run(p.id);
      this.mirror.dirty = true;
      this.containerOf(p).remove({ network: fromHex(p.network), length: p.length, state: 'quarantined' });
      if (p.parent_id === null) this.mirror.countHeld(p.opd, p.family, p.length, 'quarantined', -1);
      tx.audit({
        action: 'ipam.prefix.quarantine-end',
        objectType: 'prefix',
        objectId: String(p.id),
        opd: p.opd,
        before: { state: 'quarantined' },
        after: { state: 'released' },
      });
    }
    const addrs = tx.db.prepare("SELECT * FROM ipam_addresses WHERE state = 'quarantined' AND quarantine_until <= ?").all(tx.now) as AddressRow[];
    for (const a of addrs) {
      tx.db.prepare("UPDATE ipam_addresses SET state = 'released' WHERE id = ?").run(a.id);
      const p = this.prefixRow(a.prefix_id)!;
      this.mirror.dirty = true;
      this.mirror.hostIndex(p, this.poolRow(p.pool_id)!.gateway).remove(fromHex(a.value), 'quarantined');
      tx.audit({
        action: 'ipam.address.quarantine-end',
        objectType: 'address',
        objectId: String(a.id),
        opd: p.opd,
        before: { state: 'quarantined' },
        after: { state: 'released' },
      });
    }
    return prefixes.length + addrs.length;
  }

  // ---- addresses ------------------------------------------------------------------------------

  assignAddress(actor: Actor, prefixId: number, req: AssignAddress): AddressOut {
    return this.write(actor, (tx) => {
      const p = this.prefixRow(prefixId);
      if (!p || !canSeeOpd(actor, p.opd)) throw notFound('prefix', String(prefixId));
      if (p.state !== 'allocated') throw conflict('PREFIX_NOT_ALLOCATED', `prefix ${p.cidr} is ${p.state}; addresses are assigned only in allocated prefixes`);
      if (this.q("SELECT 1 FROM ipam_prefixes WHERE parent_id = ? AND state <> 'released' LIMIT 1").get(p.id))
        throw conflict('PREFIX_HAS_CHILDREN', `${p.cidr} is split into sub-prefixes; assign the address in the sub-prefix it belongs to`);
      this.sweep(tx);
      const pool = this.poolRow(p.pool_id)!;
      const hosts = this.mirror.hostIndex(p, pool.gateway);
      let value: bigint;
      if (req.address) {
        const a = parseAddress(req.address, { family: p.family, field: 'address' });
        const check = hosts.check(a, { asGateway: req.gateway === true });
        if (!check.ok) {
          const status = check.reason === 'allocated' || check.reason === 'quarantined' ? 409 : 400;
          throw new AppError(status, status === 409 ? 'ADDRESS_TAKEN' : 'ADDRESS_RESERVED', check.detail, 'address', { reason: check.reason });
        }
        value = a.value;
      } else {
        const next = hosts.next();
        if (!next) throw conflict('PREFIX_FULL', `no free address left in ${p.cidr}`);
        value = next.value;
      }
      const text = formatAddress(p.family, value);
      const id = tx.db
        .prepare(
          `INSERT INTO ipam_addresses (prefix_id, family, address, value, hostname, mac, device, description, state, assigned_at, assigned_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?, ?)`,
        )
        .run(
          p.id,
          p.family,
          text,
          toHex(p.family, value),
          req.hostname ?? null,
          req.mac?.toLowerCase() ?? null,
          req.device ?? null,
          req.description ?? '',
          tx.now,
          actor.id,
        ).lastInsertRowid as number;
      this.mirror.dirty = true;
      hosts.add(value, 'allocated');
      const row = this.addressRow(id)!;
      tx.audit({ action: 'ipam.address.assign', objectType: 'address', objectId: String(id), opd: p.opd, after: addressOut(row, p.opd) });
      return addressOut(row, p.opd);
    });
  }

  private addressRow(id: number): AddressRow | undefined {
    return this.q('SELECT * FROM ipam_addresses WHERE id = ?').get(id) as AddressRow | undefined;
  }

  listAddresses(actor: Actor, prefixId: number, includeReleased = false): AddressOut[] {
    requirePermission(actor, 'read');
    const p = this.prefixRow(prefixId);
    if (!p || !canSeeOpd(actor, p.opd)) throw notFound('prefix', String(prefixId));
    const rows = this.store.db
      .prepare(`SELECT * FROM ipam_addresses WHERE prefix_id = ? ${includeReleased ? '' : "AND state <> 'released'"} ORDER BY value, id`)
      .all(prefixId) as AddressRow[];
    return rows.map((r) => addressOut(r, p.opd));
  }

  releaseAddress(actor: Actor, id: number): AddressOut {
    return this.write(actor, (tx) => {
      const a = this.addressRow(id);
      const p = a && this.prefixRow(a.prefix_id);
      if (!a || !p || !canSeeOpd(actor, p.opd)) throw notFound('address', String(id));
      if (a.state !== 'assigned') throw conflict('ADDRESS_NOT_ASSIGNED', `${a.address} is already ${a.state}`);
      const days = this.opts.quarantineDays;
      const state = days > 0 ? 'quarantined' : 'released';
      tx.db
        .prepare('UPDATE ipam_addresses SET state = ?, released_at = ?, released_by = ?, quarantine_until = ? WHERE id = ?')
        .run(state, tx.now, actor.id, days > 0 ? new Date(Date.parse(tx.now) + days * DAY).toISOString() : null, id);
      const hosts = this.mirror.hostIndex(p, this.poolRow(p.pool_id)!.gateway);
      this.mirror.dirty = true;
      hosts.remove(fromHex(a.value), 'allocated');
      if (state === 'quarantined') hosts.add(fromHex(a.value), 'quarantined');
      const after = this.addressRow(id)!;
      tx.audit({
        action: 'ipam.address.release',
        objectType: 'address',
        objectId: String(id),
        opd: p.opd,
        before: addressOut(a, p.opd),
        after: addressOut(after, p.opd),
      });
      return addressOut(after, p.opd);
    });
  }

  // ---- descriptive fields, early release, lookup ------------------------------------------------

  /** Writes the changed descriptive columns of one row with an audit entry naming only what changed. */
  private describe<R extends { id: number }>(
    tx: Tx,
    what: 'pool' | 'prefix' | 'address',
    row: R,
    opd: string | null,
    patch: Record<string, [column: keyof R & string, value: unknown]>,
  ): boolean {
    const changed = Object.entries(patch).filter(([, [col, v]]) => v !== undefined && row[col] !== v);
    if (!changed.length) return false;
    const table = what === 'pool' ? 'ipam_pools' : what === 'prefix' ? 'ipam_prefixes' : 'ipam_addresses';
    tx.db.prepare(`UPDATE ${table} SET ${changed.map(([, [col]]) => `${col} = ?`).join(', ')} WHERE id = ?`).run(...changed.map(([, [, v]]) => v), row.id);
    const before = Object.fromEntries(changed.map(([k, [col]]) => [k, row[col]]));
    const after = Object.fromEntries(changed.map(([k, [, v]]) => [k, v]));
    tx.audit({ action: `ipam.${what}.update`, objectType: what, objectId: String(row.id), opd, before, after });
    return true;
  }

  updatePool(actor: Actor, id: number, patch: { description?: string }): PoolOut {
    return this.write(actor, (tx) => {
      const p = this.poolRow(id);
      if (!p) throw notFound('pool', String(id));
      this.describe(tx, 'pool', p, null, { description: ['description', patch.description] });
      return this.poolView(this.poolRow(id)!, actor);
    });
  }

  /** A released prefix is history: it keeps the words it had. */
  updatePrefix(actor: Actor, id: number, patch: { purpose?: string }): PrefixOut {
    return this.write(actor, (tx) => {
      const p = this.prefixRow(id);
      if (!p || !canSeeOpd(actor, p.opd)) throw notFound('prefix', String(id));
      if (p.state === 'released') throw conflict('PREFIX_RELEASED', `prefix ${p.cidr} was released; its history is kept as it was`);
      this.describe(tx, 'prefix', p, p.opd, { purpose: ['purpose', patch.purpose] });
      return prefixOut(this.prefixRow(id)!);
    });
  }

  /** `null` clears hostname, MAC or device. */
  updateAddress(actor: Actor, id: number, patch: { hostname?: string | null; mac?: string | null; device?: string | null; description?: string }): AddressOut {
    return this.write(actor, (tx) => {
      const a = this.addressRow(id);
      const p = a && this.prefixRow(a.prefix_id);
      if (!a || !p || !canSeeOpd(actor, p.opd)) throw notFound('address', String(id));
      if (a.state === 'released') throw conflict('ADDRESS_RELEASED', `${a.address} was released; its history is kept as it was`);
      this.describe(tx, 'address', a, p.opd, {
        hostname: ['hostname', patch.hostname],
        mac: ['mac', patch.mac?.toLowerCase() ?? patch.mac],
        device: ['device', patch.device],
        description: ['description', patch.description],
      });
      return addressOut(this.addressRow(id)!, p.opd);
    });
  }

  /**
   * Ends a prefix's quarantine now (noc-admin): the block may be handed out again at once. What
   * still waits in quarantine inside it (sub-prefixes, addresses) is released with it, or the
   * database would refuse those addresses to the block's next owner.
   */
  releaseQuarantine(actor: Actor, id: number): PrefixOut {
    requirePermission(actor, 'admin');
    return this.write(actor, (tx) => {
      const p = this.prefixRow(id);
      if (!p || !canSeeOpd(actor, p.opd)) throw notFound('prefix', String(id));
      if (p.state !== 'quarantined')
        throw conflict('PREFIX_NOT_QUARANTINED', `prefix ${p.cidr} is ${p.state}, not in quarantine; only a quarantined prefix can be released early`);
      const because = { state: 'released', earlyReleaseOf: p.cidr };
      const subtree = tx.db
        .prepare(
          `WITH RECURSIVE t(id) AS (SELECT id FROM ipam_prefixes WHERE parent_id = ? UNION ALL SELECT c.id FROM ipam_prefixes c JOIN t ON c.parent_id = t.id)
           SELECT p.* FROM ipam_prefixes p JOIN t USING (id) WHERE p.state = 'quarantined'`,
        )
        .all(id) as PrefixRow[];
      for (const prefix of [p, ...subtree]) {
        const addrs = tx.db.prepare("SELECT id FROM ipam_addresses WHERE prefix_id = ? AND state = 'quarantined'").pluck().all(prefix.id) as number[];
        for (const a of addrs) {
          tx.db.prepare("UPDATE ipam_addresses SET state = 'released' WHERE id = ?").run(a);
          tx.audit({
            action: 'ipam.address.quarantine-end',
            objectType: 'address',
            objectId: String(a),
            opd: p.opd,
            before: { state: 'quarantined' },
            after: because,
          });
        }
        tx.db.prepare("UPDATE ipam_prefixes SET state = 'released' WHERE id = ?").run(prefix.id);
        if (prefix !== p)
          tx.audit({
            action: 'ipam.prefix.quarantine-end',
            objectType: 'prefix',
            objectId: String(prefix.id),
            opd: prefix.opd,
            before: { state: 'quarantined' },
            after: because,
          });
      }
      const after = this.prefixRow(id)!;
      tx.audit({
        action: 'ipam.prefix.quarantine-release',
        objectType: 'prefix',
        objectId: String(id),
        opd: p.opd,
        before: prefixOut(p),
        after: prefixOut(after),
      });
      // Rare: rebuilding the indexes on next use is simpler than walking the subtree's.
      this.mirror.dirty = true;
      this.mirror.clear();
      return prefixOut(after);
    });
  }

  /**
   * Who holds an address or a prefix: the live address with that value, and every live prefix
   * that contains or lies inside what was asked, most specific first (at most `limit`).
   */
  lookup(actor: Actor, q: string, limit = 50): { query: string; family: Family; addresses: AddressOut[]; prefixes: (PrefixOut & { pool: string })[] } {
    requirePermission(actor, 'read');
    const isPrefix = q.includes('/');
    const block = isPrefix
      ? parsePrefix(q, { field: 'q' })
      : (() => {
          const a = parseAddress(q, { field: 'q' });
          return makePrefix(a.family, a.value, a.family === 4 ? 32 : 128);
        })();
    const family = block.family;
    const first = toHex(family, block.network);
    const last = toHex(family, blockLast(family, block));
    const scope = seesAllOpds(actor) ? '' : 'AND p.opd = ?';
    const scopeArg = seesAllOpds(actor) ? [] : [actor.opd];
    const prefixes = this.store.db
      .prepare(
        `SELECT p.*, pool.name AS pool_name FROM ipam_prefixes p JOIN ipam_pools pool ON pool.id = p.pool_id
         WHERE p.family = ? AND p.state <> 'released' AND ((p.network <= ? AND p.last >= ?) OR (p.network >= ? AND p.last <= ?)) ${scope}
         ORDER BY p.length DESC, p.network LIMIT ?`,
      )
      .all(family, first, last, first, last, ...scopeArg, limit) as (PrefixRow & { pool_name: string })[];
    const addresses = isPrefix
      ? []
      : (this.store.db
          .prepare(
            `SELECT a.*, p.opd AS opd FROM ipam_addresses a JOIN ipam_prefixes p ON p.id = a.prefix_id WHERE a.family = ? AND a.value = ? AND a.state <> 'released' ${scope}`,
          )
          .all(family, first, ...scopeArg) as (AddressRow & { opd: string })[]);
    return {
      query: isPrefix ? block.text : formatAddress(family, block.network),
      family,
      addresses: addresses.map((a) => addressOut(a, a.opd)),
      prefixes: prefixes.map((p) => ({ ...prefixOut(p), pool: p.pool_name })),
    };
  }

  // ---- utilization ----------------------------------------------------------------------------

  utilization(actor: Actor): { pools: PoolOut[]; opds: { opd: string; family: Family; prefixes: number; allocated: string; quarantined: string }[] } {
    requirePermission(actor, 'read');
    this.mirror.sync();
    const opds: { opd: string; family: Family; prefixes: number; allocated: string; quarantined: string }[] = [];
    for (const [opd, byFamily] of this.mirror.opdHeld()) {
      if (!canSeeOpd(actor, opd)) continue;
      for (const family of [4, 6] as const) {
        const h = byFamily[family];
        if (h.prefixes || h.quarantined)
          opds.push({ opd, family, prefixes: h.prefixes, allocated: h.allocated.toString(), quarantined: h.quarantined.toString() });
      }
    }
    opds.sort((a, b) => a.opd.localeCompare(b.opd) || a.family - b.family);
    return { pools: this.listPools(actor), opds };
  }

  /**
   * IPAM's change events: after each commit that changed pools, prefixes or addresses, with what
   * changed (the audit actions, `ipam.prefix.allocate`...), so readers resync only what it concerns.
   */
  onChange(fn: (changes: readonly Change[]) => void): void {
    this.store.onCommit((all) => {
      const mine = all.filter((c) => c.action.startsWith('ipam.'));
      if (mine.length) fn(mine);
    });
  }

  /** Whether any pool exists yet (lab mode seeds an empty store only). */
  hasPools(): boolean {
    return !!this.q('SELECT 1 FROM ipam_pools LIMIT 1').get();
  }

  /** Pool figures for the Prometheus collector: read from the mirror, never a table scan. */
  poolGauges(): { pool: string; family: Family; u: Utilization }[] {
    this.mirror.sync();
    return (this.q('SELECT * FROM ipam_pools').all() as PoolRow[]).map((p) => ({ pool: p.name, family: p.family, u: utilizationOf(this.mirror.pool(p)) }));
  }
}
