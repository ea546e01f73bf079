import type { Statement } from 'better-sqlite3';
import type { Store } from '../store/store.js';
import { notFound } from '../common/errors.js';
import { canSeeOpd, requirePermission, seesAllOpds, type Actor } from '../auth/actor.js';
import type { Device, Link, Opd, Site } from './model.js';
import { hasOpd } from './read.js';

export interface OpdSummary extends Opd {
  sites: number;
  devices: number;
}

/** Read side of the inventory, with OPD scoping applied here so no route can bypass it. */
export class InventoryService {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly store: Store) {}

  /** Prepared once per SQL text: preparing costs more than running these small queries. */
  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.store.db.prepare(sql)));
    return s;
  }

  private json<T>(sql: string, ...args: unknown[]): T[] {
    return (this.stmt(sql).all(...args) as { data_json: string }[]).map((r) => JSON.parse(r.data_json) as T);
  }

  private summaries: { generation: string; all: OpdSummary[] } | null = null;

  /** The OPD list is read on every page and changes only on inventory sync: cached per store generation. */
  listOpds(actor: Actor): OpdSummary[] {
    requirePermission(actor, 'read');
    if (this.summaries?.generation !== this.store.generation) this.summaries = { generation: this.store.generation, all: this.loadSummaries() };
    return seesAllOpds(actor) ? this.summaries.all : this.summaries.all.filter((o) => o.code === actor.opd);
  }

  private loadSummaries(): OpdSummary[] {
    const rows = this.stmt(
      `SELECT o.data_json, coalesce(s.n, 0) AS sites, coalesce(d.n, 0) AS devices FROM opds o
         LEFT JOIN (SELECT opd, count(*) AS n FROM sites GROUP BY opd) s ON s.opd = o.code
         LEFT JOIN (SELECT opd, count(*) AS n FROM devices GROUP BY opd) d ON d.opd = o.code
         ORDER BY o.code`,
    ).all() as { data_json: string; sites: number; devices: number }[];
    return rows.map((r) => ({ ...(JSON.parse(r.data_json) as Opd), sites: r.sites, devices: r.devices }));
  }

  getOpd(actor: Actor, code: string): Opd & { sites: Site[]; devices: Device[] } {
    requirePermission(actor, 'read');
    const [opd] = canSeeOpd(actor, code) ? this.json<Opd>('SELECT data_json FROM opds WHERE code = ?', code) : [];
    if (!opd) throw notFound('OPD', code);
    return {
      ...opd,
      sites: this.json<Site>('SELECT data_json FROM sites WHERE opd = ? ORDER BY id', code),
      devices: this.json<Device>('SELECT data_json FROM devices WHERE opd = ? ORDER BY id', code),
    };
  }

  listDevices(actor: Actor, filter: { opd?: string; role?: string } = {}): Device[] {
    requirePermission(actor, 'read');
    const where: string[] = [];
    const args: unknown[] = [];
    if (!seesAllOpds(actor)) where.push('opd = ?'), args.push(actor.opd);
    if (filter.opd) where.push('opd = ?'), args.push(filter.opd);
    if (filter.role) where.push('role = ?'), args.push(filter.role);
    return this.json<Device>(`SELECT data_json FROM devices ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`, ...args);
  }

  getDevice(actor: Actor, id: string): Device {
    requirePermission(actor, 'read');
    const [d] = this.json<Device>('SELECT data_json FROM devices WHERE id = ?', id);
    if (!d || !canSeeOpd(actor, d.opd)) throw notFound('device', id);
    return d;
  }

  /** Backbone links; an opd-admin sees the links that reach its own OPD. */
  listLinks(actor: Actor): (Link & { opds: string[] })[] {
    requirePermission(actor, 'read');
    const rows = this.stmt(
      `SELECT l.data_json, a.opd AS a_opd, b.opd AS b_opd FROM links l
         JOIN devices a ON a.id = l.a_device JOIN devices b ON b.id = l.b_device ORDER BY l.id`,
    ).all() as { data_json: string; a_opd: string; b_opd: string }[];
    return rows
      .filter((r) => canSeeOpd(actor, r.a_opd) || canSeeOpd(actor, r.b_opd))
      .map((r) => ({ ...(JSON.parse(r.data_json) as Link), opds: [...new Set([r.a_opd, r.b_opd])] }));
  }

  opdExists(code: string): boolean {
    return hasOpd(this.store.db, code);
  }
}
