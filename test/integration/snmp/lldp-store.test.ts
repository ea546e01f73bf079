import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { openStore } from '../../../src/daemon.js';
import { reloadInventory } from '../../../src/inventory/reload.js';
import type { Inventory } from '../../../src/inventory/model.js';
import type { Store } from '../../../src/store/store.js';
import type { LldpNeighbor } from '../../../src/snmp/lldp.js';
import { LldpStore } from '../../../src/snmp/lldp-store.js';
import { backboneLinks, pollPlan, snmpCredentials } from '../../../src/snmp/inventory.js';
import { EXAMPLE_INVENTORY, tempDir, testConfig } from '../../helpers/daemon.js';

// A real SQLite store with the example inventory synced (lldp_neighbors references devices).
const clock = new ManualClock(new Date('2026-11-23T00:00:00Z'));
let store: Store;
let inv: Inventory;
let cleanup: () => void;
beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(testConfig(t.dir), clock);
  inv = reloadInventory(store, EXAMPLE_INVENTORY).inventory;
});
afterAll(() => {
  store.db.close();
  cleanup();
});

const n = (port: string, far: string, extra: Partial<LldpNeighbor> = {}): LldpNeighbor => ({
  localPortNum: Number(port.replace(/\D/g, '')) || 1,
  ifName: port,
  ifIndex: Number(port.replace(/\D/g, '')) || 1,
  remIndex: 1,
  timeMark: 0,
  chassisIdSubtype: 4,
  chassisId: `02:00:00:00:00:${far.length.toString(16).padStart(2, '0')}`,
  portIdSubtype: 5,
  portId: 'ether1',
  sysName: far,
  ...extra,
});
const rows = (id: string) => store.db.prepare('SELECT * FROM lldp_neighbors WHERE device_id = ? ORDER BY local_port').all(id) as Record<string, unknown>[];
const audits = (id: string) =>
  store.db.prepare("SELECT after_json FROM audit_log WHERE action = 'lldp.neighbors_changed' AND object_id = ? ORDER BY seq").pluck().all(id) as string[];

describe('LLDP neighbor storage', () => {
  it('writes on change only, keeps first_seen, refreshes last_seen without audit', () => {
    const s = new LldpStore(store, { lastSeenRefreshMs: 60_000 });
    const dev = 'dinkes-sw01';
    expect(s.sync(dev, 'DINKES', [n('1', 'Router DINKES'), n('2', 'AP 1')])).toBe('changed');
    const first = rows(dev);
    expect(first).toHaveLength(2);
    expect(first[0]).toMatchObject({
      local_port: '1',
      local_if_index: 1,
      remote_sys_name: 'Router DINKES',
      remote_port: 'ether1',
      first_seen: '2026-11-23T00:00:00.000Z',
    });
    expect(audits(dev)).toHaveLength(1);

    clock.advance(10_000);
    expect(s.sync(dev, 'DINKES', [n('2', 'AP 1'), n('1', 'Router DINKES')])).toBe('unchanged');
    expect(rows(dev)).toEqual(first);

    clock.advance(60_000);
    expect(s.sync(dev, 'DINKES', [n('1', 'Router DINKES'), n('2', 'AP 1')])).toBe('touched');
    const touched = rows(dev);
    expect(touched.map((r) => r.first_seen)).toEqual(first.map((r) => r.first_seen));
    expect(touched.every((r) => r.last_seen === '2026-11-23T00:01:10.000Z')).toBe(true);
    expect(audits(dev)).toHaveLength(1);

    // one changed (port description), one removed, one added: one audit entry naming them
    clock.advance(1_000);
    expect(s.sync(dev, 'DINKES', [n('1', 'Router DINKES', { portDesc: 'uplink' }), n('3', 'AP 2')])).toBe('changed');
    const after = rows(dev);
    expect(after.map((r) => r.local_port)).toEqual(['1', '3']);
    expect(after[0]).toMatchObject({ remote_port_desc: 'uplink', first_seen: '2026-11-23T00:00:00.000Z', last_seen: '2026-11-23T00:01:11.000Z' });
    const entries = audits(dev);
    expect(entries).toHaveLength(2);
    expect(JSON.parse(entries[1] as string)).toEqual({ neighbors: 2, added: ['3 -> AP 2 ether1'], changed: ['1 -> Router DINKES ether1'] });
  });

  it('does not rewrite after a restart when the table already holds the same neighbors', () => {
    const dev = 'dinkes-sw02';
    const list = [n('5', 'Switch DINKES 1')];
    expect(new LldpStore(store).sync(dev, 'DINKES', list)).toBe('changed');
    const before = rows(dev);
    clock.advance(5_000);
    expect(new LldpStore(store).sync(dev, 'DINKES', list)).toBe('unchanged');
    expect(rows(dev)).toEqual(before);
    expect(audits(dev)).toHaveLength(1);
  });

  it('dedupes neighbors with the same key and clears a device that lost all of them', () => {
    const s = new LldpStore(store);
    const dev = 'dinkes-sw03';
    expect(s.sync(dev, 'DINKES', [n('4', 'X'), n('4', 'X', { remIndex: 2 })])).toBe('changed');
    expect(rows(dev)).toHaveLength(1);
    expect(s.sync(dev, 'DINKES', [])).toBe('changed');
    expect(rows(dev)).toEqual([]);
    expect(s.sync(dev, 'DINKES', [])).toBe('unchanged');
    expect(audits(dev)).toHaveLength(2);
  });
});

