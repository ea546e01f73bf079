// The configuration one simulated router holds, and the API commands that read and change it.
// Pure: no sockets here, so tests and the `/export` renderer read the same object the server uses.
import { compileQuery } from './query.js';
import { findMenu, MENUS, type MenuDef, type Trap } from './menus.js';

export type Rec = Record<string, string>;

export interface Reply {
  type: '!re' | '!done' | '!trap' | '!empty';
  attrs: Rec;
}

export interface CommandResult {
  replies: Reply[];
  /** The command was a write (add/set/remove/move/unset), whether or not it succeeded. */
  write: boolean;
}

class TrapError extends Error {
  constructor(readonly trap: Trap) {
    super(trap.message);
  }
}

const fail = (message: string, category?: number): never => {
  throw new TrapError(category === undefined ? { message } : { message, category });
};

class Table {
  rows = new Map<string, Rec>();
  /** unique key -> id, for menus that refuse duplicates */
  index = new Map<string, string>();
  constructor(readonly def: MenuDef) {}

  uniqueKey(rec: Rec): string | undefined {
    return this.def.unique?.map((f) => rec[f] ?? '').join('\u0000');
  }
}

export interface StateInit {
  identity?: string;
  interfaces?: string[];
  version?: string;
  /** `/system/resource` board-name (the inventory model in lab mode). */
  board?: string;
}

/** A successful write or command on a menu, for the parts of the router that act on it (adlist fetches). */
export type StateListener = (path: string, verb: string, id: string | undefined, attrs: Rec) => void;

export class RouterState {
  private readonly tables = new Map<string, Table>();
  private nextId = 1;
  readonly resource: Rec;
  /** Read-only counters the router keeps per record (adlist name-count, match-count), by id. */
  readonly runtime = new Map<string, Rec>();
  private readonly listeners: StateListener[] = [];

  constructor(init: StateInit = {}) {
    for (const def of MENUS) this.tables.set(def.path, new Table(def));
    this.resource = {
      uptime: '1w2d3h4m5s',
      version: `${init.version ?? '7.18.2'} (stable)`,
      'cpu-load': '3',
      'free-memory': '812003328',
      'total-memory': '1073741824',
      'architecture-name': 'arm64',
      'board-name': init.board ?? 'CCR2004-1G-12S+2XS',
      platform: 'MikroTik',
    };
    this.table('/system/identity').rows.set('*0', { '.id': '*0', name: init.identity ?? 'MikroTik' });
    for (const name of init.interfaces ?? ['ether1', 'ether2', 'ether3', 'ether4', 'sfp-sfpplus1', 'bridge-lan']) {
      this.insert('/interface', { name, type: name.startsWith('bridge') ? 'bridge' : 'ether' });
    }
  }

  onCommand(fn: StateListener): void {
    this.listeners.push(fn);
  }

  private table(path: string): Table {
    const t = this.tables.get(path);
    if (!t) throw new Error(`no menu ${path}`);
    return t;
  }

  private newId(): string {
    return `*${(this.nextId++).toString(16).toUpperCase()}`;
  }

  /** Records of a menu in order, as print shows them (computed fields included). */
  list(path: string): Rec[] {
    const t = this.table(path);
    if (path === '/system/resource') return [{ ...this.resource }];
    return [...t.rows.values()].map((r) => ({ ...r, ...t.def.computed?.(r), ...this.runtime.get(r['.id'] ?? '') }));
  }

  get identity(): string {
    return this.table('/system/identity').rows.get('*0')?.name ?? '';
  }

