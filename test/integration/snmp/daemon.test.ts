import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { SnmpSession } from '../../../src/snmp/session.js';
import { ADMIN, copyInventory, tempDir, testConfig } from '../../helpers/daemon.js';

// The daemon in lab mode over a copy of the example inventory: simulated agents on 127.0.0.1,
// polled every second so two cycles pass quickly.
let d: Daemon;
let inventoryDir: string;
let cleanup: () => void;
let dinkes: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
async function get(path: string, token: string = ADMIN): Promise<{ status: number; body: Json }> {
  const r = await fetch(d.url + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await r.text();
  return { status: r.status, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
/** Value of one series in the text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
const lastPoll = async (id: string) => (await get(`/api/v1/devices/${id}/snmp`)).body.lastPollAt as string | null;
/** Wait until the device has been polled `n` more times (its lastPollAt moved n times). */
async function polls(id: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const before = await lastPoll(id);
    await expect.poll(() => lastPoll(id), { timeout: 10_000, interval: 100 }).not.toBe(before);
  }
}

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  inventoryDir = copyInventory(t.dir);
  const config = testConfig(t.dir, { inventory: inventoryDir, log: { level: 'warn' }, snmp: { intervalSeconds: 1, timeoutMs: 1000 } });
  config.lab = true;
  d = await startDaemon(config, { logStream: new PassThrough() });
  const r = await fetch(`${d.url}/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'dinkes', role: 'opd-admin', opd: 'DINKES' }),
  });
  dinkes = ((await r.json()) as Json).token;
}, 30_000);
afterAll(async () => {
  await d?.close();
  cleanup?.();
});

describe('SNMP in the daemon (lab mode)', () => {
  it('shows live backbone traffic against the contracted capacity after two cycles', async () => {
    // the first sample is a baseline, the second gives rates
    await expect
      .poll(async () => (await get('/api/v1/backbone')).body.filter((l: Json) => l.receiveBps !== null).length, { timeout: 20_000, interval: 200 })
      .toBeGreaterThan(30);
    const { status, body } = await get('/api/v1/backbone');
    expect(status).toBe(200);
    const dl = body.find((l: Json) => l.id === 'bb-dinkes');
    expect(dl).toMatchObject({
      status: 'up',
      opd: 'DINKES',
      a: { device: 'diskominfo-core01', operStatus: 'up' },
      b: { device: 'dinkes-rtr01', port: 'ether1', operStatus: 'up' },
    });
    expect(dl.since).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const l of body.filter((x: Json) => x.receiveBps !== null)) {
      expect(l.status, l.id).toBe('up');
      expect(l.utilization, l.id).toBeGreaterThan(0);
      expect(l.utilization, l.id).toBeLessThan(1);
      expect(l.utilization).toBeCloseTo(Math.max(l.receiveBps, l.transmitBps) / l.capacityBps, 6);
      expect(l.errorsPerSec).toBe(0);
    }
  });

  it('exports the backbone and interface series in /metrics', async () => {
    const r = await fetch(`${d.url}/metrics`);
    const text = await r.text();
    expect(sample(text, 'simpul_link_receive_bits_per_second', { link: 'bb-dinkes', opd: 'DINKES' })).toBeGreaterThan(0);
    expect(sample(text, 'simpul_link_utilization_ratio', { link: 'bb-dinkes' })).toBeGreaterThan(0);
    expect(sample(text, 'simpul_link_up', { link: 'bb-dinkes' })).toBe(1);
    expect(sample(text, 'simpul_device_up', { device: 'dinkes-rtr01', opd: 'DINKES' })).toBe(1);
    expect(sample(text, 'simpul_interface_receive_bytes_total', { device: 'dinkes-rtr01', interface: 'ether1', link: 'bb-dinkes' })).toBeGreaterThan(0);
    expect(sample(text, 'simpul_interface_oper_up', { device: 'dinkes-rtr01', interface: 'ether1' })).toBe(1);
    for (const name of ['simpul_interface_transmit_bytes_total', 'simpul_interface_errors_total', 'simpul_snmp_poll_duration_seconds_count'])
      expect(text).toContain(name);
  });

  it('lists a device interfaces with status, speed and rates', async () => {
    const { status, body } = await get('/api/v1/devices/dinkes-rtr01/interfaces');
    expect(status).toBe(200);
    expect(body.state).toBe('up');
    expect(body.interfaces.map((i: Json) => i.name)).toEqual(['ether1', 'ether2', 'ether3', 'ether4', 'ether5', 'ether6', 'ether7', 'ether8', 'sfp-sfpplus1']);
    const e1 = body.interfaces[0];
    expect(e1).toMatchObject({ index: 1, operStatus: 'up', adminStatus: 'up', counterBits: 64, lastDiscontinuity: 'first_sample' });
    expect(e1.inBps).toBeGreaterThan(0);
    expect(e1.speedBps).toBeGreaterThanOrEqual(1e9);
    expect(BigInt(e1.receiveBytesTotal)).toBeGreaterThan(0n);
    const state = await get('/api/v1/devices/dinkes-rtr01/snmp');
    expect(state.body).toMatchObject({
      device: 'dinkes-rtr01',
      opd: 'DINKES',
      version: '2c',
      polled: true,
      state: 'up',
      reason: null,
      sysName: 'Router DINKES',
      interfaceCount: 9,
      hasIfXTable: true,
    });
  });

  it('stores LLDP neighbors once and does not rewrite unchanged rows', async () => {
    const db = d.services.store.db;
    const rows = () => db.prepare('SELECT * FROM lldp_neighbors WHERE device_id = ?').all('dinkes-rtr01') as Json[];
    const audits = () =>
      db.prepare("SELECT count(*) FROM audit_log WHERE action = 'lldp.neighbors_changed' AND object_id = ?").pluck().get('dinkes-rtr01') as number;
    await expect.poll(() => rows().length, { timeout: 10_000 }).toBeGreaterThan(0);
    const before = rows();
    expect(before).toContainEqual(
      expect.objectContaining({ local_port: 'ether1', local_if_index: 1, remote_port: 'vlan110', remote_sys_name: 'Core router Jaringan Intra' }),
    );
    await polls('dinkes-rtr01', 2);
    expect(rows()).toEqual(before);
    expect(audits()).toBe(1);

    const n = await get('/api/v1/devices/dinkes-rtr01/neighbors');
    expect(n.status).toBe(200);
    expect(n.body.neighbors).toContainEqual(
      expect.objectContaining({ localPort: 'ether1', remotePort: before[0]?.remote_port, remoteDevice: 'diskominfo-core01' }),
    );
    const core = await get('/api/v1/devices/diskominfo-core01/neighbors');
    expect(core.body.neighbors).toContainEqual(expect.objectContaining({ remotePort: 'ether1', remoteDevice: 'dinkes-rtr01' }));
  });

  it('scopes an opd-admin to its own OPD (another OPD answers 404)', async () => {
    expect((await get('/api/v1/devices/dinkes-rtr01/interfaces', dinkes)).status).toBe(200);
    const other = await get('/api/v1/devices/bappeda-rtr01/interfaces', dinkes);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('NOT_FOUND');
    expect((await get('/api/v1/devices/bappeda-rtr01/neighbors', dinkes)).status).toBe(404);
    expect((await get('/api/v1/devices/bappeda-rtr01/snmp', dinkes)).status).toBe(404);
    const links = (await get('/api/v1/backbone', dinkes)).body as Json[];
    expect(links.map((l) => l.id)).toEqual(['bb-dinkes']);
    const devices = (await get('/api/v1/snmp/devices', dinkes)).body as Json[];
    expect(devices.length).toBeGreaterThan(0);
    expect(devices.every((x) => x.opd === 'DINKES')).toBe(true);
    // the core router belongs to DISKOMINFO: an opd-admin is not told which device it is
    const n = await get('/api/v1/devices/dinkes-rtr01/neighbors', dinkes);
    expect(n.body.neighbors.find((x: Json) => x.localPort === 'ether1').remoteDevice).toBeNull();
  });

  it('answers bad, unknown and unpolled devices with 4xx problems', async () => {
    const bad = await get('/api/v1/devices/Not_An_Id!/interfaces');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const unknown = await get('/api/v1/devices/no-such-device/interfaces');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    const noSnmp = await get('/api/v1/devices/dinkes-ap01/interfaces');
    expect(noSnmp.status).toBe(404);
    expect(noSnmp.body.code).toBe('SNMP_NOT_CONFIGURED');
    expect(noSnmp.body.detail).toContain('snmp:');
    expect((await get('/api/v1/devices/dinkes-rtr01/interfaces', 'wrong-token')).status).toBe(401);
  });

  it('drops a device removed from the inventory on reload: its series vanish and its session closes', async () => {
    expect((await get('/api/v1/devices/dinkes-sw03/snmp')).body.state).toBe('up');
    // observe (not replace) session closing
    const close = vi.spyOn(SnmpSession.prototype, 'close');
    const file = join(inventoryDir, 'opds', 'DINKES.yaml');
    const yaml = readFileSync(file, 'utf8');
    const start = yaml.indexOf('  - id: dinkes-sw03');
    const end = yaml.indexOf('  - id: dinkes-ap01');
    expect(start).toBeGreaterThan(0);
    writeFileSync(file, yaml.slice(0, start) + yaml.slice(end));
    expect(d.reload()).not.toBeNull();

    expect((await get('/api/v1/devices/dinkes-sw03/snmp')).status).toBe(404);
    expect(close.mock.contexts.map((c) => (c as SnmpSession).target.id)).toEqual(['dinkes-sw03']);
    close.mockRestore();
    await polls('dinkes-rtr01', 1);
    const text = await (await fetch(`${d.url}/metrics`)).text();
    expect(text).not.toContain('device="dinkes-sw03"');
    expect(text).toContain('device="dinkes-sw02"');
    expect(d.services.store.db.prepare('SELECT count(*) FROM lldp_neighbors WHERE device_id = ?').pluck().get('dinkes-sw03')).toBe(0);
  });
});
