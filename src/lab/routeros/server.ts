// A simulated MikroTik router speaking the RouterOS API over TCP (or TLS, as API-SSL) on loopback.
import net from 'node:net';
import tls from 'node:tls';
import { encodeSentence, SentenceDecoder, WireError } from '../../routeros/wire.js';
import { GARBAGE, HUGE_REPLY_BYTES, type Faults } from './faults.js';
import { RouterState, type Rec, type Reply, type StateInit } from './state.js';
import { SimAdlist } from './adlist.js';
import { resolveName, SimDns } from './dns.js';

export interface RouterSimOptions {
  /** Loopback only: the lab never listens on or contacts another address. */
  host?: '127.0.0.1' | '::1';
  /** 0 (the default) picks a free port. */
  port?: number;
  user?: string;
  password?: string;
  /** PEM key and certificate: serve API-SSL instead of plain API. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Answer empty results with `!empty` as RouterOS 7.18+ does. */
  emptyReplies?: boolean;
  state?: RouterState | StateInit;
  faults?: Faults;
  /** Certificates (PEM) the router trusts when an adlist has ssl-verify=yes. */
  trustedCa?: string;
  /** Keep adlist names to answer DNS (default); false only counts them. */
  keepAdlistNames?: boolean;
}

export interface SimStats {
  connections: number;
  logins: number;
  sentences: number;
  /** add + set + remove + move + unset commands received, successful or not */
  writes: number;
}

interface Conn {
  socket: net.Socket;
  decoder: SentenceDecoder;
  loggedIn: boolean;
  received: number;
  queue: string[][];
  busy: boolean;
  stalled: boolean;
  canceled: Set<string>;
  out: Buffer[];
  flushScheduled: boolean;
}

function parse(words: string[]): { command: string; tag?: string; attrs: Rec; queries: string[] } {
  const attrs: Rec = {};
  const queries: string[] = [];
  let tag: string | undefined;
  for (const w of words.slice(1)) {
    if (w.startsWith('=')) {
      const eq = w.indexOf('=', 1);
      if (eq < 0) attrs[w.slice(1)] = '';
      else attrs[w.slice(1, eq)] = w.slice(eq + 1);
    } else if (w.startsWith('.tag=')) tag = w.slice(5);
    else if (w.startsWith('?')) queries.push(w);
  }
  return { command: words[0] ?? '', tag, attrs, queries };
}

function sentence(reply: Reply, tag: string | undefined): Buffer {
  const words: string[] = [reply.type];
  if (tag !== undefined) words.push(`.tag=${tag}`);
  for (const [k, v] of Object.entries(reply.attrs)) words.push(`=${k}=${v}`);
  return encodeSentence(words);
}

export class RouterSim {
  readonly state: RouterState;
  /** `/ip/dns/adlist`: the lists the router fetched. */
  readonly adlist: SimAdlist;
  /** The router's DNS service (UDP on 127.0.0.1, port `dns.port` once started). */
  readonly dns: SimDns;
  faults: Faults;
  emptyReplies: boolean;
  readonly stats: SimStats = { connections: 0, logins: 0, sentences: 0, writes: 0 };
  private server: net.Server | undefined;
  private readonly conns = new Set<Conn>();
  private boundPort: number;
  private strays = 0;

