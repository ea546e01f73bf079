/**
 * The agent at work: enrolls once, then polls its devices on the server's interval into the
 * durable queue and uploads it. The config Simpul hands out (devices, credentials, interval) is
 * kept in `<dataDir>/server-config.json` (0600), so a restart while Simpul is unreachable polls
 * at once with the last one it had.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  agentAuthorization,
  agentPaths,
  MAX_BATCH_BYTES,
  pollToWire,
  type AgentConfig as ServerConfig,
  type DevicePollWire,
  type EnrollReply,
} from '../src/agents/protocol.js';
import type { DevicePoll } from '../src/snmp/reader.js';
import { backoffMs } from './backoff.js';
import { describeReply, SimpulClient } from './client.js';
import type { AgentConfig } from './config.js';
import { readIdentity, writeIdentity } from './identity.js';
import { PollLoop } from './poll-loop.js';
import { BatchQueue } from './queue.js';
import { AgentRefusedError, Uploader } from './uploader.js';

export const AGENT_VERSION = '0.1.0';

export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** One JSON line per event on stdout (the journal under systemd); never a secret. */
export const jsonLog: Log = (level, msg, fields = {}) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);

/** A batch stays well under what Simpul accepts in one request (a site with hundreds of switches makes several). */
const BATCH_BYTES = MAX_BATCH_BYTES / 2;

/** Queue one poll cycle as one batch, or several when it is large; returns their numbers. */
export function queueCycle(queue: BatchQueue, polls: DevicePoll[], at: Date): number[] {
  const batches: number[] = [];
  let chunk: DevicePollWire[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    // interface samples: what the queue counts when it has to drop the batch
    batches.push(
      queue.append(
        chunk,
        chunk.reduce((n, p) => n + (p.interfaces?.length ?? 0), 0),
        at,
      ),
    );
    chunk = [];
    bytes = 0;
  };
  for (const p of polls) {
    const w = pollToWire(p);
    const size = JSON.stringify(w).length;
    if (bytes + size > BATCH_BYTES) flush();
    chunk.push(w);
    bytes += size;
  }
  flush();
  return batches;
}

/** Trade the one-time code for the agent's secret and keep it (0600). */
export async function enroll(config: AgentConfig, code: string): Promise<void> {
  if (readIdentity(config.dataDir)) throw new Error(`${config.dataDir}/identity.json exists: this agent is enrolled already (remove it to enroll again)`);
  const client = new SimpulClient(config.server, config.ca);
  try {
    const reply = await client.request('POST', agentPaths(config.agentId).enroll, { body: { code, hostname: hostname(), agentVersion: AGENT_VERSION } });
    if (reply.status !== 200 && reply.status !== 201) throw new Error(`enrollment refused: ${describeReply(reply)}`);
    const { agentId, secret } = reply.body as EnrollReply;
    writeIdentity(config.dataDir, { agentId, secret });
  } finally {
    client.close();
  }
}

const serverConfigPath = (dataDir: string) => join(dataDir, 'server-config.json');

function readServerConfig(dataDir: string): ServerConfig | undefined {
  try {
    return JSON.parse(readFileSync(serverConfigPath(dataDir), 'utf8')) as ServerConfig;
  } catch {
    return undefined;
  }
}

function writeServerConfig(dataDir: string, c: ServerConfig): void {
  const tmp = `${serverConfigPath(dataDir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
  renameSync(tmp, serverConfigPath(dataDir));
}

export interface RunningAgent {
  /** Resolves when the agent stops: on stop(), or rejects when Simpul refuses it. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function runAgent(config: AgentConfig, log: Log = jsonLog): RunningAgent {
  const identity = readIdentity(config.dataDir);
  if (!identity) throw new Error(`not enrolled: run 'simpul-agent enroll --config FILE --code CODE' first (no ${config.dataDir}/identity.json)`);
  const auth = agentAuthorization(identity.agentId, identity.secret);
  const client = new SimpulClient(config.server, config.ca);
  const localBounds = config.queue;
  const queue = new BatchQueue(join(config.dataDir, 'queue.db'), localBounds);
  let current: ServerConfig | undefined;
  let stopped = false;
  const stopping = new AbortController();
  let fetching: Promise<void> | undefined;

  /** Fetch the config until it arrives (backoff while unreachable); a refusal ends the agent. */
  const fetchConfig = async (): Promise<void> => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const reply = await client.request('GET', agentPaths(identity.agentId).config, { auth });
        if (reply.status === 401)
          throw new AgentRefusedError(`Simpul refused this agent (${describeReply(reply)}): revoked, or its secret is wrong; enroll it again`);
        if (stopped) return;
        if (reply.status === 200) {
          const c = reply.body as ServerConfig;
          writeServerConfig(config.dataDir, c);
          apply(c);
          log('info', 'config loaded', { configVersion: c.configVersion, devices: c.targets.length, pollIntervalSeconds: c.pollIntervalSeconds });
          return;
        }
        if (attempt % 10 === 0) log('warn', `config not served: ${describeReply(reply)}`);
      } catch (e) {
        if (e instanceof AgentRefusedError) throw e;
        if (attempt % 10 === 0) log('warn', `cannot reach Simpul for the config: ${(e as Error).message}`);
      }
      await sleep(backoffMs(attempt, 1000, config.retryMaxSeconds * 1000), undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };

  let refuse: (e: Error) => void = () => undefined;
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  const refetch = () => {
    if (fetching) return;
    fetching = fetchConfig()
      .catch((e: Error) => refuse(e))
      .finally(() => (fetching = undefined));
  };

  const uploader = new Uploader(client, queue, {
    agentId: identity.agentId,
    authorization: auth,
    agentVersion: AGENT_VERSION,
    retryMaxMs: config.retryMaxSeconds * 1000,
    log,
    onConfigVersion: (v) => {
      if (v !== current?.configVersion) refetch();
    },
  });

  const loop = new PollLoop((polls, at) => {
    for (const batch of queueCycle(queue, polls, at)) if (config.logLevel === 'debug') log('info', 'batch queued', { batch });
    uploader.notify();
  });

  const apply = (c: ServerConfig) => {
    current = c;
    // the site's own bounds are its disk; the NOC's may ask for less
    queue.setBounds({ maxAgeSeconds: Math.min(localBounds.maxAgeSeconds, c.queue.maxAgeSeconds), maxBytes: Math.min(localBounds.maxBytes, c.queue.maxBytes) });
    loop.setTargets(c.targets, c.pollIntervalSeconds);
    loop.start();
  };

  const cached = readServerConfig(config.dataDir);
  if (cached) apply(cached);
  refetch();
  log('info', 'agent started', { agentId: identity.agentId, server: config.server, cachedConfig: cached?.configVersion ?? null, ...queue.status() });

  const uploading = uploader.run();
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    stopping.abort();
    uploader.stop();
    client.close();
    await Promise.allSettled([uploading, fetching, loop.stop()]);
    queue.close();
  };
  const done = Promise.race([uploading, refused]).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { done, stop };
}
