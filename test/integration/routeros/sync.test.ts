// Desired-state sync with the real node-routeros client against the simulated router.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RouterSim, startRouterSim } from '../../../src/lab/routeros/server.js';
import type { Rec } from '../../../src/lab/routeros/state.js';
import { RouterConnection } from '../../../src/routeros/connection.js';
import { InvalidDesiredStateError, type DesiredState } from '../../../src/routeros/desired.js';
import { Semaphore } from '../../../src/routeros/limiter.js';
import { syncRouter } from '../../../src/routeros/sync.js';

const AL = '/ip/firewall/address-list';
const FILTER = '/ip/firewall/filter';
const NAT = '/ip/firewall/nat';

let sim: RouterSim;
let conn: RouterConnection;

function connect(s: RouterSim, opts: ConstructorParameters<typeof RouterConnection>[1] = {}): RouterConnection {
  return new RouterConnection({ id: `r${s.port}`, host: '127.0.0.1', port: s.port, user: 'admin', password: 'pw' }, { requestTimeoutMs: 5000, ...opts });
}

/** Unmanaged configuration a NOC already has on the router. */
function seedUnmanaged(s: RouterSim): void {
  s.state.insert(AL, { list: 'blocked', address: '198.51.100.7', comment: 'hand-made' });
  s.state.insert(FILTER, { chain: 'forward', action: 'accept', 'connection-state': 'established,related', comment: 'est' });
  s.state.insert(FILTER, { chain: 'forward', action: 'drop', 'connection-state': 'invalid', comment: 'invalid' });
  s.state.insert(FILTER, { chain: 'input', action: 'accept', protocol: 'icmp' });
  s.state.insert(FILTER, { chain: 'forward', action: 'drop', comment: 'default deny' });
  s.state.insert(NAT, { chain: 'srcnat', action: 'masquerade', 'out-interface': 'ether1' });
}

function desired(): DesiredState {
  return {
    menus: {
      [AL]: [
        { list: 'blocked', address: '203.0.113.0/24', comment: 'simpul:block:judi' },
        { list: 'blocked', address: 'judi.example', comment: 'simpul:block:judi' },
        { list: 'blocked', address: '192.0.2.9/32', comment: 'simpul:block:malware' },
      ],
      '/ip/dns/static': [{ name: 'simpul.pemda.example', address: '10.10.0.5', ttl: '86400', comment: 'simpul:dns' }],
      '/ip/route': [{ 'dst-address': '10.20.0.0/22', gateway: '10.255.0.2', comment: 'simpul:route:dinkes' }],
      [FILTER]: [
        { chain: 'forward', action: 'drop', 'src-address-list': 'blocked', comment: 'simpul:filter:block-src' },
        { chain: 'forward', action: 'drop', 'dst-address-list': 'blocked', comment: 'simpul:filter:block-dst' },
      ],
      [NAT]: [
        {
          chain: 'dstnat',
          action: 'dst-nat',
          'dst-address': '203.0.113.10',
          protocol: 'tcp',
          'dst-port': '443',
          'to-addresses': '10.30.0.10',
          comment: 'simpul:nat:web:dst',
        },
        { chain: 'srcnat', action: 'src-nat', 'src-address': '10.30.0.10', 'to-addresses': '203.0.113.10', comment: 'simpul:nat:web:src' },
      ],
    },
    placement: { [FILTER]: { at: 'before', match: { action: 'drop' } }, [NAT]: { at: 'top' } },
  };
}

const comments = (s: RouterSim, path: string, chain?: string) =>
  s.state
    .list(path)
    .filter((r) => chain === undefined || r.chain === chain)
    .map((r) => r.comment ?? `(${r.action})`);
const unmanaged = (s: RouterSim): Rec[] => [AL, FILTER, NAT].flatMap((p) => s.state.list(p).filter((r) => !(r.comment ?? '').startsWith('simpul:')));

beforeEach(async () => {
  sim = await startRouterSim({ password: 'pw' });
  conn = connect(sim);
});

afterEach(async () => {
  await conn.close();
  await sim.stop();
});