describe('poll targets from the inventory', () => {
  const defaults = { intervalSeconds: 60, timeoutMs: 1500, retries: 2, maxRepetitions: 20 };

  it('resolves v2c and v3 credentials explicitly and says what is missing', () => {
    expect(snmpCredentials('2c', 'c', { community: 'x' })).toEqual({ version: '2c', community: 'x' });
    expect(snmpCredentials('3', 'c', { user: 'u', authKey: 'a', privKey: 'p' })).toEqual({
      version: '3',
      user: 'u',
      authProtocol: 'sha256',
      authKey: 'a',
      privProtocol: 'aes',
      privKey: 'p',
    });
    expect(() => snmpCredentials('2c', 'snmp-opd', { user: 'u' })).toThrow("credential 'snmp-opd' has no community");
    expect(() => snmpCredentials('3', 'c', { user: 'u', authKey: 'a' })).toThrow('no privKey');
    expect(() => snmpCredentials('3', 'c', { user: 'u', authKey: 'a', privKey: 'p', authProtocol: 'md5' })).toThrow("authProtocol 'md5' is not one of");
  });

  it('polls every device with snmp that has an endpoint and credentials, skipping the others with a reason', () => {
    const plan = pollPlan(inv, {
      endpoint: (d) => (d.id === 'dinkes-sw02' ? null : { host: '127.0.0.1', port: 16100 }),
      credentials: (name) => {
        if (name === 'snmp-core') throw new Error(`credential '${name}' named in the inventory is not under credentials: in the config`);
        return { community: 'c' };
      },
      defaults,
    });
    const withSnmp = inv.devices.filter((d) => d.snmp);
    const core = withSnmp.filter((d) => d.snmp?.credentials === 'snmp-core');
    expect(core.length).toBeGreaterThan(0);
    expect(plan.targets).toHaveLength(withSnmp.length - core.length - 1);
    expect(plan.skipped.get('dinkes-sw02')).toContain('no SNMP endpoint');
    expect(plan.skipped.get(core[0]!.id)).toContain("credential 'snmp-core'");
    expect(plan.targets.find((t) => t.id === 'dinkes-rtr01')).toEqual({
      id: 'dinkes-rtr01',
      opd: 'DINKES',
      host: '127.0.0.1',
      port: 16100,
      credentials: { version: '2c', community: 'c' },
      timeoutMs: 1500,
      retries: 2,
      maxRepetitions: 20,
      intervalMs: 60_000,
    });
  });

  it('uses the device interval over the default and gives each link the OPD it serves', () => {
    const one = { ...inv, devices: inv.devices.filter((d) => d.id === 'dinkes-rtr01').map((d) => ({ ...d, snmp: { ...d.snmp!, intervalSeconds: 15 } })) };
    const plan = pollPlan(one, { endpoint: () => ({ host: '127.0.0.1', port: 1 }), credentials: () => ({ community: 'c' }), defaults });
    expect(plan.targets[0]?.intervalMs).toBe(15_000);
    const links = backboneLinks(inv);
    expect(links.find((l) => l.id === 'bb-dinkes')).toEqual({
      id: 'bb-dinkes',
      a: { device: 'diskominfo-core01', port: 'vlan110' },
      b: { device: 'dinkes-rtr01', port: 'ether1' },
      capacityMbps: 500,
      opd: 'DINKES',
    });
    expect(links).toHaveLength(inv.links.length);
  });
});
