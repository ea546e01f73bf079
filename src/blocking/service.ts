// The blocking service: categories and their entries, the per-office policy, and the effective list
// each office's routers enforce. Exceptions live in ./exceptions.ts, policy answers in ./policy.ts,
// the vocabulary in ./model.ts.
import type { Store, Tx } from '../store/store.js';
import { AppError, badRequest, conflict, notFound } from '../common/errors.js';
import { canSeeOpd, requirePermission, seesAllOpds, type Actor } from '../auth/actor.js';
import { parsePrefix } from '../common/net/cidr.js';
import { poolRanges } from '../ipam/read.js';
import { hasOpd } from '../inventory/read.js';
import type { ChangedOpds, EffectiveBlocklist } from './effective.js';
import { applyExceptions, composeBase, type BaseList, type EntryRow, type ExceptionRow } from './compose.js';
import { BlockExceptions } from './exceptions.js';
import { answerFor, matchesFor, type PolicyDeps } from './policy.js';
import {
  entryOut,
  CATEGORY_PATTERN,
  MANUAL_SOURCE,
  SOURCE_PATTERN,
  type BlockingOptions,
  type CategoryOut,
  type EntryDbRow,
  type EntryOut,
  type ExceptionFilter,
  type ExceptionOut,
  type PolicyAnswer,
  type SourceOut,
} from './model.js';
import { ALWAYS_PROTECTED, judgeDomain, judgeIp, judgeValue, unsafeReason, type BlockValue, type Safety } from './normalize.js';

export * from './model.js';

/**
 * Block lists, the per-OPD policy and its exceptions; `effective()` is what enforcement reads.
 * Listeners hear about a change only after its transaction commits (never about a rolled-back one).
 */
export class BlockingService {
  private readonly listeners: ((opds: ChangedOpds) => void)[] = [];
  private pending: Set<string> | 'all' | null = null;
  private entriesDirty = false;
  /** Bumped after every committed change of entries, categories or policy: the base-list cache key. */
  private version = 0;
  private readonly baseCache = new Map<string, BaseList>();
  private cacheVersion = -1;
  private countsCache: { version: number; rows: { category: string; n: number }[] } | null = null;
  private readonly exceptions: BlockExceptions;
  private readonly policy: PolicyDeps;

  constructor(
    readonly store: Store,
    readonly opts: BlockingOptions,
  ) {
    this.exceptions = new BlockExceptions({
      store,
      clock: opts.clock,
      changed: (opds) => this.markChanged(opds),
      requireOpd: (actor, opd) => this.requireOpd(actor, opd),
    });
    this.policy = {
      db: store.db,
      categoryNames: () => this.categoryNames(),
      categoriesFor: (opd) => this.categoriesFor(opd),
      protectedDomains: () => this.protectedDomains(),
      activeExceptions: (opd, at) => this.exceptions.active(opd, at),
    };
    store.onCommit(() => this.committed());
    store.onRollback(() => {
      this.pending = null;
      this.entriesDirty = false;
    });
    // Staging rows of an import cut short by a crash are scratch: nothing refers to them.
    store.db.prepare('DELETE FROM block_staging').run();
  }

  // ---- change notification -------------------------------------------------------------------

  onChange(fn: (opds: ChangedOpds) => void): void {
    this.listeners.push(fn);
  }

  /** Inside a write: these OPDs' effective lists change when it commits. */
  markChanged(opds: ChangedOpds, entries = false): void {
    if (entries) this.entriesDirty = true;
    if (opds === 'all' || this.pending === 'all') this.pending = 'all';
    else {
      this.pending ??= new Set();
      for (const o of opds) this.pending.add(o);
    }
  }

  private committed(): void {
    if (this.entriesDirty) {
      this.version++;
      this.entriesDirty = false;
    }
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const opds: ChangedOpds = p === 'all' ? 'all' : [...p].sort();
    for (const l of this.listeners) {
      try {
        l(opds);
      } catch (e) {
        this.opts.onListenerError?.(e);
      }
    }
  }

  // ---- safety ----------------------------------------------------------------------------------

  /** What may never be blocked: IPAM pools (backbone, OPD LANs, servers), routers' addresses, loopback. */
  safety(): Safety {
    const pools = poolRanges(this.store.db);
    return {
      minLength: this.opts.minPrefixLength,
      domains: this.protectedDomains(),
      protected: [
        ...ALWAYS_PROTECTED,
        ...pools.map((p) => ({ prefix: parsePrefix(p.cidr), why: `the ${p.role} pool ${p.name} (${p.cidr})` })),
        ...(this.opts.protectedAddresses?.() ?? []),
      ],
    };
  }

