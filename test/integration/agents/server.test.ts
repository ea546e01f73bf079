import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { agentAuthorization, agentPaths, pollToWire, CONFIG_VERSION_HEADER, type AgentConfig } from '../../../src/agents/protocol.js';
import { DeviceReader, type DevicePoll } from '../../../src/snmp/reader.js';
import { SimulatedSwitch } from '../../../src/lab/snmp/switch.js';
import { simpulAsync } from '../../helpers/cli.js';
import { ADMIN, copyInventory, loopbackOnly, tempDir, testConfig } from '../../helpers/daemon.js';

// A daemon over the example inventory where DINKES has an agent that polls dinkes-sw01, a lab
// switch on 127.0.0.1 (no other device is reached). The test plays the agent: it enrolls, fetches
// its config and reads the switch with the same reader the agent runs.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const AGENT = 'dinkes-agent';
const paths = agentPaths(AGENT);
let d: Daemon;
let sim: SimulatedSwitch;
let cleanup: () => void;
let offsetMs = 0;
let secret = '';

async function call(
  path: string,
  init: { method?: string; json?: unknown; body?: string; auth?: string | null } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = {};
  const auth = init.auth === undefined ? `Bearer ${ADMIN}` : init.auth;
  if (auth !== null) headers.authorization = auth;
  let body = init.body;
  if (init.json !== undefined) body = JSON.stringify(init.json);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(d.url + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
const asAgent = () => agentAuthorization(AGENT, secret);
const code = async () => (await call(`/api/v1/agents/${AGENT}/enrollment-code`, { method: 'POST' })).body.code as string;
const batch = (n: number, polls: DevicePoll[], extra: Json = {}) =>
  call(paths.batches, {
    auth: asAgent(),
    json: {
      batch: n,
      createdAt: new Date().toISOString(),
      agentVersion: '0.1.0',
      backlogBatches: 0,
      droppedSamples: 0,
      polls: polls.map(pollToWire),
      ...extra,
    },
  });
const ifaces = async () => (await call('/api/v1/devices/dinkes-sw01/interfaces')).body.interfaces as Json[];
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  sim = await SimulatedSwitch.start({
    name: 'dinkes-sw01',
    community: 'agent-test',
    ports: [
      { ifIndex: 1, name: 'Gi0/1', alias: 'uplink', speedMbps: 1000, inBps: 40e6, outBps: 8e6 },
      { ifIndex: 2, name: 'Gi0/2', speedMbps: 1000, inBps: 1e6, outBps: 1e6 },
    ],
  });
  const inv = copyInventory(t.dir);
  const file = join(inv, 'opds', 'DINKES.yaml');
  const yaml = readFileSync(file, 'utf8').replace(
    /( {4}mgmt: )10\.255\.10\.2\n((?: {4}.*\n)*?) {4}snmp: \{ version: "2c", credentials: snmp-opd \}\n/,
    `$1127.0.0.1\n$2    snmp: { version: "2c", credentials: snmp-opd, port: ${sim.port} }\n    agent: ${AGENT}\n`,
  );
  writeFileSync(file, `${yaml}\nagents:\n  - id: ${AGENT}\n    description: "office agent"\n    pollIntervalSeconds: 30\n`);
  writeFileSync(join(t.dir, 'community'), 'agent-test');
  const config = testConfig(t.dir, { inventory: inv, log: { level: 'warn' }, credentials: { 'snmp-opd': { community: { file: join(t.dir, 'community') } } } });
  d = await startDaemon(config, { endpoint: loopbackOnly, logStream: new PassThrough(), clock: { now: () => new Date(Date.now() + offsetMs) } });
}, 30_000);
afterAll(async () => {
  await d?.close();
  await sim?.close();
  cleanup?.();
});

