/**
 * A remote site agent end to end, with a network between it and Simpul that the test cuts:
 * a network namespace for the office (the agent, and Simpul's simulated switch on the
 * namespace's own loopback, which Simpul cannot reach), joined to the daemon's namespace by a
 * veth pair (198.51.100.0/30, TEST-NET-2, on the test's own veth only). The daemon serves its
 * HTTPS listener on the veth address with a certificate made here by openssl; the agent runs as
 * its own process (`simpul-agent` from source) under `ip netns exec`.
 *
 * Port 1 of the switch carries traffic while the link goes down for several poll intervals and
 * while the agent is SIGKILLed with a backlog and restarted; then the traffic stops and the
 * counter freezes. Every poll must arrive exactly once (batches contiguous on both sides, one
 * applied poll per batch), the byte total must equal the counter's movement to the byte, no
 * sample is rejected as a spike, and a revoked agent is refused at its next request.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpSession } from '../../src/snmp/session.js';
import { ROOT, startTestDaemon, tempDir, type TestDaemon } from '../helpers/daemon.js';
import { isRoot, run, sleep, startPeer, waitFor, which, type Peer } from './peers.js';

const IP = which('ip');
const OPENSSL = which('openssl');
const netnsUsable = (): boolean => !!IP && isRoot() && run(IP, ['netns', 'list'], { allowFail: true }).status === 0;
const skip = !OPENSSL || !netnsUsable();

const SNMP_PORT = 16171; // on the office namespace's loopback
const COMMUNITY = 'agent-netns-test';
const DAEMON_ADDR = '198.51.100.1';
const AGENT_ADDR = '198.51.100.2';
const AGENT = 'dinkes-agent';
const DEVICE = 'dinkes-sw09';
const BPS = 80_000_000; // 80 Mb/s on a 1 Gb/s port

const OPD_FILE = `opd: { code: DINKES, name: "Dinas Kesehatan", kind: dinas }
sites:
  - { id: dinkes-hq, name: "Kantor Dinas Kesehatan", address: "Jl. Dr. Soetomo No. 2", floors: 2 }
agents:
  - { id: ${AGENT}, description: "agent at the office" }
devices:
  - id: ${DEVICE}
    name: "Switch DINKES 9"
    role: switch
    vendor: Cisco
    model: C1000-48T-4G-L
    site: dinkes-hq
    label: SW09
    space: L1R01
    mgmt: 127.0.0.1
    ports: 48
    agent: ${AGENT}
    snmp: { version: "2c", credentials: snmp-office, port: ${SNMP_PORT} }
`;

/** JSON lines from a child's stdout, in order. */
function lines(child: { stdout: Readable }): () => Promise<Record<string, unknown>> {
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(v: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    const v = JSON.parse(l) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(v);
    else queue.push(v);
  });
  return () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r)));
}

