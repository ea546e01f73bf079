// The reconciler against simulated routers: first sync, idempotence (zero writes by the
// simulator's counter), unmanaged entries untouched, drift, a router going down and coming back,
// a contributor refusing, autoApply off, and only routers whose desired state changed resynced.
import { afterEach, describe, expect, it } from 'vitest';
import { type RouterSim, startRouterSim } from '../../../src/lab/routeros/server.js';
import { seedUnmanaged } from '../../../src/lab/routeros/starter.js';
import { DesiredRegistry } from '../../../src/routeros/contributors.js';
import { Reconciler, type ReconcilerSettings } from '../../../src/routeros/reconciler.js';
import { RouterService } from '../../../src/routeros/service.js';
import { openStore } from '../../../src/daemon.js';
import type { Actor } from '../../../src/auth/actor.js';
import type { Device, Inventory } from '../../../src/inventory/model.js';
import type { DesiredState } from '../../../src/routeros/desired.js';
import { tempDir, testConfig } from '../../helpers/daemon.js';

const device = (id: string): Device => ({
  id,
  name: `Router ${id}`,
  role: 'router',
  vendor: 'MikroTik',
  model: 'RB5009',
  site: `${id}-hq`,
  mgmt: '10.255.9.1',
  opd: id.toUpperCase(),
  routeros: { credentials: 'lab' },
});
const inventory = (ids: string[]): Inventory => ({ regency: { name: 'Test', province: 'Test' }, opds: [], sites: [], devices: ids.map(device), links: [] });

let sims = new Map<string, RouterSim>();
let reconciler: Reconciler | undefined;

afterEach(async () => {
  await reconciler?.stop();
  reconciler = undefined;
  for (const s of sims.values()) await s.stop();
  sims = new Map();
});

async function setup(ids: string[], settings: Partial<ReconcilerSettings> = {}) {
  for (const id of ids) {
    const sim = await startRouterSim({ user: 'simpul', password: 'pw' });
    seedUnmanaged(sim, device(id));
    sims.set(id, sim);
  }
  let inv = inventory(ids);
  const desired = new DesiredRegistry();
  // a test contributor: an address list per router, changed through `lists`
  const lists = new Map<string, string[]>(ids.map((id) => [id, ['10.9.0.0/16', '10.8.0.0/16']]));
  let refuse: string | null = null;
  desired.register({
    name: 'test',
    desired(router): DesiredState {
      if (refuse === router.id) throw new Error('too many entries for this model');
      return {
        menus: {
          '/ip/firewall/address-list': (lists.get(router.id) ?? []).map((address) => ({ list: 'simpul-test', address, comment: `simpul:test ${address}` })),
          '/ip/firewall/filter': [{ chain: 'forward', action: 'drop', 'src-address-list': 'simpul-test', comment: 'simpul:test drop' }],
        },
      };
    },
  });
  const r = new Reconciler({
    settings: {
      driftIntervalSeconds: 3600,
      correctDrift: true,
      autoApply: true,
      maxConcurrent: 2,
      requestTimeoutSeconds: 2,
      connectTimeoutSeconds: 2,
      ...settings,
    },
    inventory: () => inv,
    endpoint: (d) => {
      const s = sims.get(d.id);
      return s ? { host: '127.0.0.1', port: s.port } : null;
    },
    credentials: () => ({ username: 'simpul', password: 'pw' }),
    desired,
    backoff: { initialMs: 100, maxMs: 400 },
    debounceMs: 20,
  });
  reconciler = r;
  return {
    r,
    desired,
    lists,
    refuse: (id: string | null) => (refuse = id),
    setInventory: (ids2: string[]) => {
      inv = inventory(ids2);
      r.setInventory(inv);
    },
  };
}

const state = (id: string) => reconciler?.status(id)?.state;
const sim = (id: string) => sims.get(id) as RouterSim;
const rows = (id: string, menu: string) => sim(id).state.list(menu);