  constructor(private readonly opts: RouterSimOptions = {}) {
    const host = opts.host ?? '127.0.0.1';
    if (host !== '127.0.0.1' && host !== '::1') throw new Error('the router simulator listens on loopback only');
    this.state = opts.state instanceof RouterState ? opts.state : new RouterState(opts.state);
    this.adlist = new SimAdlist(this.state, { ...(opts.trustedCa ? { trustedCa: opts.trustedCa } : {}), keepNames: opts.keepAdlistNames ?? true });
    this.dns = new SimDns((name, qtype) => resolveName(this.state, this.adlist, name, qtype));
    this.faults = opts.faults ?? {};
    this.emptyReplies = opts.emptyReplies ?? false;
    this.boundPort = opts.port ?? 0;
  }

  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Listens (again, on the same port after a stop) so a router can go down and come back. */
  async start(): Promise<void> {
    if (this.server) return;
    const onConn = (s: net.Socket) => this.accept(s);
    const server = this.opts.tls ? tls.createServer({ key: this.opts.tls.key, cert: this.opts.tls.cert }, onConn) : net.createServer(onConn);
    // failed TLS handshakes are the client's error to report, not ours
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as net.AddressInfo).port;
    this.server = server;
    await this.dns.start();
  }

  /** Stops listening and cuts every open connection, as a router that goes down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
    await this.dns.stop();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cuts open connections but keeps listening. */
  dropConnections(): void {
    for (const c of this.conns) c.socket.destroy();
    this.conns.clear();
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  private accept(socket: net.Socket): void {
    this.stats.connections++;
    const conn: Conn = {
      socket,
      decoder: new SentenceDecoder(),
      loggedIn: false,
      received: 0,
      queue: [],
      busy: false,
      stalled: false,
      canceled: new Set(),
      out: [],
      flushScheduled: false,
    };
    this.conns.add(conn);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.conns.delete(conn));
    socket.on('data', (chunk: Buffer) => {
      let sentences: string[][];
      try {
        sentences = conn.decoder.push(chunk);
      } catch (e) {
        if (e instanceof WireError) return void socket.destroy();
        throw e;
      }
      for (const words of sentences) this.receive(conn, words);
    });
  }

  private receive(conn: Conn, words: string[]): void {
    if (conn.socket.destroyed || conn.stalled) return;
    this.stats.sentences++;
    conn.received++;
    const drop = this.faults.dropAfterSentences;
    if (drop !== undefined && conn.received > drop) return void conn.socket.destroy();
    if (words[0] === '/cancel') return this.cancel(conn, words);
    conn.queue.push(words);
    this.pump(conn);
  }

  private pump(conn: Conn): void {
    while (!conn.busy && conn.queue.length > 0) {
      const words = conn.queue.shift() as string[];
      let delay = this.faults.latencyMs ?? 0;
      if (words[0] === '/login') delay += this.faults.loginDelayMs ?? 0;
      if (delay <= 0) {
        this.handle(conn, words);
        continue;
      }
      conn.busy = true;
      setTimeout(() => {
        conn.busy = false;
        if (conn.socket.destroyed) return;
        this.handle(conn, words);
        this.pump(conn);
      }, delay);
    }
  }

  private send(conn: Conn, buf: Buffer): void {
    // batch a burst of replies into one socket write
    conn.out.push(buf);
    if (conn.flushScheduled) return;
    conn.flushScheduled = true;
    setImmediate(() => {
      conn.flushScheduled = false;
      const data = Buffer.concat(conn.out);
      conn.out = [];
      if (!conn.socket.destroyed && !conn.stalled) conn.socket.write(data);
    });
  }

  private cancel(conn: Conn, words: string[]): void {
    const { tag, attrs } = parse(words);
    const target = attrs.tag;
    const interrupted = (t: string | undefined) => {
      this.send(conn, sentence({ type: '!trap', attrs: { category: '2', message: 'interrupted' } }, t));
      this.send(conn, sentence({ type: '!done', attrs: {} }, t));
    };
    conn.queue = conn.queue.filter((w) => {
      const t = parse(w).tag;
      if (target !== undefined && t !== target) return true;
      interrupted(t);
      return false;
    });
    if (target !== undefined) conn.canceled.add(target);
    this.send(conn, sentence({ type: '!done', attrs: {} }, tag));
  }

  private handle(conn: Conn, words: string[]): void {
    const { command, tag, attrs, queries } = parse(words);
    if (tag !== undefined && conn.canceled.delete(tag)) return;
    const reply = (r: Reply) => this.send(conn, sentence(r, tag));
    if (command === '/login') return this.login(conn, attrs, reply);
    if (!conn.loggedIn) {
      reply({ type: '!trap', attrs: { message: 'not logged in' } });
      return reply({ type: '!done', attrs: {} });
    }
    const f = this.faults;
    if (f.garbage) return this.send(conn, GARBAGE);
    if (f.strayTag) this.send(conn, sentence({ type: '!re', attrs: { message: 'unsolicited' } }, `stray${++this.strays}`));
    const verb = command.slice(command.lastIndexOf('/') + 1);
    const path = command.slice(0, command.lastIndexOf('/'));
    const refused = f.reject?.(path, verb, attrs);
    const result = refused
      ? {
          replies: [
            { type: '!trap' as const, attrs: { message: refused.message, ...(refused.category !== undefined ? { category: String(refused.category) } : {}) } },
            { type: '!done' as const, attrs: {} },
          ],
          write: true,
        }
      : this.state.execute(command, attrs, queries, this.emptyReplies);
    if (result.write) this.stats.writes++;
    if (f.hugeReply && (verb === 'print' || verb === 'getall')) {
      reply({ type: '!re', attrs: { '.id': '*FFFF', comment: 'x'.repeat(HUGE_REPLY_BYTES) } });
    }
    if (f.stallMidReply) {
      const all = Buffer.concat(result.replies.map((r) => sentence(r, tag)));
      this.send(conn, all.subarray(0, Math.max(1, all.length >> 1)));
      setImmediate(() => (conn.stalled = true));
      return;
    }
    for (const r of result.replies) reply(r);
  }

  private login(conn: Conn, attrs: Rec, reply: (r: Reply) => void): void {
    if (this.faults.refuseLogin) {
      this.send(conn, encodeSentence(['!fatal', 'not allowed']));
      setImmediate(() => conn.socket.end());
      return;
    }
    if (attrs.name === (this.opts.user ?? 'admin') && attrs.password === (this.opts.password ?? '')) {
      conn.loggedIn = true;
      this.stats.logins++;
      return reply({ type: '!done', attrs: {} });
    }
    reply({ type: '!trap', attrs: { message: 'invalid user name or password (6)' } });
    reply({ type: '!done', attrs: {} });
  }
}

export async function startRouterSim(opts: RouterSimOptions = {}): Promise<RouterSim> {
  const sim = new RouterSim(opts);
  await sim.start();
  return sim;
}
