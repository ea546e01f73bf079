// The simulated router's `/ip/dns/adlist` (RouterOS 7.15+): on add, reload and a new url it fetches each
// list's URL (HTTPS verified against the certificates it trusts when ssl-verify=yes), keeps the
// names and the counters RouterOS shows (name-count, match-count), and answers lookups. A failed
// fetch keeps what the list held before, as the router does. Loopback URLs only.
import { get as httpsGet } from 'node:https';
import { get as httpGet } from 'node:http';
import { isIP } from 'node:net';
import type { RouterState } from './state.js';

export const ADLIST = '/ip/dns/adlist';

export interface SimAdlistOptions {
  /** PEM certificates the router trusts (RouterOS: /certificate import ... trusted=yes). */
  trustedCa?: string;
  /** Keep the names to answer queries; false only counts them (benchmarks with many routers). */
  keepNames?: boolean;
}

export class SimAdlist {
  private readonly names = new Map<string, Set<string>>();
  private readonly generation = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  /** Fetches made, successful or not (tests and benchmarks read it). */
  fetches = 0;
  lastError: string | undefined;

  constructor(
    private readonly state: RouterState,
    /** Tests change `trustedCa` to make a router distrust Simpul. */
    readonly opts: SimAdlistOptions = {},
  ) {
    state.onCommand((path, verb, id, attrs) => {
      if (path !== ADLIST) return;
      if (verb === 'remove') return this.forgetRemoved();
      // a new comment is not a new list: only a reload fetches again
      if (verb === 'set' && !['url', 'file', 'ssl-verify', 'disabled'].some((f) => f in attrs)) return;
      const ids = verb === 'reload' || !id ? this.ids() : id.split(',');
      for (const i of ids) this.load(i);
    });
  }

  private ids(): string[] {
    return this.state.list(ADLIST).map((r) => r['.id'] ?? '');
  }

  private forgetRemoved(): void {
    const live = new Set(this.ids());
    for (const id of this.names.keys()) if (!live.has(id)) this.names.delete(id);
  }

  /** Resolves once every fetch started so far has ended. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  private load(id: string): void {
    const rec = this.state.list(ADLIST).find((r) => r['.id'] === id);
    if (!rec?.url || rec.disabled === 'true') return;
    const gen = (this.generation.get(id) ?? 0) + 1;
    this.generation.set(id, gen);
    this.fetches++;
    const p = this.fetch(rec.url, rec['ssl-verify'] !== 'false').then(
      (names) => {
        if (this.generation.get(id) !== gen || !this.state.list(ADLIST).some((r) => r['.id'] === id)) return;
        if (this.opts.keepNames !== false) this.names.set(id, names.set);
        this.state.runtime.set(id, { 'name-count': String(names.count), 'match-count': this.state.runtime.get(id)?.['match-count'] ?? '0' });
        this.lastError = undefined;
      },
      (e: Error) => void (this.lastError = e.message),
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private fetch(url: string, verify: boolean): Promise<{ set: Set<string>; count: number }> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (!(host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1'))
        return reject(new Error(`the lab router fetches from loopback only, not ${host}`));
      const set = new Set<string>();
      let count = 0;
      let rest = '';
      const line = (l: string) => {
        const words = l.replace(/#.*/, '').trim().toLowerCase().split(/\s+/);
        const names = words.length > 1 && isIP(words[0] ?? '') ? words.slice(1) : words.length === 1 && words[0] ? words : [];
        for (const n of names) {
          if (this.opts.keepNames !== false) set.add(n);
          count++;
        }
      };
      const onRes = (res: import('node:http').IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`HTTP ${res.statusCode}`));
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          for (const l of lines) line(l);
        });
        res.on('end', () => {
          line(rest);
          resolve({ set, count });
        });
        res.on('error', reject);
      };
      const req = u.protocol === 'https:' ? httpsGet(u, { ca: this.opts.trustedCa, rejectUnauthorized: verify }, onRes) : httpGet(u, onRes);
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  }

  /** True when a list holds the name (exactly, as hosts entries match); counts the match. */
  lookup(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    for (const [id, set] of this.names) {
      if (!set.has(n)) continue;
      const r = this.state.runtime.get(id);
      if (r) r['match-count'] = String(Number(r['match-count'] ?? '0') + 1);
      return true;
    }
    return false;
  }
}