  protectedDomains(): string[] {
    return (this.opts.protectedDomains?.() ?? []).map((d) => d.toLowerCase().replace(/\.$/, ''));
  }

  // ---- categories ------------------------------------------------------------------------------

  categoryNames(): string[] {
    return this.store.db.prepare('SELECT name FROM block_categories ORDER BY name').pluck().all() as string[];
  }

  requireCategory(name: string): void {
    if (!this.store.db.prepare('SELECT 1 FROM block_categories WHERE name = ?').get(name)) throw notFound('block list category', name);
  }

  listCategories(actor: Actor): CategoryOut[] {
    requirePermission(actor, 'read');
    const db = this.store.db;
    const cats = db.prepare('SELECT * FROM block_categories ORDER BY name').all() as {
      name: string;
      description: string;
      created_at: string;
      created_by: string;
    }[];
    const counts = db.prepare('SELECT category, source, count(*) AS n FROM block_entries_live GROUP BY category, source').all() as {
      category: string;
      source: string;
      n: number;
    }[];
    const sources = db.prepare('SELECT * FROM block_sources').all() as Record<string, unknown>[];
    const excl = db.prepare('SELECT category, opd FROM block_policy_exclusions ORDER BY opd').all() as { category: string; opd: string }[];
    return cats.map((c) => {
      const names = new Set([
        ...counts.filter((x) => x.category === c.name).map((x) => x.source),
        ...sources.filter((s) => s.category === c.name).map((s) => s.name as string),
      ]);
      const srcs: SourceOut[] = [...names].sort().map((name) => {
        const s = sources.find((x) => x.category === c.name && x.name === name);
        const n = (k: string) => (s ? (s[k] as number) : null);
        return {
          name,
          entries: counts.find((x) => x.category === c.name && x.source === name)?.n ?? 0,
          format: s ? (s.format as string) : null,
          importedAt: s ? (s.imported_at as string) : null,
          importedBy: s ? (s.imported_by as string) : null,
          lines: n('lines'),
          accepted: n('accepted'),
          invalid: n('invalid'),
          duplicates: n('duplicates'),
          redundant: n('redundant'),
          refused: n('refused'),
        };
      });
      return {
        name: c.name,
        description: c.description,
        createdAt: c.created_at,
        createdBy: c.created_by,
        entries: srcs.reduce((a, s) => a + s.entries, 0),
        excludedOpds: excl.filter((e) => e.category === c.name).map((e) => e.opd),
        sources: srcs,
      };
    });
  }

  createCategory(actor: Actor, input: { name: string; description?: string }): CategoryOut {
    requirePermission(actor, 'operate');
    if (!new RegExp(CATEGORY_PATTERN).test(input.name))
      throw badRequest('CATEGORY_NAME', 'a category name is 2-32 lowercase letters, digits or dashes, starting with a letter', 'name');
    this.store.write(actor, (tx) => {
      if (tx.db.prepare('SELECT 1 FROM block_categories WHERE name = ?').get(input.name))
        throw conflict('CATEGORY_EXISTS', `category '${input.name}' already exists`);
      tx.db
        .prepare('INSERT INTO block_categories (name, description, created_at, created_by) VALUES (?, ?, ?, ?)')
        .run(input.name, input.description ?? '', tx.now, actor.id);
      tx.audit({ action: 'blocklist.category.create', objectType: 'block_category', objectId: input.name, after: { description: input.description ?? '' } });
    });
    return this.listCategories(actor).find((c) => c.name === input.name)!;
  }

  /** Entry counts per category (metrics), recomputed only after a change. */
  countsByCategory(): { category: string; n: number }[] {
    if (this.countsCache?.version !== this.version)
      this.countsCache = {
        version: this.version,
        rows: this.store.db
          .prepare('SELECT c.name AS category, (SELECT count(*) FROM block_entries_live e WHERE e.category = c.name) AS n FROM block_categories c')
          .all() as { category: string; n: number }[],
      };
    return this.countsCache.rows;
  }

  // ---- entries ---------------------------------------------------------------------------------

