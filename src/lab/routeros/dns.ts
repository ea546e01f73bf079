// The simulated router's DNS service on 127.0.0.1 (UDP): answers from its static entries first,
// then its adlists (0.0.0.0 or ::, as RouterOS does for a listed name), and REFUSED for anything
// else (the lab has no upstream resolver). Enough of RFC 1035 for one question per query.
import dgram from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import type { RouterState } from './state.js';
import type { SimAdlist } from './adlist.js';

const A = 1;
const AAAA = 28;
const NOERROR = 0;
const NXDOMAIN = 3;
const REFUSED = 5;
const TTL = 300;

type Answer = { rcode: number; address?: string };

/** What the router answers for one name and type. Pure over the router's state. */
export function resolveName(state: RouterState, adlist: SimAdlist | undefined, name: string, qtype: number): Answer {
  const n = name.toLowerCase().replace(/\.$/, '');
  const matching = state.list('/ip/dns/static').filter((r) => {
    if (r.disabled === 'true') return false;
    if (r.regexp) return new RegExp(r.regexp).test(n);
    const e = (r.name ?? '').toLowerCase();
    return e === n || (r['match-subdomain'] === 'true' && n.endsWith(`.${e}`));
  });
  if (matching.some((r) => r.type === 'NXDOMAIN')) return { rcode: NXDOMAIN };
  if (matching.length) {
    const want = qtype === AAAA ? 'AAAA' : 'A';
    const hit = matching.find((r) => (r.type ?? 'A') === want && r.address);
    return hit ? { rcode: NOERROR, address: hit.address } : { rcode: NOERROR };
  }
  if (adlist?.lookup(n)) return qtype === A ? { rcode: NOERROR, address: '0.0.0.0' } : qtype === AAAA ? { rcode: NOERROR, address: '::' } : { rcode: NOERROR };
  return { rcode: REFUSED };
}

function readName(buf: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = at;
  for (;;) {
    const len = buf[i];
    if (len === undefined || len > 63) throw new Error('bad name');
    i++;
    if (len === 0) break;
    labels.push(buf.toString('latin1', i, i + len));
    i += len;
  }
  return { name: labels.join('.'), end: i };
}

function addressBytes(a: string): Buffer {
  if (isIPv4(a)) return Buffer.from(a.split('.').map(Number));
  const [head = '', tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, k) => out.writeUInt16BE(parseInt(g || '0', 16), k * 2));
  return out;
}

/** The answer to one query, or null for a packet that is not one. */
export function answer(query: Buffer, resolve: (name: string, qtype: number) => Answer): Buffer | null {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return null;
  let q: { name: string; end: number };
  try {
    q = readName(query, 12);
  } catch {
    return null;
  }
  if (q.end + 4 > query.length) return null;
  const qtype = query.readUInt16BE(q.end);
  const question = query.subarray(12, q.end + 4);
  const a = resolve(q.name, qtype);
  const rdata = a.address && ((qtype === A && isIPv4(a.address)) || (qtype === AAAA && isIPv6(a.address))) ? addressBytes(a.address) : null;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, opcode 0, AA, RD copied, RA
  header.writeUInt16BE(0x8000 | 0x0400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | a.rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdata ? 1 : 0, 6);
  if (!rdata) return Buffer.concat([header, question]);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(qtype, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(TTL, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, question, rr, rdata]);
}

export class SimDns {
  private socket: dgram.Socket | undefined;
  port = 0;

  constructor(private readonly resolve: (name: string, qtype: number) => Answer) {}

  async start(): Promise<void> {
    if (this.socket) return;
    const s = dgram.createSocket('udp4');
    s.on('message', (msg, rinfo) => {
      const out = answer(msg, this.resolve);
      if (out) s.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(this.port, '127.0.0.1', () => resolve());
    });
    this.port = s.address().port;
    this.socket = s;
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