describe('reconciler', () => {
  it('first sync pushes everything, a second writes nothing, unmanaged entries stay', async () => {
    const { r } = await setup(['r1', 'r2', 'r3']);
    const before = sim('r1').state.list('/ip/firewall/filter');
    r.start();
    for (const id of ['r1', 'r2', 'r3']) await expect.poll(() => state(id), { timeout: 5000 }).toBe('in-sync');
    expect(
      rows('r1', '/ip/firewall/address-list')
        .map((x) => x.address)
        .sort(),
    ).toEqual(['10.8.0.0/16', '10.9.0.0/16']);
    const filter = rows('r1', '/ip/firewall/filter');
    expect(filter.map((x) => x.comment)).toEqual(['simpul:test drop', 'accept established,related']);
    expect(filter[1]).toMatchObject({ ...before[0] });
    expect(rows('r1', '/ip/firewall/nat')).toEqual([expect.objectContaining({ action: 'masquerade', comment: 'defconf: masquerade' })]);
    expect(r.status('r1')).toMatchObject({ drift: 0, entriesManaged: 3, lastSuccessAt: expect.any(String), errors: [] });

    const writes = sim('r1').stats.writes;
    expect(writes).toBeGreaterThan(0);
    const second = await r.apply('r1');
    expect(second.result).toMatchObject({ result: 'ok', writes: 0, plan: [] });
    expect(sim('r1').stats.writes).toBe(writes);
  });

  it('hand-made drift is detected by a plan and corrected by the drift check', async () => {
    const { r } = await setup(['r1'], { driftIntervalSeconds: 0.3 as number });
    r.start();
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('in-sync');
    const entry = rows('r1', '/ip/firewall/address-list').find((x) => x.address === '10.9.0.0/16');
    sim('r1').state.update('/ip/firewall/address-list', entry?.['.id'] ?? '', { disabled: 'true' });
    const unmanaged = sim('r1').state.insert('/ip/firewall/address-list', { list: 'by-hand', address: '192.0.2.7' });
    await expect.poll(() => rows('r1', '/ip/firewall/address-list').find((x) => x.address === '10.9.0.0/16')?.disabled, { timeout: 5000 }).toBe('false');
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('in-sync');
    expect(rows('r1', '/ip/firewall/address-list').some((x) => x['.id'] === unmanaged)).toBe(true);
  });

  it('with correctDrift off, drift is reported and left alone', async () => {
    const { r } = await setup(['r1'], { correctDrift: false, driftIntervalSeconds: 0.2 as number });
    r.start();
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('in-sync');
    const entry = rows('r1', '/ip/firewall/address-list')[0];
    sim('r1').state.remove('/ip/firewall/address-list', [entry?.['.id'] ?? '']);
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('drift');
    expect(r.status('r1')).toMatchObject({ drift: 1, reason: expect.stringContaining('correctDrift is off') });
    expect(r.status('r1')?.lastPlan).toEqual([expect.objectContaining({ op: 'add', menu: '/ip/firewall/address-list' })]);
    expect(rows('r1', '/ip/firewall/address-list')).toHaveLength(1);
    const p = await r.plan('r1');
    expect(p.steps).toHaveLength(1);
    expect(rows('r1', '/ip/firewall/address-list')).toHaveLength(1);
  });

  it('a plan reads the router and leaves its status as the last sync left it', async () => {
    const { r } = await setup(['r1']);
    r.start();
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('in-sync');
    const before = structuredClone(r.status('r1'));
    const entry = rows('r1', '/ip/firewall/address-list')[0];
    sim('r1').state.remove('/ip/firewall/address-list', [entry?.['.id'] ?? '']);
    const writes = sim('r1').stats.writes;
    const p = await r.plan('r1');
    expect(p.steps).toEqual([expect.objectContaining({ op: 'add', menu: '/ip/firewall/address-list' })]);
    // correctDrift is on: a plan must not make the router say drift that is left alone
    expect(r.status('r1')).toEqual(before);
    expect(sim('r1').stats.writes).toBe(writes);
  });

  it('drift found by a background check says what the next drift check does, from the config', async () => {
    // autoApply off with correctDrift on: the retry after an outage is a check, and the drift it finds is corrected at the next drift check
    const { r } = await setup(['r1'], { autoApply: false });
    r.start();
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('drift');
    await r.apply('r1');
    expect(state('r1')).toBe('in-sync');
    const entry = rows('r1', '/ip/firewall/address-list')[0];
    sim('r1').state.remove('/ip/firewall/address-list', [entry?.['.id'] ?? '']);
    await sim('r1').stop();
    await expect(r.apply('r1')).rejects.toMatchObject({ kind: 'unreachable' });
    await sim('r1').start();
    await expect.poll(() => state('r1'), { timeout: 8000 }).toBe('drift');
    expect(r.status('r1')).toMatchObject({ drift: 1, pendingApply: false, reason: expect.stringContaining('correctDrift is on') });
    expect(r.status('r1')?.reason).not.toContain('correctDrift is off');
  });

  it('a router that is down is unreachable without holding up the others, then converges with backoff', async () => {
    const { r } = await setup(['r1', 'r2']);
    await sim('r1').stop();
    r.start();
    await expect.poll(() => state('r2'), { timeout: 5000 }).toBe('in-sync');
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('unreachable');
    expect(r.status('r1')).toMatchObject({ reason: expect.stringContaining('ECONNREFUSED'), nextRetryAt: expect.any(String) });
    await expect(r.plan('r1')).rejects.toMatchObject({ kind: 'unreachable' });
    await sim('r1').start();
    await expect.poll(() => state('r1'), { timeout: 8000 }).toBe('in-sync');
    expect(rows('r1', '/ip/firewall/address-list')).toHaveLength(2);
    expect(r.status('r1')?.syncs.unreachable).toBeGreaterThanOrEqual(1);
  });

  it('a contributor that refuses makes the router degraded and nothing is pushed to it', async () => {
    const { r, refuse, desired } = await setup(['r1', 'r2']);
    refuse('r1');
    r.start();
    await expect.poll(() => state('r2'), { timeout: 5000 }).toBe('in-sync');
    expect(state('r1')).toBe('degraded');
    expect(r.status('r1')?.reason).toContain('too many entries for this model');
    expect(sim('r1').stats.writes).toBe(0);
    expect(sim('r1').stats.logins).toBe(0);
    await expect(r.apply('r1')).rejects.toMatchObject({ kind: 'refused' });
    expect(sim('r1').stats.writes).toBe(0);
    refuse(null);
    desired.changed(['r1']);
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('in-sync');
  });

  it('a desired-state change resyncs only the routers whose hash moved', async () => {
    const { r, lists, desired } = await setup(['r1', 'r2']);
    r.start();
    for (const id of ['r1', 'r2']) await expect.poll(() => state(id), { timeout: 5000 }).toBe('in-sync');
    const r2Sentences = sim('r2').stats.sentences;
    lists.set('r1', ['10.9.0.0/16']);
    desired.changed('all');
    await expect.poll(() => rows('r1', '/ip/firewall/address-list').length, { timeout: 5000 }).toBe(1);
    await new Promise((res) => setTimeout(res, 100));
    expect(sim('r2').stats.sentences).toBe(r2Sentences);
  });

  it('with autoApply off, changes wait for an operator apply', async () => {
    const { r, lists, desired } = await setup(['r1'], { autoApply: false });
    r.start();
    await expect.poll(() => state('r1'), { timeout: 5000 }).toBe('drift');
    expect(r.status('r1')).toMatchObject({ pendingApply: true, reason: expect.stringContaining("operator's apply") });
    expect(sim('r1').stats.writes).toBe(0);
    await r.apply('r1');
    expect(state('r1')).toBe('in-sync');
    lists.set('r1', ['10.7.0.0/16']);
    desired.changed(['r1']);
    await expect.poll(() => r.status('r1')?.pendingApply, { timeout: 5000 }).toBe(true);
    expect(
      rows('r1', '/ip/firewall/address-list')
        .map((x) => x.address)
        .sort(),
    ).toEqual(['10.8.0.0/16', '10.9.0.0/16']);
  });

  it('inventory reloads add and remove routers', async () => {
    const { r, setInventory } = await setup(['r1', 'r2']);
    r.start();
    await expect.poll(() => state('r2'), { timeout: 5000 }).toBe('in-sync');
    setInventory(['r1']);
    expect(r.ids()).toEqual(['r1']);
    await expect.poll(() => sim('r2').connectionCount, { timeout: 5000 }).toBe(0);
    setInventory(['r1', 'r2']);
    expect(r.ids().sort()).toEqual(['r1', 'r2']);
    await expect.poll(() => state('r2'), { timeout: 5000 }).toBe('in-sync');
  });
});

