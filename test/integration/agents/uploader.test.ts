/**
 * The agent's queue and uploader against a real daemon over HTTPS (the lab certificate on
 * 127.0.0.1), with polls read by the agent's poll loop from a simulated switch: what it drops is
 * declared and counted on both sides, a new enrollment and a recreated queue file lose no poll,
 * and a revoked agent stops.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll, queueCycle } from '../../../agents/agent.js';
import { SimpulClient } from '../../../agents/client.js';
import type { AgentConfig } from '../../../agents/config.js';
import { readIdentity, type Identity } from '../../../agents/identity.js';
import { PollLoop } from '../../../agents/poll-loop.js';
import { BatchQueue } from '../../../agents/queue.js';
import { AgentRefusedError, Uploader } from '../../../agents/uploader.js';
import { agentAuthorization } from '../../../src/agents/protocol.js';
import { LAB_SIMPUL_CERT, LAB_SIMPUL_KEY } from '../../../src/lab/lab-tls.js';
import { SimulatedSwitch } from '../../../src/lab/snmp/switch.js';
import { startTestDaemon, tempDir, type TestDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../interop/peers.js';

const AGENT = 'test-agent';
const DEVICE = 'test-sw01';
const auth = (id: Identity) => agentAuthorization(id.agentId, id.secret);

describe('the agent uploader against a real daemon', () => {
  const tmp = tempDir('simpul-agent-upload-');
  let sim: SimulatedSwitch;
  let daemon: TestDaemon;
  let loop: PollLoop;
  let queue: BatchQueue;
  const warnings: string[] = [];
  const versions = new Set<string>();
  let opdFile: string;

  const agentConfig = (): AgentConfig =>
    ({ server: daemon.tlsUrl as string, ca: LAB_SIMPUL_CERT, agentId: AGENT, dataDir: join(tmp.dir, 'agent') }) as AgentConfig;
  const enrollAgain = async () => {
    const { code } = (await (await daemon.api(`/api/v1/agents/${AGENT}/enrollment-code`, { method: 'POST' })).json()) as { code: string };
    rmSync(join(tmp.dir, 'agent', 'identity.json')); // enroll() never replaces an identity by itself
    await enroll(agentConfig(), code);
  };
  /** Upload until the queue is empty, or until the uploader stops on its own (refused). */
  const drain = async (): Promise<void> => {
    const id = readIdentity(join(tmp.dir, 'agent'));
    const client = new SimpulClient(daemon.tlsUrl as string, LAB_SIMPUL_CERT);
    const u = new Uploader(client, queue, {
      agentId: AGENT,
      authorization: auth(id!),
      agentVersion: 'test',
      retryMaxMs: 200,
      onConfigVersion: (v) => versions.add(v),
      log: (_level, msg) => warnings.push(msg),
    });
    const running = u.run();
    try {
      await Promise.race([running, waitFor('the queue to drain', async () => (queue.status().backlogBatches === 0 ? true : undefined), 10_000)]);
    } finally {
      u.stop();
      client.close();
    }
    await running;
  };
  const cycles = async (n: number) => {
    for (let i = 0; i < n; i++) await loop.cycle();
  };
  const server = async () =>
    (await (await daemon.api(`/api/v1/agents/${AGENT}`)).json()) as { lastBatch: number; droppedSamples: number; backlogBatches: number };
  const applied = async () => {
    const m = /^simpul_snmp_poll_duration_seconds_count (\S+)$/m.exec(await (await daemon.api('/metrics')).text());
    return Number(m?.[1]);
  };

  beforeAll(async () => {
    sim = await SimulatedSwitch.start({
      name: 'sw',
      community: 'c0mm',
      ports: Array.from({ length: 48 }, (_, i) => ({ ifIndex: i + 1, name: `${i + 1}`, speedMbps: 1000, inBps: 1e6, operUp: true })),
    });
    const inv = join(tmp.dir, 'inventory');
    mkdirSync(join(inv, 'opds'), { recursive: true });
    writeFileSync(join(inv, 'regency.yaml'), 'regency: { name: "Kabupaten Uji", province: "Kalimantan Barat" }\n');
    writeFileSync(join(inv, 'backbone.yaml'), 'links: []\n');
    opdFile = join(inv, 'opds', 'DINKES.yaml');
    writeFileSync(
      opdFile,
      `opd: { code: DINKES, name: "Dinas Kesehatan", kind: dinas }
sites: [{ id: dinkes-hq, name: "Kantor", address: "Jl. Uji 1", floors: 1 }]
agents: [{ id: ${AGENT} }]
devices:
  - { id: ${DEVICE}, name: "Switch", role: switch, vendor: Cisco, model: C1000, site: dinkes-hq, mgmt: 127.0.0.1, ports: 48, agent: ${AGENT}, snmp: { version: "2c", credentials: snmp-test, port: ${sim.port} } }
`,
    );
    writeFileSync(join(tmp.dir, 'community'), 'c0mm');
    writeFileSync(join(tmp.dir, 'cert.pem'), LAB_SIMPUL_CERT);
    writeFileSync(join(tmp.dir, 'key.pem'), LAB_SIMPUL_KEY);
    daemon = await startTestDaemon({
      config: {
        inventory: inv,
        credentials: { 'snmp-test': { community: { file: join(tmp.dir, 'community') } } },
        http: { tls: { port: 0, certFile: join(tmp.dir, 'cert.pem'), keyFile: join(tmp.dir, 'key.pem') } },
      },
    });
    const { code } = (await (await daemon.api(`/api/v1/agents/${AGENT}/enrollment-code`, { method: 'POST' })).json()) as { code: string };
    await enroll(agentConfig(), code);
    const client = new SimpulClient(daemon.tlsUrl as string, LAB_SIMPUL_CERT);
    const reply = await client.request('GET', `/api/v1/agents/${AGENT}/config`, { auth: auth(readIdentity(join(tmp.dir, 'agent'))!) });
    client.close();
    const config = reply.body as { targets: Parameters<PollLoop['setTargets']>[0] };
    // room for two polls of a 48-port switch: a third pushes the oldest out
    queue = new BatchQueue(join(tmp.dir, 'agent', 'queue.db'), { maxAgeSeconds: 3600, maxBytes: 45_000 });
    loop = new PollLoop((polls, at) => void queueCycle(queue, polls, at));
    loop.setTargets(config.targets, 60);
  });

  afterAll(async () => {
    await loop?.stop();
    queue?.close();
    await daemon?.stop();
    await sim?.close();
    tmp.cleanup();
  });

  it('declares and counts the batches its bounds dropped, and Simpul takes the rest', async () => {
    await cycles(5);
    const s = queue.status();
    expect(s.droppedBatches).toEqual([1, 5 - s.backlogBatches]);
    expect(s.droppedSamples).toBe((5 - s.backlogBatches) * 48);
    await drain();
    expect(await server()).toMatchObject({ lastBatch: 5, droppedSamples: s.droppedSamples });
    expect(await applied()).toBe(s.backlogBatches);
    expect(queue.status().droppedBatches).toBeUndefined();
    expect(versions.size).toBe(1);
  });

  it('goes on after a new enrollment (Simpul counts from 1 again) without losing a poll', async () => {
    await enrollAgain();
    const before = await applied();
    await cycles(1);
    await drain();
    expect(warnings.some((w) => /expects batch 1/.test(w))).toBe(true);
    expect((await server()).lastBatch).toBe(6);
    expect(await applied()).toBe(before + 1);
  });

  it('renumbers a recreated queue past what Simpul holds, so its polls are not taken for replays', async () => {
    queue.close();
    for (const f of ['queue.db', 'queue.db-wal', 'queue.db-shm']) rmSync(join(tmp.dir, 'agent', f), { force: true });
    queue = new BatchQueue(join(tmp.dir, 'agent', 'queue.db'), { maxAgeSeconds: 3600, maxBytes: 1 << 20 });
    const before = await applied();
    await cycles(2);
    await drain();
    expect((await server()).lastBatch).toBe(8);
    expect(await applied()).toBe(before + 2);
  });

  it('drops only the polls of a device moved off the agent, counted, and Simpul takes the rest of the batch', async () => {
    await cycles(1);
    writeFileSync(opdFile, readFileSync(opdFile, 'utf8').replace(` agent: ${AGENT},`, ''));
    daemon.reload();
    const dropped = queue.status().droppedSamples;
    await drain();
    expect(warnings.some((w) => w.includes(`device ${DEVICE} is no longer polled by this agent`))).toBe(true);
    expect(queue.status().droppedSamples).toBe(dropped + 48);
    expect((await server()).lastBatch).toBe(9);
  });

  it('stops with AgentRefusedError once revoked, keeping its batch', async () => {
    expect((await daemon.api(`/api/v1/agents/${AGENT}/revoke`, { method: 'POST' })).status).toBe(200);
    await cycles(1);
    await expect(drain()).rejects.toBeInstanceOf(AgentRefusedError);
    expect(queue.status().backlogBatches).toBe(1);
  });
});
