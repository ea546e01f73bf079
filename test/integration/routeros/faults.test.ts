// Misbehaving routers and networks: each fault is one clear RouterError for that router, the
// process keeps running, and the connection recovers once the fault is gone.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RouterSim, startRouterSim } from '../../../src/lab/routeros/server.js';
import { RouterConnection, type RouterEndpoint } from '../../../src/routeros/connection.js';
import { syncRouter } from '../../../src/routeros/sync.js';

const key = readFileSync(new URL('./fixtures/lab-api-ssl.key', import.meta.url));
const cert = readFileSync(new URL('./fixtures/lab-api-ssl.crt', import.meta.url));

let sim: RouterSim;
const conns: RouterConnection[] = [];

function connect(endpoint: Partial<RouterEndpoint> = {}, opts: ConstructorParameters<typeof RouterConnection>[1] = {}): RouterConnection {
  const c = new RouterConnection(
    { id: 'r1', host: '127.0.0.1', port: sim.port, user: 'admin', password: 'pw', ...endpoint },
    { autoReconnect: false, requestTimeoutMs: 1000, connectTimeoutMs: 1000, ...opts },
  );
  conns.push(c);
  return c;
}

const print = ['/ip/firewall/address-list/print'];

beforeEach(async () => {
  sim = await startRouterSim({ password: 'pw' });
  sim.state.insert('/ip/firewall/address-list', { list: 'a', address: '192.0.2.1' });
});

afterEach(async () => {
  for (const c of conns.splice(0)) await c.close();
  await sim.stop();
});

describe('bad replies', () => {
  it('garbage bytes are a protocol error, then the router is usable again', async () => {
    const c = connect();
    await c.connect();
    sim.faults.garbage = true;
    await expect(c.request(print)).rejects.toMatchObject({ kind: 'protocol', message: expect.stringContaining('reserved control byte 0xf8') });
    expect(c.state).toBe('down');
    sim.faults.garbage = false;
    expect(await c.request(print)).toHaveLength(1);
  });

  it('a 10 MB sentence is refused without buffering it', async () => {
    const c = connect();
    sim.faults.hugeReply = true;
    await expect(c.request(print)).rejects.toMatchObject({ kind: 'protocol', message: expect.stringMatching(/word of 10485\d+ bytes exceeds/) });
    sim.faults.hugeReply = false;
    expect(await c.request(print)).toHaveLength(1);
  });

  it('a reply that stalls half way times out and tears the connection down', async () => {
    const c = connect({}, { requestTimeoutMs: 300 });
    await c.connect();
    sim.faults.stallMidReply = true;
    const other = c.request(['/system/identity/print']);
    await expect(c.request(print)).rejects.toMatchObject({ kind: 'timeout' });
    await expect(other).rejects.toMatchObject({ kind: 'timeout' });
    sim.faults.stallMidReply = false;
    expect(await c.request(print)).toHaveLength(1);
    expect(sim.stats.connections).toBe(2);
  });

  it('an unsolicited reply on an unknown tag is ignored', async () => {
    const c = connect();
    sim.faults.strayTag = true;
    expect(await c.request(print)).toHaveLength(1);
  });

  it('slow answers within the timeout still sync', async () => {
    sim.faults.latencyMs = 5;
    const c = connect();
    const r = await syncRouter(c, { menus: { '/ip/firewall/address-list': [{ list: 'b', address: '10.1.0.0/16', comment: 'simpul:t' }] } });
    expect(r.result).toBe('ok');
  });
});

describe('login', () => {
  it('wrong credentials are an auth error', async () => {
    const c = connect({ password: 'wrong' });
    await expect(c.connect()).rejects.toMatchObject({ kind: 'auth', message: expect.stringContaining('invalid user name or password') });
    expect(sim.stats.logins).toBe(0);
  });

  it('a refused login (!fatal) is a fatal error with the router reason', async () => {
    sim.faults.refuseLogin = true;
    await expect(connect().connect()).rejects.toMatchObject({ kind: 'fatal', message: 'r1: router ended the session: not allowed' });
  });

  it('a login slower than the connect timeout is a timeout', async () => {
    sim.faults.loginDelayMs = 2000;
    await expect(connect({}, { connectTimeoutMs: 200 }).connect()).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('a dropped connection fails what was in flight and the next sync converges', async () => {
    const c = connect();
    sim.faults.dropAfterSentences = 3;
    const entries = Array.from({ length: 20 }, (_, i) => ({ list: 'b', address: `10.2.0.${i}`, comment: 'simpul:t' }));
    const first = await syncRouter(c, { menus: { '/ip/firewall/address-list': entries } });
    expect(first.result).toBe('unreachable');
    expect(first.errors.at(-1)).toMatchObject({ kind: 'unreachable' });
    sim.faults.dropAfterSentences = undefined;
    expect((await syncRouter(c, { menus: { '/ip/firewall/address-list': entries } })).result).toBe('ok');
    expect(sim.state.list('/ip/firewall/address-list')).toHaveLength(21);
  });
});

describe('API-SSL', () => {
  beforeEach(async () => {
    await sim.stop();
    sim = await startRouterSim({ password: 'pw', tls: { key, cert } });
  });

  it('connects over TLS when the router certificate is trusted', async () => {
    const c = connect({ tls: { ca: cert } });
    expect(await c.request(['/system/identity/print'])).toEqual([{ '.id': '*0', name: 'MikroTik' }]);
  });

  it('an untrusted certificate is a tls error', async () => {
    await expect(connect({ tls: true }).connect()).rejects.toMatchObject({ kind: 'tls' });
  });

  // What a non-TLS peer does with a ClientHello decides which error the client sees first (reset,
  // bytes that are not TLS, silence until the timeout): each one must be the same 'tls' error.
  for (const [what, peer] of [
    ['closes at once', (s: net.Socket) => s.destroy()],
    ['answers bytes that are not TLS', (s: net.Socket) => s.write('!trap\n=message=not logged in\n\n')],
    ['stays silent', () => {}],
  ] as const) {
    it(`TLS to a port that ${what} is a tls error`, async () => {
      const sockets: net.Socket[] = [];
      const server = net.createServer((sock) => {
        sockets.push(sock.on('error', () => {}));
        peer(sock);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as net.AddressInfo).port;
        await expect(connect({ tls: { ca: cert }, port }, { connectTimeoutMs: 300 }).connect()).rejects.toMatchObject({ kind: 'tls' });
      } finally {
        for (const sock of sockets) sock.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  }

  it('TLS against a plain API port is a tls error', async () => {
    const plain = await startRouterSim({ password: 'pw' });
    try {
      await expect(connect({ tls: { ca: cert }, port: plain.port }).connect()).rejects.toMatchObject({ kind: 'tls' });
    } finally {
      await plain.stop();
    }
  });
});