describe('an operator apply of every router', () => {
  const admin: Actor = { id: 'token:admin', role: 'noc-admin', opd: null };
  let store: ReturnType<typeof openStore> | undefined;
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    store?.db.close();
    cleanup?.();
    store = undefined;
  });

  it('reports a router it cannot reach as unreachable, with the time the attempt took, and audits it so', async () => {
    // a connect timeout short enough that the router whose login stalls gives up quickly
    const { r } = await setup(['r1', 'r2', 'r3'], { connectTimeoutSeconds: 0.2 as number });
    sim('r2').faults.loginDelayMs = 2000;
    await sim('r3').stop();
    // the routers without background syncs: only the operator's applies run
    r.setInventory(inventory(['r1', 'r2', 'r3']), false);
    const t = tempDir();
    cleanup = t.cleanup;
    store = openStore(testConfig(t.dir));
    const results = await new RouterService(store, r).applyAll(admin);
    const by = new Map(results.map((x) => [x.router, x]));
    expect(by.get('r1')).toMatchObject({ result: 'ok', state: 'in-sync' });
    expect(by.get('r2')).toMatchObject({
      result: 'unreachable',
      state: 'unreachable',
      reason: expect.stringMatching(/^timeout: /),
      errors: [expect.objectContaining({ kind: 'timeout' })],
    });
    // it waited for the connect timeout: the time is measured, not a constant 0
    expect(by.get('r2')?.durationMs).toBeGreaterThan(0);
    expect(by.get('r3')).toMatchObject({
      result: 'unreachable',
      state: 'unreachable',
      reason: expect.stringContaining('ECONNREFUSED'),
      errors: [expect.objectContaining({ kind: 'unreachable' })],
    });
    const audit = store.db.prepare("SELECT object_id, after_json FROM audit_log WHERE action = 'routeros.apply' ORDER BY object_id").all() as {
      object_id: string;
      after_json: string;
    }[];
    expect(audit.map((a) => [a.object_id, JSON.parse(a.after_json).result])).toEqual([
      ['r1', 'ok'],
      ['r2', 'unreachable'],
      ['r3', 'unreachable'],
    ]);
  });
});