  listEntries(
    actor: Actor,
    category: string,
    f: { q?: string; limit?: number; after?: number; source?: string } = {},
  ): { entries: EntryOut[]; next: number | null } {
    requirePermission(actor, 'read');
    this.requireCategory(category);
    const limit = f.limit ?? 100;
    const where = ['category = ?', 'id > ?'];
    const args: unknown[] = [category, f.after ?? 0];
    if (f.q) where.push("value LIKE ? ESCAPE '\\'"), args.push(`%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (f.source) where.push('source = ?'), args.push(f.source);
    const rows = this.store.db
      .prepare(`SELECT * FROM block_entries_live WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`)
      .all(...args, limit + 1) as EntryDbRow[];
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map(entryOut);
    return { entries: page, next: more ? page[page.length - 1]!.id : null };
  }

  /** Judges a value for a block list: normalized, and refused when unsafe. */
  judgeEntry(value: string): BlockValue {
    const j = judgeValue(value);
    if (!j.ok) throw badRequest(j.code, j.reason, 'value');
    const unsafe = unsafeReason(j.entry, this.safety());
    if (unsafe) throw new AppError(422, unsafe.code, unsafe.reason, 'value');
    return j.entry;
  }

  addEntry(actor: Actor, category: string, input: { value: string; source?: string }): { entry: EntryOut; warnings: string[] } {
    requirePermission(actor, 'operate');
    this.requireCategory(category);
    const source = input.source ?? MANUAL_SOURCE;
    if (!new RegExp(SOURCE_PATTERN).test(source))
      throw badRequest('SOURCE_NAME', 'a source name is lowercase letters, digits, dots, dashes or underscores', 'source');
    const v = this.judgeEntry(input.value);
    const warnings: string[] = [];
    for (const m of matchesFor(this.policy, v)) {
      if (m.category === category && m.kind === v.kind && m.value === v.value) continue;
      if (m.kind === 'wildcard' || m.kind === 'prefix' || m.kind === v.kind)
        warnings.push(`already blocked by ${m.kind === 'wildcard' ? `*.${m.value}` : m.value} in ${m.category} (source ${m.source}); this entry is redundant`);
    }
    const id = this.store.write(actor, (tx) => {
      const r = tx.db
        .prepare(
          `INSERT OR IGNORE INTO block_entries (category, kind, value, source, generation, added_at, added_by)
           VALUES (@cat, @kind, @value, @src, coalesce((SELECT generation FROM block_sources WHERE category = @cat AND name = @src), 0), @now, @by)`,
        )
        .run({ cat: category, kind: v.kind, value: v.value, src: source, now: tx.now, by: actor.id });
      if (!r.changes) throw conflict('ENTRY_EXISTS', `${v.value} (${v.kind}) is already in ${category} from source ${source}`);
      const id = Number(r.lastInsertRowid);
      tx.audit({ action: 'blocklist.entry.add', objectType: 'block_entry', objectId: String(id), after: { category, kind: v.kind, value: v.value, source } });
      this.markChanged('all', true);
      return id;
    });
    return { entry: entryOut(this.store.db.prepare('SELECT * FROM block_entries_live WHERE id = ?').get(id) as EntryDbRow), warnings };
  }

  removeEntry(actor: Actor, category: string, id: number): void {
    requirePermission(actor, 'operate');
    this.store.write(actor, (tx) => {
      const r = tx.db.prepare('SELECT * FROM block_entries_live WHERE id = ? AND category = ?').get(id, category) as EntryDbRow | undefined;
      if (!r) throw notFound(`entry of ${category}`, String(id));
      tx.db.prepare('DELETE FROM block_entries WHERE id = ?').run(id);
      tx.audit({ action: 'blocklist.entry.remove', objectType: 'block_entry', objectId: String(id), before: entryOut(r) });
      this.markChanged('all', true);
    });
  }

  // ---- policy ----------------------------------------------------------------------------------

  /** Categories that apply to an OPD: all, minus the exclusions. */
  categoriesFor(opd: string): string[] {
    return this.store.db
      .prepare('SELECT name FROM block_categories WHERE name NOT IN (SELECT category FROM block_policy_exclusions WHERE opd = ?) ORDER BY name')
      .pluck()
      .all(opd) as string[];
  }

  /** The OPDs a category does not apply to (every other OPD has it). */
  setExclusions(actor: Actor, category: string, opds: string[]): CategoryOut {
    requirePermission(actor, 'operate');
    this.requireCategory(category);
    const want = [...new Set(opds)].sort();
    this.store.write(actor, (tx) => {
      for (const o of want) if (!hasOpd(tx.db, o)) throw badRequest('UNKNOWN_OPD', `OPD '${o}' is not in the inventory`, 'excludedOpds');
      const before = tx.db.prepare('SELECT opd FROM block_policy_exclusions WHERE category = ? ORDER BY opd').pluck().all(category) as string[];
      tx.db.prepare('DELETE FROM block_policy_exclusions WHERE category = ?').run(category);
      const ins = tx.db.prepare('INSERT INTO block_policy_exclusions (category, opd) VALUES (?, ?)');
      for (const o of want) ins.run(category, o);
      const changed = [...before.filter((o) => !want.includes(o)), ...want.filter((o) => !before.includes(o))];
      if (changed.length) {
        tx.audit({
          action: 'blocklist.policy.set',
          objectType: 'block_category',
          objectId: category,
          before: { excludedOpds: before },
          after: { excludedOpds: want },
        });
        this.markChanged(changed);
      }
    });
    return this.listCategories(actor).find((c) => c.name === category)!;
  }

  private requireOpd(actor: Actor, opd: string): void {
    if (!canSeeOpd(actor, opd) || !hasOpd(this.store.db, opd)) throw notFound('OPD', opd);
  }

  /** Is this name or address blocked for the OPD, and why: the entries, the categories, the exception that opens it. */
  explain(actor: Actor, opd: string, query: { domain?: string; address?: string }): PolicyAnswer {
    requirePermission(actor, 'read');
    this.requireOpd(actor, opd);
    if ((query.domain === undefined) === (query.address === undefined))
      throw badRequest('QUERY_REQUIRED', 'ask about one domain=NAME or one address=IP', 'domain');
    const j = query.domain !== undefined ? judgeDomain(query.domain, { wildcard: false }) : judgeIp(query.address!);
    if (!j.ok) throw badRequest(j.code, j.reason, query.domain !== undefined ? 'domain' : 'address');
    return this.answer(opd, j.entry, this.opts.clock.now());
  }

  answer(opd: string, v: BlockValue, at: Date): PolicyAnswer {
    return answerFor(this.policy, opd, v, at);
  }

  policyOf(actor: Actor, opd: string): { opd: string; categories: { name: string; applies: boolean }[]; activeExceptions: number } {
    requirePermission(actor, 'read');
    this.requireOpd(actor, opd);
    const applying = new Set(this.categoriesFor(opd));
    return {
      opd,
      categories: this.categoryNames().map((name) => ({ name, applies: applying.has(name) })),
      activeExceptions: this.exceptions.active(opd, this.opts.clock.now()).length,
    };
  }

  // ---- exceptions (src/blocking/exceptions.ts) -------------------------------------------------

  listExceptions(actor: Actor, opd: string, all = false): ExceptionOut[] {
    return this.exceptions.list(actor, opd, all);
  }

  /** Exceptions across offices, oldest first, page by page; an opd-admin sees its own office's only. */
  searchExceptions(actor: Actor, f: ExceptionFilter = {}): { exceptions: ExceptionOut[]; next: number | null } {
    return this.exceptions.search(actor, f);
  }

  /** Active exceptions per OPD (metrics). */
  activeCounts(): { opd: string; n: number }[] {
    return this.exceptions.activeCounts();
  }

  /** Called from an approval's transaction. */
  createException(tx: Tx, e: Parameters<BlockExceptions['create']>[1]): ExceptionOut {
    return this.exceptions.create(tx, e);
  }

  revokeException(actor: Actor, id: number, reason: string): ExceptionOut {
    return this.exceptions.revoke(actor, id, reason);
  }

  /** Marks exceptions past their end as expired, one audit entry each; returns how many. */
  sweep(): number {
    return this.exceptions.sweep();
  }

  // ---- effective -------------------------------------------------------------------------------

  /** What the OPD blocks at `at`: its categories' entries minus its active exceptions. */
  effective(opd: string, at: Date = this.opts.clock.now()): EffectiveBlocklist {
    const cats = this.categoriesFor(opd);
    const base = this.base(cats);
    const live: ExceptionRow[] = this.exceptions.active(opd, at).map((e) => ({ kind: e.kind, value: e.value }));
    return { opd, ...applyExceptions(base, live) };
  }

  /** Visible-to-actor variant for the API. */
  effectiveFor(actor: Actor, opd: string | undefined): EffectiveBlocklist {
    requirePermission(actor, 'read');
    if (opd === undefined) {
      if (!seesAllOpds(actor)) return this.effective(actor.opd!);
      const b = this.base(this.categoryNames());
      return { opd: '*', ...applyExceptions(b, []) };
    }
    this.requireOpd(actor, opd);
    return this.effective(opd);
  }

  private base(cats: string[]): BaseList {
    if (this.cacheVersion !== this.version) {
      this.baseCache.clear();
      this.cacheVersion = this.version;
    }
    const guarded = this.protectedDomains();
    // The regency's domain can change on an inventory reload: it is part of the key.
    const key = `${cats.join(',')}|${guarded.join(',')}`;
    let b = this.baseCache.get(key);
    if (!b) {
      const q = this.store.db.prepare('SELECT kind, value, category FROM block_entries_live WHERE category = ?');
      const rows: EntryRow[] = [];
      for (const c of cats) for (const r of q.iterate(c) as Iterable<EntryRow>) rows.push(r);
      b = composeBase(rows, guarded);
      // A handful of category sets in practice; bound it anyway.
      if (this.baseCache.size >= 16) this.baseCache.clear();
      this.baseCache.set(key, b);
    }
    return b;
  }
}