  /** Direct insert, bypassing the API (tests seed unmanaged entries with it). Returns the id. */
  insert(path: string, fields: Rec, placeBefore?: string): string {
    const t = this.table(path);
    const rec = this.validated(t, fields, true);
    const key = t.uniqueKey(rec);
    if (key !== undefined && t.index.has(key)) fail('failure: already have such entry');
    if (placeBefore !== undefined && !t.rows.has(placeBefore)) fail('no such item', 1);
    const id = this.newId();
    rec['.id'] = id;
    if (placeBefore === undefined) t.rows.set(id, rec);
    else
      this.reorder(
        t,
        [...t.rows.values()].flatMap((r) => (r['.id'] === placeBefore ? [rec, r] : [r])),
      );
    if (key !== undefined) t.index.set(key, id);
    return id;
  }

  /** Direct update, bypassing the API (tests simulate hand-made drift with it). */
  update(path: string, id: string, fields: Rec): void {
    const t = this.table(path);
    const rec = t.rows.get(id) ?? fail('no such item', 1);
    const next = { ...rec, ...this.validated(t, fields, false) };
    for (const [k, v] of Object.entries(fields)) if (v === '') delete next[k];
    const oldKey = t.uniqueKey(rec);
    const newKey = t.uniqueKey(next);
    if (newKey !== undefined && newKey !== oldKey && t.index.has(newKey)) fail('failure: already have such entry');
    if (oldKey !== undefined) t.index.delete(oldKey);
    if (newKey !== undefined) t.index.set(newKey, id);
    t.rows.set(id, next);
  }

  /** Direct removal of several ids at once; all or nothing. */
  remove(path: string, ids: string[]): void {
    const t = this.table(path);
    for (const id of ids) if (!t.rows.has(id)) fail('no such item', 1);
    for (const id of ids) {
      const key = t.uniqueKey(t.rows.get(id) ?? {});
      if (key !== undefined) t.index.delete(key);
      t.rows.delete(id);
      this.runtime.delete(id);
    }
  }

  private reorder(t: Table, recs: Rec[]): void {
    t.rows = new Map(recs.map((r) => [r['.id'] ?? '', r]));
  }

  private validated(t: Table, fields: Rec, adding: boolean): Rec {
    const rec: Rec = {};
    if (adding) for (const [k, v] of Object.entries(t.def.fields)) if (v !== '') rec[k] = v;
    for (const [k, v] of Object.entries(fields)) {
      if (!(k in t.def.fields)) fail(`unknown parameter ${k}`);
      if (v === '') continue;
      const n = t.def.normalize ? t.def.normalize(k, v) : v;
      if (typeof n !== 'string') throw new TrapError(n);
      rec[k] = n;
    }
    if (adding) for (const k of t.def.required) if (!rec[k]) fail(`missing value for argument ${k}`, 1);
    return rec;
  }

  private ids(t: Table, attrs: Rec): string[] {
    const raw = attrs['.id'] ?? attrs.numbers ?? attrs.number;
    if (raw === undefined) {
      if (t.def.singleton) return ['*0'];
      fail('missing value for argument numbers', 1);
    }
    return (raw ?? '').split(',').map((ref) => {
      if (t.rows.has(ref)) return ref;
      // interfaces are commonly addressed by name
      for (const r of t.rows.values()) if (r.name === ref && r['.id']) return r['.id'];
      return fail('no such item', 1);
    });
  }

  /** Runs one API command. `attrs` are the `=name=value` words, `queries` the `?` words. */
  execute(command: string, attrs: Rec, queries: string[], emptyReplies = false): CommandResult {
    const slash = command.lastIndexOf('/');
    const path = command.slice(0, slash);
    const verb = command.slice(slash + 1);
    const def = findMenu(path);
    const write = ['add', 'set', 'remove', 'move', 'unset'].includes(verb);
    try {
      if (!def) fail('no such command prefix', 0);
      const replies = this.run(def as MenuDef, verb, attrs, queries);
      if (verb !== 'print' && verb !== 'getall' && verb !== 'get')
        for (const l of this.listeners) l(path, verb, replies[0]?.attrs.ret ?? attrs['.id'] ?? attrs.numbers, attrs);
      // RouterOS 7.18+ answers an empty result with `!empty` before `!done`
      if (emptyReplies && (verb === 'print' || verb === 'getall') && replies.length === 1 && attrs['count-only'] === undefined) {
        replies.unshift({ type: '!empty', attrs: {} });
      }
      return { replies, write };
    } catch (e) {
      if (e instanceof TrapError) {
        const a: Rec = { message: e.trap.message };
        if (e.trap.category !== undefined) a.category = String(e.trap.category);
        return {
          replies: [
            { type: '!trap', attrs: a },
            { type: '!done', attrs: {} },
          ],
          write,
        };
      }
      throw e;
    }
  }