describe('remote site agents, the controller side', () => {
  it('enrolls once with a one-time code; a used or expired code is refused and changes nothing', async () => {
    const cli = await simpulAsync(['agent', 'enroll', AGENT], { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN });
    expect(cli.status, cli.stderr).toBe(0);
    const first = /\n([A-Za-z0-9_-]{24})\n$/.exec(cli.stdout)?.[1] as string;
    expect(first).toBeTruthy();
    const ok = await call(paths.enroll, { auth: null, json: { code: first, hostname: 'pc-dinkes', agentVersion: '0.1.0' } });
    expect(ok.status).toBe(200);
    expect(ok.body.agentId).toBe(AGENT);
    secret = ok.body.secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const again = await call(paths.enroll, { auth: null, json: { code: first, agentVersion: '0.1.0' } });
    expect([again.status, again.body.code]).toEqual([401, 'AGENT_CODE_USED']);
    const late = await code();
    offsetMs = 25 * 3600_000;
    const expired = await call(paths.enroll, { auth: null, json: { code: late, agentVersion: '0.1.0' } });
    offsetMs = 0;
    expect([expired.status, expired.body.code]).toEqual([410, 'AGENT_CODE_EXPIRED']);
    const wrong = await call(paths.enroll, { auth: null, json: { code: 'not-a-real-code-at-all', agentVersion: '0.1.0' } });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'AGENT_CODE_INVALID']);

    const view = await call(`/api/v1/agents/${AGENT}`);
    expect(view.body).toMatchObject({ id: AGENT, opd: 'DINKES', enrolled: true, hostname: 'pc-dinkes', devices: ['dinkes-sw01'], lastBatch: 0 });
    expect(JSON.stringify((await call('/api/v1/agents')).body)).not.toContain(secret);
    const audit = (await call('/api/v1/audit?objectType=agent')).body as unknown as Json[];
    expect(audit.map((e) => e.action).sort()).toEqual(['agent.config', 'agent.enroll', 'agent.enrollment_code', 'agent.enrollment_code']);
    // what the agent polls, recorded when the inventory gave it its devices
    expect(audit.find((e) => e.action === 'agent.config')!.after).toMatchObject({ devices: ['dinkes-sw01'], pollIntervalSeconds: 30 });
    expect(JSON.stringify(audit)).not.toContain(first);
  });

  it('gives an agent only its own devices, with the config version on every reply', async () => {
    expect((await call(paths.config, { auth: null })).status).toBe(401);
    expect((await call(paths.config, { auth: agentAuthorization(AGENT, 'x'.repeat(43)) })).body.code).toBe('AGENT_AUTH_INVALID');
    const r = await call(paths.config, { auth: asAgent() });
    expect(r.status).toBe(200);
    const cfg = r.body as AgentConfig;
    expect(cfg.targets.map((t) => t.id)).toEqual(['dinkes-sw01']);
    expect(cfg.targets[0]).toMatchObject({ host: '127.0.0.1', port: sim.port, agent: AGENT, credentials: { version: '2c', community: 'agent-test' } });
    expect(cfg.pollIntervalSeconds).toBe(30);
    expect(r.headers.get(CONFIG_VERSION_HEADER)).toBe(cfg.configVersion);
    // the controller does not poll the device itself
    expect((await call('/api/v1/devices/dinkes-sw01/snmp')).body).toMatchObject({ state: 'unknown', reason: `polled by agent ${AGENT}` });
  });

  it("folds the agent's polls into the device's interfaces and /metrics: backlog continuous, replays and gaps refused", async () => {
    const target = ((await call(paths.config, { auth: asAgent() })).body as AgentConfig).targets[0]!;
    const reader = new DeviceReader(target);
    const polls: DevicePoll[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        if (i) await sleep(1100);
        polls.push(await reader.read());
      }
    } finally {
      reader.close();
    }
    const [p1, p2, p3] = polls as [DevicePoll, DevicePoll, DevicePoll];
    expect(p3.state).toBe('up');
    expect((await batch(1, [p1])).body).toMatchObject({ acked: 1 });

    // refused whole, nothing stored: the next batch is still 2
    const foreign = await batch(2, [{ ...p2, deviceId: 'dinkes-sw02' }]);
    expect([foreign.status, foreign.body.code]).toEqual([403, 'AGENT_DEVICE_NOT_ASSIGNED']);
    expect([foreign.body.field, foreign.body.detail]).toEqual(['polls.0.deviceId', expect.stringContaining("device 'dinkes-sw02'")]);
    // what a hostile agent sends as it is (the agent's own encoder replaces control characters)
    const hostile = await batch(2, [], { polls: [{ ...pollToWire(p2), sysName: 'sw\u0000\u001b[2J' }] });
    expect([hostile.status, hostile.body.code, hostile.body.field]).toEqual([400, 'VALIDATION_FAILED', 'polls.0.sysName']);
    expect(hostile.body.detail).toContain('control characters');
    const ahead = await batch(2, [p2], { createdAt: new Date(Date.now() + 3600_000).toISOString() });
    expect([ahead.status, ahead.body.code]).toEqual([422, 'AGENT_CLOCK_AHEAD']);
    const big = await call(paths.batches, { auth: asAgent(), body: JSON.stringify({ batch: 2, pad: 'x'.repeat(9 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    const gap = await batch(3, [p3]);
    expect([gap.status, gap.body.code, gap.body.expected]).toEqual([409, 'AGENT_BATCH_GAP', 2]);
    // refusals after authentication carry the config version too
    expect(gap.headers.get(CONFIG_VERSION_HEADER)).toMatch(/^[0-9a-f]{16}$/);

    // a backlog of two polls in one batch, listed newest first: applied in the order they were read
    expect((await batch(2, [p3, p2], { backlogBatches: 5 })).body).toMatchObject({ acked: 2 });
    const busiest = p3
      .interfaces!.map((i) => ({ i, p1: p1.interfaces!.find((x) => x.ifIndex === i.ifIndex)!, p2: p2.interfaces!.find((x) => x.ifIndex === i.ifIndex)! }))
      .sort((a, b) => Number(b.i.reading!.inOctets - b.p1.reading!.inOctets - (a.i.reading!.inOctets - a.p1.reading!.inOctets)))[0]!;
    const r3 = busiest.i.reading!;
    const r2 = busiest.p2.reading!;
    expect(r3.inOctets).toBeGreaterThan(r2.inOctets);
    const view = (await ifaces()).find((x) => x.index === busiest.i.ifIndex)!;
    expect(view.receiveBytesTotal).toBe(String(r3.inOctets - busiest.p1.reading!.inOctets));
    // the rate of the last interval, on the agent's timestamps (the switch's ticks), not a backlog's sum
    expect(view.inBps).toBeCloseTo((Number(r3.inOctets - r2.inOctets) * 8) / ((r3.ticks!.inOctets! - r2.ticks!.inOctets!) / 100), 6);

    // a replay is acknowledged and changes nothing
    expect((await batch(2, [p3, p2])).body).toMatchObject({ acked: 2 });
    expect((await batch(1, [p1])).body).toMatchObject({ acked: 2 });
    // even when the replayed batch would not pass today (its device moved to another poller, say)
    expect((await batch(2, [{ ...p2, deviceId: 'dinkes-sw02' }])).body).toMatchObject({ acked: 2 });
    expect((await ifaces()).find((x) => x.index === busiest.i.ifIndex)!.receiveBytesTotal).toBe(view.receiveBytesTotal);
    // a declared gap (the agent dropped batch 3 for age) is accepted
    expect((await batch(4, [], { droppedBatches: [3, 3], droppedSamples: 7 })).body).toMatchObject({ acked: 4 });

    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(sample(metrics, 'simpul_agent_up', { agent: AGENT })).toBe(1);
    expect(sample(metrics, 'simpul_agent_dropped_samples_total', { agent: AGENT })).toBe(7);
    expect(sample(metrics, 'simpul_agent_backlog_batches', { agent: AGENT })).toBe(0);
    expect(sample(metrics, 'simpul_agent_last_seen_timestamp_seconds', { agent: AGENT })).toBeGreaterThan(0);
    expect(sample(metrics, 'simpul_interface_receive_bytes_total', { device: 'dinkes-sw01', interface: view.name })).toBe(Number(view.receiveBytesTotal));
    expect((await call(`/api/v1/agents/${AGENT}`)).body).toMatchObject({ lastBatch: 4, droppedSamples: 7, up: true });
  }, 20_000);

  it("shows an OPD admin its own office's agents only, and lets only a NOC admin enroll or revoke", async () => {
    const token = async (opd: string) => (await call('/api/v1/tokens', { json: { name: `admin-${opd}`, role: 'opd-admin', opd } })).body.token as string;
    const dinkes = `Bearer ${await token('DINKES')}`;
    const bappeda = `Bearer ${await token('BAPPEDA')}`;
    expect((await call('/api/v1/agents', { auth: dinkes })).body.map((a: Json) => a.id)).toEqual([AGENT]);
    expect((await call('/api/v1/agents', { auth: bappeda })).body).toEqual([]);
    expect((await call(`/api/v1/agents/${AGENT}`, { auth: bappeda })).status).toBe(404);
    expect((await call(`/api/v1/agents/${AGENT}/enrollment-code`, { method: 'POST', auth: dinkes })).status).toBe(403);
    expect((await call(`/api/v1/agents/${AGENT}/revoke`, { method: 'POST', auth: dinkes })).status).toBe(403);
  });

  it('refuses a revoked agent at its next request', async () => {
    const env = { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN };
    expect((await call(`/api/v1/agents/${AGENT}/revoke`, { method: 'POST' })).status).toBe(200);
    expect((await simpulAsync(['agent', 'list'], env)).stdout).toMatch(new RegExp(`^${AGENT} +DINKES +revoked `, 'm'));
    expect((await call(`/api/v1/agents/${AGENT}`)).body).toMatchObject({ enrolled: false, revokedAt: expect.any(String) });
    const next = await call(paths.config, { auth: asAgent() });
    expect([next.status, next.body.code]).toEqual([401, 'AGENT_REVOKED']);
    expect((await batch(5, [])).status).toBe(401);
  });
});