describe('first sync and idempotence', () => {
  it('creates the desired entries, places rules, leaves unmanaged entries alone, then writes nothing', async () => {
    seedUnmanaged(sim);
    const before = unmanaged(sim);
    const first = await syncRouter(conn, desired());
    expect(first.errors).toEqual([]);
    expect(first.result).toBe('ok');
    expect(first.plan.map((s) => s.op)).toEqual(Array(9).fill('add'));
    expect(sim.stats.writes).toBe(first.writes);

    expect(sim.state.list(AL).map((r) => r.address)).toEqual(['198.51.100.7', '203.0.113.0/24', 'judi.example', '192.0.2.9']);
    expect(sim.state.list('/ip/dns/static')[0]).toMatchObject({ name: 'simpul.pemda.example', ttl: '1d' });
    expect(sim.state.list('/ip/route')[0]).toMatchObject({ 'dst-address': '10.20.0.0/22', gateway: '10.255.0.2', 'routing-table': 'main' });
    // before the first unmanaged drop rule of the chain, after the accepts
    expect(comments(sim, FILTER, 'forward')).toEqual(['est', 'simpul:filter:block-src', 'simpul:filter:block-dst', 'invalid', 'default deny']);
    expect(comments(sim, NAT, 'srcnat')).toEqual(['simpul:nat:web:src', '(masquerade)']);
    expect(unmanaged(sim)).toEqual(before);

    const writes = sim.stats.writes;
    const second = await syncRouter(conn, desired());
    expect(second).toMatchObject({ result: 'ok', plan: [], writes: 0, errors: [] });
    expect(sim.stats.writes).toBe(writes);
  });

  it('works the same against a RouterOS 7.18+ router that answers !empty', async () => {
    sim.emptyReplies = true;
    const first = await syncRouter(conn, desired());
    expect(first.result).toBe('ok');
    const writes = sim.stats.writes;
    expect(await syncRouter(conn, desired())).toMatchObject({ result: 'ok', writes: 0 });
    expect(sim.stats.writes).toBe(writes);
  });

  it('plans without writing on a dry run', async () => {
    const r = await syncRouter(conn, desired(), { dryRun: true });
    expect(r.plan).toHaveLength(9);
    expect(r.writes).toBe(0);
    expect(sim.stats.writes).toBe(0);
  });
});

describe('drift', () => {
  it('corrects entries changed, removed, added and moved by hand, and only those', async () => {
    seedUnmanaged(sim);
    await syncRouter(conn, desired());
    const find = (path: string, comment: string) => sim.state.list(path).find((r) => r.comment === comment)?.['.id'] ?? '';
    sim.state.update(NAT, find(NAT, 'simpul:nat:web:dst'), { 'to-addresses': '10.30.0.99' });
    sim.state.update(AL, find(AL, 'simpul:block:malware'), { disabled: 'true' });
    sim.state.remove('/ip/route', [find('/ip/route', 'simpul:route:dinkes')]);
    sim.state.insert(AL, { list: 'blocked', address: '192.0.2.200', comment: 'simpul:block:stale' });
    const srcRule = find(FILTER, 'simpul:filter:block-src');
    sim.state.execute(`${FILTER}/move`, { numbers: srcRule }, []);
    const hand = unmanaged(sim);

    const r = await syncRouter(conn, desired());
    expect(r.result).toBe('ok');
    expect(r.plan.map((s) => `${s.op} ${s.key}`).sort()).toEqual(
      [
        'add 10.20.0.0/22\u0000main',
        'move simpul:filter:block-src',
        'remove blocked\u0000192.0.2.200',
        'set blocked\u0000192.0.2.9',
        'set simpul:nat:web:dst',
      ].sort(),
    );
    expect(sim.state.list(NAT).find((x) => x.comment === 'simpul:nat:web:dst')?.['to-addresses']).toBe('10.30.0.10');
    expect(comments(sim, FILTER, 'forward')).toEqual(['est', 'simpul:filter:block-src', 'simpul:filter:block-dst', 'invalid', 'default deny']);
    expect(unmanaged(sim)).toEqual(hand);
    expect(await syncRouter(conn, desired())).toMatchObject({ writes: 0, plan: [] });
  });

  it('removes every Simpul entry of a menu whose desired list is empty, and nothing else', async () => {
    seedUnmanaged(sim);
    await syncRouter(conn, desired());
    const r = await syncRouter(conn, { menus: { [AL]: [] } });
    expect(r.result).toBe('ok');
    expect(r.writes).toBe(1); // one remove with comma-separated ids
    expect(sim.state.list(AL).map((x) => x.comment)).toEqual(['hand-made']);
    expect(sim.state.list(FILTER).filter((x) => x.comment?.startsWith('simpul:'))).toHaveLength(2);
  });
});