  private run(def: MenuDef, verb: string, attrs: Rec, queries: string[]): Reply[] {
    const t = this.table(def.path);
    const done = (a: Rec = {}): Reply[] => [{ type: '!done', attrs: a }];
    switch (verb) {
      case 'print':
      case 'getall':
        return this.print(def, attrs, queries);
      case 'get': {
        const [id] = this.ids(t, attrs);
        const rec = this.list(def.path).find((r) => r['.id'] === id) ?? fail('no such item', 1);
        const name = attrs['value-name'] ?? fail('missing value for argument value-name', 1);
        return done({ ret: rec[name] ?? '' });
      }
      case 'add': {
        if (!def.writable) break;
        const { 'place-before': before, ...fields } = attrs;
        if (before !== undefined && !def.ordered) fail('unknown parameter place-before');
        return done({ ret: this.insert(def.path, fields, before) });
      }
      case 'set': {
        if (def.path === '/system/resource') break;
        const { '.id': _i, numbers: _n, ...fields } = attrs;
        for (const id of this.ids(t, attrs)) this.update(def.path, id, fields);
        return done();
      }
      case 'unset': {
        if (!def.writable) break;
        const name = attrs['value-name'] ?? fail('missing value for argument value-name', 1);
        if (!(name in def.fields) || def.required.includes(name)) fail(`unknown parameter ${name}`);
        for (const id of this.ids(t, attrs)) {
          const rec = t.rows.get(id);
          if (!rec) continue;
          const dflt = def.fields[name];
          if (dflt) rec[name] = dflt;
          else delete rec[name];
        }
        return done();
      }
      case 'remove': {
        if (!def.writable) break;
        this.remove(def.path, this.ids(t, attrs));
        return done();
      }
      case 'reload':
        // `/ip/dns/adlist/reload`: every list is fetched again (the listener does the fetching)
        if (def.path !== '/ip/dns/adlist') break;
        return done();
      case 'move': {
        if (!def.ordered) break;
        const moving = this.ids(t, attrs);
        const dest = attrs.destination;
        if (dest !== undefined && !t.rows.has(dest)) fail('no such item', 1);
        const moved = moving.map((id) => t.rows.get(id) as Rec);
        const rest = [...t.rows.values()].filter((r) => !moving.includes(r['.id'] ?? ''));
        const at = dest === undefined || moving.includes(dest) ? rest.length : rest.findIndex((r) => r['.id'] === dest);
        rest.splice(at, 0, ...moved);
        this.reorder(t, rest);
        return done();
      }
    }
    return fail('no such command', 0);
  }

  private print(def: MenuDef, attrs: Rec, queries: string[]): Reply[] {
    const match = compileQuery(queries);
    const props = attrs['.proplist']?.split(',');
    const rows = this.list(def.path).filter(match);
    if (attrs['count-only'] !== undefined) return [{ type: '!done', attrs: { ret: String(rows.length) } }];
    const replies: Reply[] = rows.map((r) => {
      if (!props) return { type: '!re', attrs: r };
      const out: Rec = {};
      for (const p of props) if (r[p] !== undefined) out[p] = r[p];
      return { type: '!re', attrs: out };
    });
    replies.push({ type: '!done', attrs: {} });
    return replies;
  }
}
