/**
 * Interop with net-snmp's snmpd (Debian package `snmpd`): a private instance on a loopback
 * high port with a generated config (v2c community; v3 authPriv user with SHA-256 + AES made
 * by createUser in a private persistent dir), polled by Simpul's Poller over v2c and v3.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Poller } from '../../src/snmp/poller.js';
import type { PollTarget } from '../../src/snmp/session.js';
import { tempDir } from '../helpers/daemon.js';
import { freeUdpPort, sleep, startPeer, waitFor, which, type Peer } from './peers.js';

const SNMPD = which('snmpd');
const V3 = { user: 'simpul-interop', authKey: 'interop-auth-0123', privKey: 'interop-priv-0123' };

/** Send `bytes` through a TCP connection on 127.0.0.1: traffic that lo must count. */
async function loopbackTraffic(bytes: number): Promise<void> {
  const srv = net.createServer((s) => s.resume());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.end(Buffer.alloc(bytes, 0x5a)));
    c.on('error', reject);
    c.on('close', () => resolve());
  });
  await new Promise<void>((r) => srv.close(() => r()));
}

describe.skipIf(!SNMPD)(`interop: net-snmp snmpd${SNMPD ? '' : ' (skipped: snmpd not installed, run scripts/install-interop-peers.sh)'}`, () => {
  const tmp = tempDir('simpul-snmpd-');
  let peer: Peer;
  let port: number;
  const pollers: Poller[] = [];
  const target = (id: string, credentials: PollTarget['credentials']): PollTarget => ({
    id,
    host: '127.0.0.1',
    port,
    credentials,
    timeoutMs: 1500,
    retries: 1,
    lldp: false,
  });
  const v2c = () => target('snmpd-v2c', { version: '2c', community: 'simpul-ro' });
  const v3 = (authKey = V3.authKey) =>
    target('snmpd-v3', { version: '3', user: V3.user, authProtocol: 'sha256', authKey, privProtocol: 'aes', privKey: V3.privKey });
  const poller = () => {
    const p = new Poller({ concurrency: 4 });
    pollers.push(p);
    return p;
  };

  beforeAll(async () => {
    port = await freeUdpPort();
    const conf = `${tmp.dir}/snmpd.conf`;
    writeFileSync(
      conf,
      [
        `agentAddress udp:127.0.0.1:${port}`,
        'rocommunity simpul-ro 127.0.0.1',
        `createUser ${V3.user} SHA-256 "${V3.authKey}" AES "${V3.privKey}"`,
        `rouser ${V3.user} priv`,
        'sysName simpul-interop-snmpd',
        '',
      ].join('\n'),
    );
    // -C: only our config; -f: foreground; -Lo: log to stdout; -I -smux: no SMUX listener; no MIB files loaded (MIBS='')
    peer = startPeer(SNMPD as string, ['-f', '-Lo', '-C', '-c', conf, '-p', `${tmp.dir}/snmpd.pid`, '-I', '-smux'], {
      SNMP_PERSISTENT_DIR: `${tmp.dir}/persist`,
      MIBS: '',
    });
    const probe = poller();
    probe.setDevices([v2c()]);
    await waitFor('snmpd to answer', async () => ((await probe.pollOnce()).devices[0]?.state === 'up' ? true : undefined), 15_000, 300).catch((e) => {
      throw new Error(`${String(e)}\nsnmpd output:\n${peer.output()}`);
    });
  });

  afterAll(async () => {
    for (const p of pollers) p.close();
    await peer?.stop();
    tmp.cleanup();
  });

  it('v2c: reads sysName and ifTable/ifXTable (lo with 64-bit counters), computes lo rates after two cycles', async () => {
    const p = poller();
    p.setDevices([v2c()]);
    await p.pollOnce();
    const dev = p.deviceState('snmpd-v2c');
    expect(dev?.state).toBe('up');
    expect(dev?.sysName).toBe('simpul-interop-snmpd');
    expect(dev?.hasIfXTable).toBe(true);
    const lo = p.findInterface('snmpd-v2c', 'lo');
    expect(lo?.counterBits).toBe(64);
    expect(lo?.operUp).toBe(true);
    expect(lo?.speedBps).toBe(10e6); // Linux reports lo at 10 Mb/s
    expect(lo?.rates).toBeUndefined(); // first sample is only a baseline

    // lo is shared with every other test on this machine: its rate can exceed lo's nominal
    // 10 Mb/s, which the poller rightly rejects; a few cycles give at least one rate. snmpd
    // caches its interface data for a few seconds, so cycles are 3.5 s apart.
    let withRate: NonNullable<ReturnType<Poller['findInterface']>> | undefined;
    for (let i = 0; i < 4 && !withRate; i++) {
      await loopbackTraffic(200_000);
      await sleep(3500);
      await p.pollOnce();
      const v = p.findInterface('snmpd-v2c', 'lo');
      if (v?.rates && v.rates.inBps > 0) withRate = v;
      else expect(v?.lastRejected).toBe('above_speed');
    }
    expect(withRate, 'no cycle produced a rate for lo').toBeDefined();
    expect(withRate?.rates?.inBps).toBeGreaterThan(0);
    expect(withRate?.rates?.outBps).toBeGreaterThan(0);
    // the loop stops at the first accepted sample: its delta holds at least the bytes pushed through lo
    expect(Number(withRate?.totals.inOctets)).toBeGreaterThanOrEqual(200_000);
    expect(p.deviceState('snmpd-v2c')?.errors).toEqual({});
  });

  it('v3 authPriv (SHA-256 + AES-128) reads the same agent', async () => {
    const p = poller();
    p.setDevices([v3()]);
    await p.pollOnce();
    const dev = p.deviceState('snmpd-v3');
    expect(dev?.state, dev?.reason).toBe('up');
    expect(dev?.sysName).toBe('simpul-interop-snmpd');
    expect(p.findInterface('snmpd-v3', 'lo')?.counterBits).toBe(64);
    await sleep(1100);
    await p.pollOnce();
    const lo = p.findInterface('snmpd-v3', 'lo');
    expect(lo?.rates !== undefined || lo?.lastRejected === 'above_speed').toBe(true);
  });

  it('a wrong v3 auth key is a clear per-device error; the v2c device in the same cycle stays up', async () => {
    const p = poller();
    p.setDevices([v2c(), { ...v3('not-the-auth-key-0'), id: 'snmpd-v3-wrong' }]);
    const report = await p.pollOnce();
    const bad = report.devices.find((d) => d.deviceId === 'snmpd-v3-wrong');
    const good = report.devices.find((d) => d.deviceId === 'snmpd-v2c');
    expect(good?.state).toBe('up');
    expect(bad?.state).toBe('down');
    expect(bad?.errors.length).toBeGreaterThan(0);
    // net-snmp's report PDU (usmStatsWrongDigests) comes back as the device's reason
    expect(p.deviceState('snmpd-v3-wrong')?.reason).toMatch(/^system group: invalid_response: Wrong Digest/);
    expect(p.interfaces('snmpd-v3-wrong')).toEqual([]);
  });
});