describe.skipIf(skip)(`an agent behind a link that drops${skip ? ' (skipped: needs root, ip netns and openssl)' : ''}`, () => {
  const tmp = tempDir('simpul-agent-netns-');
  const tag = String(process.pid % 100_000);
  const ns = `simpul-agent-${tag}`;
  const vethRoot = `sagr${tag}`;
  const vethNs = `sagn${tag}`;
  let daemon: TestDaemon;
  let sw: ChildProcessByStdio<Writable, Readable, null>;
  let next: () => Promise<Record<string, unknown>>;
  const agents: Peer[] = [];
  const agentConfig = join(tmp.dir, 'agent.yaml');
  const agentData = join(tmp.dir, 'agent-data');

  const ipns = (...args: string[]) => run(IP as string, ['-n', ns, ...args]);
  const linkDown = () => ipns('link', 'set', vethNs, 'down');
  const linkUp = () => ipns('link', 'set', vethNs, 'up');
  const startAgent = (): Peer => {
    const p = startPeer(IP as string, ['netns', 'exec', ns, process.execPath, '--import', 'tsx', join(ROOT, 'agents/main.ts'), 'run', '--config', agentConfig]);
    agents.push(p);
    return p;
  };
  const agentState = async () =>
    (await (await daemon.api(`/api/v1/agents/${AGENT}`)).json()) as {
      lastBatch: number;
      backlogBatches: number;
      droppedSamples: number;
      enrolled: boolean;
      address: string | null;
    };
  const port1 = async () => {
    const body = (await (await daemon.api(`/api/v1/devices/${DEVICE}/interfaces`)).json()) as {
      interfaces: Array<{
        index: number;
        inBps: number | null;
        receiveBytesTotal: string;
        lastDiscontinuity: string | null;
        lastRejected: string | null;
        sampledAt: string | null;
      }>;
    };
    return body.interfaces.find((i) => i.index === 1);
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await daemon.api('/metrics')).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  };
  /** Every batch the agent made so far is acknowledged (read from the agent's own queue file). */
  const caughtUp = async () => {
    const db = new Database(join(agentData, 'queue.db'), { readonly: true, fileMustExist: true });
    try {
      const made = (db.prepare("SELECT value FROM state WHERE key = 'next_batch'").get() as { value: number }).value - 1;
      return (await agentState()).lastBatch === made && made > 0 ? made : undefined;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    run(IP as string, ['netns', 'add', ns]);
    run(IP as string, ['link', 'add', vethRoot, 'type', 'veth', 'peer', 'name', vethNs, 'netns', ns]);
    run(IP as string, ['addr', 'add', `${DAEMON_ADDR}/30`, 'dev', vethRoot]);
    run(IP as string, ['link', 'set', vethRoot, 'up']);
    ipns('link', 'set', 'lo', 'up');
    ipns('addr', 'add', `${AGENT_ADDR}/30`, 'dev', vethNs);
    linkUp();

    // Simpul's certificate for its veth address, and its inventory: one office, one agent, one switch
    run(OPENSSL as string, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(tmp.dir, 'key.pem'),
      '-out',
      join(tmp.dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=simpul-agent-test',
      '-addext',
      `subjectAltName=IP:${DAEMON_ADDR}`,
    ]);
    const inv = join(tmp.dir, 'inventory');
    mkdirSync(join(inv, 'opds'), { recursive: true });
    writeFileSync(join(inv, 'regency.yaml'), 'regency: { name: "Kabupaten Uji", province: "Kalimantan Barat" }\n');
    writeFileSync(join(inv, 'backbone.yaml'), 'links: []\n');
    writeFileSync(join(inv, 'opds', 'DINKES.yaml'), OPD_FILE);
    writeFileSync(join(tmp.dir, 'community'), COMMUNITY);

    sw = spawn(
      IP as string,
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', join(ROOT, 'test/interop/agent-switch.ts'), String(SNMP_PORT), COMMUNITY],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    next = lines(sw);
    daemon = await startTestDaemon({
      config: {
        inventory: inv,
        credentials: { 'snmp-office': { community: { file: join(tmp.dir, 'community') } } },
        snmp: { intervalSeconds: 1 },
        http: { tls: { host: DAEMON_ADDR, port: 0, certFile: join(tmp.dir, 'cert.pem'), keyFile: join(tmp.dir, 'key.pem') } },
      },
    });
    writeFileSync(
      agentConfig,
      [
        `server: ${daemon.tlsUrl}`,
        `caFile: ${join(tmp.dir, 'cert.pem')}`,
        `agentId: ${AGENT}`,
        `dataDir: ${agentData}`,
        'retryMaxSeconds: 1',
        'logLevel: debug',
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    if (sw && sw.exitCode === null) {
      sw.stdin.write('exit\n');
      await new Promise((r) => sw.once('exit', r));
    }
    if (daemon) await daemon.stop();
    run(IP as string, ['link', 'delete', vethRoot], { allowFail: true });
    run(IP as string, ['netns', 'delete', ns], { allowFail: true });
    tmp.cleanup();
  });

  it('enrolls, polls a switch Simpul cannot reach, loses and doubles nothing across outages and a SIGKILL, and is refused once revoked', async () => {
    const { inOctets: c0 } = (await next()) as { inOctets: string };
    // the switch answers inside the office's namespace only
    const fromDaemonSide = new SnmpSession({
      id: 'probe',
      host: '127.0.0.1',
      port: SNMP_PORT,
      credentials: { version: '2c', community: COMMUNITY },
      timeoutMs: 300,
      retries: 0,
    });
    await expect(fromDaemonSide.get(['1.3.6.1.2.1.1.3.0'])).rejects.toMatchObject({ reason: 'timeout' });
    fromDaemonSide.close();

    // enrollment: a one-time code from the NOC, traded once by the agent for its secret
    const issued = await daemon.api(`/api/v1/agents/${AGENT}/enrollment-code`, { method: 'POST' });
    expect(issued.status).toBe(201);
    const { code } = (await issued.json()) as { code: string };
    // a child of its own (the daemon answers from this process: nothing here may block)
    const enrolling = startPeer(IP as string, [
      'netns',
      'exec',
      ns,
      process.execPath,
      '--import',
      'tsx',
      join(ROOT, 'agents/main.ts'),
      'enroll',
      '--config',
      agentConfig,
      '--code',
      code,
    ]);
    const enrolled = await waitFor('enrollment', async () => enrolling.child.exitCode ?? undefined, 30_000);
    expect(enrolled, enrolling.output()).toBe(0);
    expect(statSync(join(agentData, 'identity.json')).mode & 0o777).toBe(0o600);
    expect(await agentState()).toMatchObject({ enrolled: true, address: AGENT_ADDR });

    let agent = startAgent();
    await waitFor('the first poll through the agent', async () => ((await port1())?.sampledAt ? true : undefined), 20_000);
    sw.stdin.write(`on ${BPS}\n`);
    await next();
    const near = (bps: number | null | undefined) => bps !== null && bps !== undefined && Math.abs(bps - BPS) < BPS * 0.1;
    await waitFor('the switch rate through the agent', async () => (near((await port1())?.inBps) ? true : undefined), 15_000);

    // the link goes down for several poll intervals: nothing arrives, the agent keeps polling
    linkDown();
    // a batch that reached Simpul just before the cut is stored though its acknowledgement is lost
    await sleep(500);
    const before = (await agentState()).lastBatch;
    await sleep(3500);
    expect((await agentState()).lastBatch).toBe(before);
    linkUp();
    const afterOutage = await waitFor('the backlog after the outage', caughtUp, 20_000);
    expect(afterOutage - before).toBeGreaterThanOrEqual(2);
    expect(near((await port1())?.inBps)).toBe(true);

    // SIGKILL with a backlog, restarted while Simpul is still out of reach (it polls from its cached config)
    linkDown();
    await sleep(2500);
    agent.child.kill('SIGKILL');
    await agent.stop();
    agent = startAgent();
    await sleep(2500);
    linkUp();
    await waitFor('the backlog after the restart', caughtUp, 25_000);

    // traffic stops: the counter is frozen, and the total must be its movement to the byte
    sw.stdin.write('off\n');
    const { inOctets: c1 } = (await next()) as { inOctets: string };
    const offAt = Date.now();
    await waitFor(
      'a poll after the traffic stopped',
      async () => {
        const p = await port1();
        return p?.sampledAt && Date.parse(p.sampledAt) > offAt + 100 && (await caughtUp()) ? true : undefined;
      },
      15_000,
    );
    const p = await port1();
    expect(BigInt(p!.receiveBytesTotal)).toBe(BigInt(c1) - BigInt(c0));
    expect(BigInt(c1) - BigInt(c0)).toBeGreaterThan(0n);
    expect(p!.lastRejected).toBeNull();
    expect(p!.lastDiscontinuity).toBe('first_sample');
    expect(await metric('simpul_snmp_rejected_samples_total')).toBe(0);

    // revoked: refused at its next request; the agent stops (exit 78) and its queue says what Simpul holds
    expect((await daemon.api(`/api/v1/agents/${AGENT}/revoke`, { method: 'POST' })).status).toBe(200);
    const exit = await waitFor('the agent to stop', async () => agent.child.exitCode ?? undefined, 15_000);
    expect(exit).toBe(78);
    expect(agent.output()).toMatch(/AGENT_REVOKED/);
    const db = new Database(join(agentData, 'queue.db'), { readonly: true });
    const stateOf = (key: string) => (db.prepare('SELECT value FROM state WHERE key = ?').get(key) as { value: number }).value;
    const acked = stateOf('acked');
    const droppedSamples = stateOf('dropped_samples');
    db.close();
    const server = await agentState();
    expect(server.lastBatch).toBe(acked);
    expect(server.droppedSamples).toBe(0);
    expect(droppedSamples).toBe(0);
    // the polls the agent made, by its log across both runs: numbered 1..n once each, and every one
    // Simpul acknowledged applied exactly once (one device: one poll per batch)
    const queued = agents.flatMap((a) =>
      a
        .output()
        .split('\n')
        .filter((l) => l.includes('"batch queued"'))
        .map((l) => (JSON.parse(l) as { batch: number }).batch),
    );
    expect(queued).toEqual(Array.from({ length: queued.length }, (_, i) => i + 1));
    expect(queued.length - acked).toBeLessThanOrEqual(3); // made after the last acknowledgement
    expect(await metric('simpul_snmp_poll_duration_seconds_count')).toBe(acked);
  }, 120_000);
});
