/**
 * Interop with lldpd (Debian package `lldpd`) and net-snmp's snmpd as AgentX master: two
 * network namespaces joined by a veth pair (192.0.2.0/30 inside the namespaces only), each
 * running its own snmpd (loopback of its namespace, AgentX master on a unix socket in a temp
 * dir) and lldpd with its AgentX subagent (-x). Simpul's Poller runs inside each namespace
 * (lldp-probe.ts under `ip netns exec`) and must find the other side as an LLDP neighbor.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LldpNeighbor } from '../../src/snmp/lldp.js';
import { ROOT, tempDir } from '../helpers/daemon.js';
import { isRoot, run, startPeer, which, type Peer } from './peers.js';

const SNMPD = which('snmpd');
const LLDPD = which('lldpd');
const IP = which('ip');
const netnsUsable = (): boolean => {
  if (!IP || !isRoot()) return false;
  return run(IP, ['netns', 'list'], { allowFail: true }).status === 0;
};
const skip = !SNMPD || !LLDPD || !netnsUsable();
const SNMP_PORT = 16161; // inside each namespace's own loopback

interface ProbeResult {
  device?: { state: string; reason?: string; sysName?: string };
  interfaces: Array<{ ifIndex: number; name: string }>;
  neighbors: LldpNeighbor[];
}

describe.skipIf(skip)(`interop: lldpd + snmpd AgentX in two network namespaces${skip ? ' (skipped: needs root, ip netns, snmpd and lldpd)' : ''}`, () => {
  const tmp = tempDir('simpul-lldp-');
  const tag = String(process.pid % 100_000);
  const sides = [
    { ns: `simpul-lldp-a-${tag}`, veth: `slla${tag}`, addr: '192.0.2.1/30', host: 'lldp-a.interop' },
    { ns: `simpul-lldp-b-${tag}`, veth: `sllb${tag}`, addr: '192.0.2.2/30', host: 'lldp-b.interop' },
  ] as const;
  const peers: Peer[] = [];
  const results: ProbeResult[] = [];

  const cleanup = async () => {
    await Promise.all(
      peers
        .splice(0)
        .reverse()
        .map((p) => p.stop()),
    );
    for (const s of sides) {
      // lldpd's privilege-separated child may outlive its monitor for a moment: stop what runs in our namespace, by pid
      const pids = run(IP as string, ['netns', 'pids', s.ns], { allowFail: true })
        .stdout.split(/\s+/)
        .filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      run(IP as string, ['netns', 'delete', s.ns], { allowFail: true });
    }
  };

  beforeAll(async () => {
    chmodSync(tmp.dir, 0o755); // lldpd's unprivileged child reaches the AgentX socket here
    for (const s of sides) run(IP as string, ['netns', 'add', s.ns]);
    const [a, b] = sides;
    run(IP as string, ['link', 'add', a.veth, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.veth, 'netns', b.ns]);
    for (const s of sides) {
      run(IP as string, ['-n', s.ns, 'link', 'set', 'lo', 'up']);
      run(IP as string, ['-n', s.ns, 'addr', 'add', s.addr, 'dev', s.veth]);
      run(IP as string, ['-n', s.ns, 'link', 'set', s.veth, 'up']);
      const conf = join(tmp.dir, `snmpd-${s.veth}.conf`);
      const agentx = join(tmp.dir, `agentx-${s.veth}.sock`);
      writeFileSync(
        conf,
        [
          `agentAddress udp:127.0.0.1:${SNMP_PORT}`,
          'rocommunity lldp-interop 127.0.0.1',
          `sysName ${s.host}`,
          'master agentx',
          `agentXSocket ${agentx}`,
          'agentXPerms 0777 0777',
          '',
        ].join('\n'),
      );
      peers.push(
        startPeer(
          IP as string,
          ['netns', 'exec', s.ns, SNMPD as string, '-f', '-Lo', '-C', '-c', conf, '-p', join(tmp.dir, `snmpd-${s.veth}.pid`), '-I', '-smux'],
          { SNMP_PERSISTENT_DIR: join(tmp.dir, `persist-${s.veth}`), MIBS: '' },
        ),
      );
      const lldpConf = join(tmp.dir, `lldpd-${s.veth}.conf`);
      // one LLDPDU a second, port IDs as interface names, a host name per side (the UTS namespace is shared)
      writeFileSync(lldpConf, [`configure system hostname ${s.host}`, 'configure lldp tx-interval 1', 'configure lldp portidsubtype ifname', ''].join('\n'));
      await new Promise((r) => setTimeout(r, 300)); // snmpd creates the AgentX socket before lldpd connects
      peers.push(
        startPeer(IP as string, [
          'netns',
          'exec',
          s.ns,
          LLDPD as string,
          '-d',
          '-x',
          '-X',
          agentx,
          '-u',
          join(tmp.dir, `lldpd-${s.veth}.ctl`),
          '-I',
          s.veth,
          '-O',
          lldpConf,
        ]),
      );
    }
    // each probe polls its namespace's snmpd until a neighbor shows up (LLDPDUs every second)
    for (const s of sides) {
      const out = execFileSync(
        IP as string,
        ['netns', 'exec', s.ns, process.execPath, '--import', 'tsx', join(ROOT, 'test/interop/lldp-probe.ts'), String(SNMP_PORT), 'lldp-interop', '20000'],
        { cwd: ROOT, encoding: 'utf8', timeout: 40_000 },
      );
      results.push(JSON.parse(out) as ProbeResult);
    }
  }, 90_000);

  afterAll(async () => {
    await cleanup();
    tmp.cleanup();
  });

  it('each side discovers the other as an LLDP neighbor: system name and port, mapped to the local interface', () => {
    const failures = () =>
      peers
        .map((p) => p.output())
        .join('\n')
        .slice(-3000);
    expect(results.length, failures()).toBe(2);
    sides.forEach((s, i) => {
      const r = results[i] as ProbeResult;
      const other = sides[1 - i] as (typeof sides)[number];
      expect(r.device?.state, `${r.device?.reason}\n${failures()}`).toBe('up');
      expect(r.device?.sysName).toBe(s.host);
      expect(r.neighbors.length, failures()).toBe(1);
      const n = r.neighbors[0] as LldpNeighbor;
      expect(n.sysName).toBe(other.host);
      expect(n.portIdSubtype).toBe(5); // interfaceName
      expect(n.portId).toBe(other.veth);
      expect(n.chassisIdSubtype).toBe(4); // macAddress
      expect(n.chassisId).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      // lldpLocPortId (the interface name) matched against ifName of the namespace's ifTable
      const local = r.interfaces.find((itf) => itf.name === s.veth);
      expect(local).toBeDefined();
      expect(n.ifIndex).toBe(local?.ifIndex);
      expect(n.ifName).toBe(s.veth);
    });
  });
});
