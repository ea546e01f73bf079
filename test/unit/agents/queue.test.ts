import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchQueue } from '../../../agents/queue.js';
import { readIdentity, writeIdentity } from '../../../agents/identity.js';
import { queueCycle } from '../../../agents/agent.js';
import { MAX_BATCH_BYTES } from '../../../src/agents/protocol.js';
import type { DevicePoll } from '../../../src/snmp/reader.js';
import { tempDir } from '../../helpers/daemon.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const polls = (n: number) => Array.from({ length: n }, (_, i) => ({ deviceId: `sw${i}`, pad: 'x'.repeat(100) }));

describe('the agent batch queue (a real SQLite file)', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const open = (bounds = { maxAgeSeconds: 3600, maxBytes: 1 << 20 }) => {
    const t = tempDir('simpul-agent-queue-');
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'queue.db');
    return { file, dir: t.dir, queue: new BatchQueue(file, bounds) };
  };

  it('numbers batches, hands back the oldest first and forgets what was acknowledged', () => {
    const { queue } = open();
    expect([1, 2, 3].map((i) => queue.append(polls(i), i * 10, at(i)))).toEqual([1, 2, 3]);
    expect(queue.oldest(2).map((b) => [b.batch, b.samples, JSON.parse(b.pollsJson).length])).toEqual([
      [1, 10, 1],
      [2, 20, 2],
    ]);
    queue.ack(2);
    expect(queue.oldest(5).map((b) => b.batch)).toEqual([3]);
    queue.ack(1); // a late, older acknowledgement changes nothing
    expect(queue.status()).toMatchObject({ acked: 2, nextBatch: 4, backlogBatches: 1, droppedSamples: 0 });
    queue.close();
  });

  it('keeps its numbers and backlog across a reopen: a restart never reuses a batch number', () => {
    const { file, queue } = open();
    queue.append(polls(1), 1, at(0));
    queue.append(polls(1), 1, at(1));
    queue.ack(1);
    queue.close();
    const again = new BatchQueue(file, { maxAgeSeconds: 3600, maxBytes: 1 << 20 });
    expect(again.oldest(10).map((b) => b.batch)).toEqual([2]);
    expect(again.append(polls(1), 1, at(2))).toBe(3);
    again.close();
  });

  it('drops the oldest batches past the age bound, counts their samples and declares the range until passed', () => {
    const { queue } = open({ maxAgeSeconds: 60, maxBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) queue.append(polls(1), 48, at(i * 30));
    // at 120 s, batches created at 0 and 30 s are older than 60 s
    expect(queue.oldest(10).map((b) => b.batch)).toEqual([3, 4, 5]);
    expect(queue.status()).toMatchObject({ droppedSamples: 96, droppedBatches: [1, 2] });
    queue.ack(3);
    expect(queue.status().droppedBatches).toBeUndefined();
    expect(queue.status().droppedSamples).toBe(96); // cumulative
    queue.close();
  });

  it('drops the oldest batches past the size bound', () => {
    const { queue } = open({ maxAgeSeconds: 3600, maxBytes: 1000 });
    for (let i = 0; i < 10; i++) queue.append(polls(2), 2, at(i));
    const s = queue.status();
    expect(s.backlogBytes).toBeLessThanOrEqual(1000);
    expect(s.backlogBatches).toBeGreaterThan(0);
    const first = queue.oldest(1)[0]?.batch ?? 0;
    expect(s.droppedBatches).toEqual([1, first - 1]);
    expect(s.droppedSamples).toBe((first - 1) * 2);
    queue.close();
  });
});

describe('a poll cycle queued', () => {
  it('is one batch, or several under what Simpul accepts in one request when the site is large', () => {
    const t = tempDir('simpul-agent-cycle-');
    const queue = new BatchQueue(join(t.dir, 'queue.db'), { maxAgeSeconds: 3600, maxBytes: 1 << 30 });
    const poll = (i: number): DevicePoll => ({
      deviceId: `sw${i}`,
      wallMs: T0.getTime(),
      durationSeconds: 0.1,
      state: 'up',
      errors: [],
      interfaces: Array.from({ length: 2000 }, (_, k) => ({ ifIndex: k + 1, name: `port-${k}-${'x'.repeat(200)}`, descr: '', alias: '', wrongType: false })),
    });
    expect(queueCycle(queue, [poll(0), poll(1)], T0)).toEqual([1]);
    const numbers = queueCycle(
      queue,
      Array.from({ length: 20 }, (_, i) => poll(i)),
      T0,
    );
    expect(numbers.length).toBeGreaterThan(1);
    const batches = queue.oldest(100).slice(1);
    expect(batches.map((b) => b.batch)).toEqual(numbers);
    expect(batches.every((b) => Buffer.byteLength(b.pollsJson) < MAX_BATCH_BYTES / 2)).toBe(true);
    expect(batches.flatMap((b) => (JSON.parse(b.pollsJson) as Array<{ deviceId: string }>).map((p) => p.deviceId))).toEqual(
      Array.from({ length: 20 }, (_, i) => `sw${i}`),
    );
    expect(batches.reduce((n, b) => n + b.samples, 0)).toBe(20 * 2000);
    queue.close();
    t.cleanup();
  });
});

describe('the agent identity file', () => {
  it('is written 0600 and read back', () => {
    const t = tempDir('simpul-agent-id-');
    writeIdentity(join(t.dir, 'data'), { agentId: 'dinkes-agent', secret: 's3cret' });
    expect(statSync(join(t.dir, 'data', 'identity.json')).mode & 0o777).toBe(0o600);
    expect(readIdentity(join(t.dir, 'data'))).toEqual({ agentId: 'dinkes-agent', secret: 's3cret' });
    expect(readIdentity(join(t.dir, 'none'))).toBeUndefined();
    t.cleanup();
  });
});