describe('router down, traps and rejected entries', () => {
  it('reports unreachable while the router is down and converges when it is back', async () => {
    await sim.stop();
    const down = await syncRouter(conn, desired());
    expect(down.result).toBe('unreachable');
    expect(down.errors[0]).toMatchObject({ op: 'read', kind: 'unreachable' });
    expect(conn.state).toBe('down');
    await sim.start();
    const back = await syncRouter(conn, desired());
    expect(back.result).toBe('ok');
    expect(sim.state.list(AL)).toHaveLength(3);
    expect(await syncRouter(conn, desired())).toMatchObject({ writes: 0 });
  });

  it('reconnects in the background with backoff after the connection drops', async () => {
    const c = connect(sim, { backoff: { initialMs: 50, maxMs: 200 } });
    try {
      await c.connect();
      const down = new Promise((r) => c.once('down', r));
      await sim.stop();
      await down;
      await new Promise((r) => setTimeout(r, 300)); // a few failed attempts
      expect(c.failures).toBeGreaterThan(1);
      const up = new Promise((r) => c.once('up', r));
      await sim.start();
      await up;
      expect(c.state).toBe('up');
      expect(c.failures).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('is degraded, keeping each error with its trap category, when the router rejects some entries', async () => {
    seedUnmanaged(sim);
    sim.state.insert(AL, { list: 'blocked', address: '192.0.2.9' }); // unmanaged, same identity as a desired one
    sim.faults.reject = (path, verb, _attrs) =>
      path === '/ip/route' && verb === 'add' ? { message: 'gateway unreachable in this lab', category: 1 } : undefined;
    const r = await syncRouter(conn, desired());
    expect(r.result).toBe('degraded');
    expect(r.errors).toEqual([
      { op: 'add', menu: AL, key: 'blocked\u0000192.0.2.9', kind: 'trap', message: `r${sim.port}: failure: already have such entry` },
      { op: 'add', menu: '/ip/route', key: '10.20.0.0/22\u0000main', kind: 'trap', category: 1, message: `r${sim.port}: gateway unreachable in this lab` },
    ]);
    // the rest went through
    expect(sim.state.list(NAT).filter((x) => x.comment?.startsWith('simpul:'))).toHaveLength(2);
    expect(sim.state.list(AL).filter((x) => x.comment?.startsWith('simpul:'))).toHaveLength(2);
  });

  it('refuses a malformed desired value before sending anything', async () => {
    const bad = desired();
    bad.menus[AL] = [{ list: 'blocked', address: '10.0.0.300', comment: 'simpul:x' }];
    await expect(syncRouter(conn, bad)).rejects.toBeInstanceOf(InvalidDesiredStateError);
    await expect(syncRouter(conn, bad)).rejects.toThrow(/10\.0\.0\.300/);
    expect(sim.stats.sentences).toBe(0);
  });

  it('keeps other routers going when one is down, under a global concurrency cap', async () => {
    const others = await Promise.all([startRouterSim({ password: 'pw' }), startRouterSim({ password: 'pw' })]);
    const conns = others.map((s) => connect(s));
    await sim.stop();
    const limiter = new Semaphore(1);
    try {
      const results = await Promise.all([conn, ...conns].map((c) => syncRouter(c, desired(), { limiter })));
      expect(results.map((x) => x.result)).toEqual(['unreachable', 'ok', 'ok']);
      expect(limiter.running).toBe(0);
    } finally {
      for (const c of conns) await c.close();
      for (const s of others) await s.stop();
    }
  });
});
