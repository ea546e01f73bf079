// A device that stops answering SNMP, in the daemon (lab mode, SNMP simulators only): its ports
// have no current status or rate in the API and no oper_up sample in /metrics, while the byte
// totals stay, and /backbone and /devices/{id}/interfaces agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { LAB_STARTERS } from '../../../src/lab/lab.js';
import { startSnmpLab, type SnmpLabSimulators } from '../../../src/lab/snmp/starter.js';
import { ADMIN, tempDir, testConfig } from '../../helpers/daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let d: Daemon;
let lab: SnmpLabSimulators | undefined;
let cleanup: () => void;
const saved = [...LAB_STARTERS];

async function get(path: string): Promise<Json> {
  const r = await fetch(d.url + path, { headers: { authorization: `Bearer ${ADMIN}` } });
  expect(r.status, path).toBe(200);
  return (await r.json()) as Json;
}
const metrics = async (): Promise<string> => (await fetch(`${d.url}/metrics`)).text();
/** The exposition lines of one family for one device. */
const lines = (text: string, name: string, device: string): string[] =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(`device="${device}"`));

beforeAll(async () => {
  // only the SNMP simulators, captured so the test can silence one
  LAB_STARTERS.splice(0, LAB_STARTERS.length, async (inv, cred) => (lab = await startSnmpLab(inv, cred)));
  const t = tempDir();
  cleanup = t.cleanup;
  const config = testConfig(t.dir, { log: { level: 'warn' }, snmp: { intervalSeconds: 1, timeoutMs: 1000, retries: 0 } });
  config.lab = true;
  d = await startDaemon(config, { logStream: new PassThrough() });
}, 30_000);
afterAll(async () => {
  await d?.close();
  LAB_STARTERS.splice(0, LAB_STARTERS.length, ...saved);
  cleanup?.();
});

// generous: the whole example fleet is polled every second, and the machine may be busy
const WAIT = { timeout: 60_000, interval: 200 };

describe('ports of a device that does not answer', () => {
  it('have no status or rate in the API and no oper_up sample, and keep their byte totals', { timeout: 200_000 }, async () => {
    // answering: the port is up with a rate (the second sample gives rates)
    await expect.poll(async () => (await get('/api/v1/devices/dinkes-rtr01/interfaces')).interfaces[0].inBps, WAIT).toBeGreaterThan(0);
    const live = await get('/api/v1/devices/dinkes-rtr01/interfaces');
    expect(live.interfaces[0]).toMatchObject({ name: 'ether1', operStatus: 'up', adminStatus: 'up' });
    expect(lines(await metrics(), 'simpul_interface_oper_up', 'dinkes-rtr01')).toHaveLength(live.interfaces.length);

    lab?.sims.get('dinkes-rtr01')?.mute();
    await expect.poll(async () => (await get('/api/v1/devices/dinkes-rtr01/interfaces')).state, WAIT).toBe('down');
    const down = await get('/api/v1/devices/dinkes-rtr01/interfaces');
    expect(down.interfaces).toHaveLength(live.interfaces.length);
    for (const itf of down.interfaces) {
      expect(itf, itf.name).toMatchObject({
        operStatus: null,
        adminStatus: null,
        inBps: null,
        outBps: null,
        inErrorsPerSec: null,
        outErrorsPerSec: null,
        inDiscardsPerSec: null,
        outDiscardsPerSec: null,
      });
      // what was counted stays: totals never go back, and the port is still listed by name
      expect(BigInt(itf.receiveBytesTotal), itf.name).toBeGreaterThanOrEqual(BigInt(live.interfaces.find((x: Json) => x.name === itf.name).receiveBytesTotal));
    }
    // the same rule as the backbone view of the link this port ends
    const link = ((await get('/api/v1/backbone')) as unknown as Json[]).find((l) => l.id === 'bb-dinkes') as Json;
    expect(link.b).toEqual({ device: 'dinkes-rtr01', port: 'ether1', operStatus: null, inBps: null, outBps: null });

    const text = await metrics();
    expect(lines(text, 'simpul_device_up', 'dinkes-rtr01')).toEqual([expect.stringMatching(/ 0$/)]);
    expect(lines(text, 'simpul_interface_oper_up', 'dinkes-rtr01')).toEqual([]);
    expect(lines(text, 'simpul_interface_receive_bytes_total', 'dinkes-rtr01')).toHaveLength(live.interfaces.length);

    // answering again: status and rates come back
    lab?.sims.get('dinkes-rtr01')?.mute(false);
    await expect.poll(async () => (await get('/api/v1/devices/dinkes-rtr01/interfaces')).interfaces[0].operStatus, WAIT).toBe('up');
    expect(lines(await metrics(), 'simpul_interface_oper_up', 'dinkes-rtr01')).toHaveLength(live.interfaces.length);
  });
});
