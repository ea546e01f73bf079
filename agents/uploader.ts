/**
 * Sends the queue to Simpul, oldest batch first, one batch per request over one kept-alive
 * connection, and forgets a batch only once Simpul acknowledged it. A retry or a restart resends
 * the same batch number, which Simpul's ingest takes once. While Simpul is unreachable it waits
 * with jittered exponential backoff; polling goes on meanwhile and the queue grows.
 */
import { agentPaths } from '../src/agents/protocol.js';
import { backoffMs } from './backoff.js';
import { describeReply, type Reply, type SimpulClient } from './client.js';
import type { BatchQueue, QueuedBatch } from './queue.js';

/** Simpul refused the agent itself (revoked, or a wrong secret): retrying cannot help. */
export class AgentRefusedError extends Error {}

export interface UploaderOptions {
  agentId: string;
  authorization: string;
  agentVersion: string;
  retryMaxMs: number;
  /** Every reply's Simpul-Config-Version. */
  onConfigVersion: (version: string) => void;
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export class Uploader {
  private stopped = false;
  private wake?: () => void;
  private failures = 0;

  constructor(
    private readonly client: SimpulClient,
    private readonly queue: BatchQueue,
    private readonly opts: UploaderOptions,
  ) {}

  /** A new batch is queued. */
  notify(): void {
    this.wake?.();
  }

  /** Runs until stop(); rejects with AgentRefusedError when Simpul refuses this agent. */
  async run(): Promise<void> {
    while (!this.stopped) {
      const [batch] = this.queue.oldest(1);
      if (!batch) {
        await this.sleep(Infinity);
        continue;
      }
      let reply: Reply;
      try {
        reply = await this.client.request('POST', agentPaths(this.opts.agentId).batches, { auth: this.opts.authorization, body: this.body(batch) });
      } catch (e) {
        await this.failed(`cannot reach Simpul: ${(e as Error).message}`);
        continue;
      }
      if (reply.configVersion !== undefined) this.opts.onConfigVersion(reply.configVersion);
      if (reply.status === 200) {
        const { acked } = reply.body as { acked: number };
        if (acked >= this.queue.status().nextBatch) {
          this.opts.log('warn', `Simpul holds batches up to ${acked}, past any this queue made: its batches are renumbered after it`, { oldest: batch.batch });
          this.queue.renumberAfter(acked);
          continue;
        }
        if (acked < batch.batch) {
          // never happens with Simpul's ingest; without this the same batch would be sent in a tight loop
          await this.failed(`batch ${batch.batch} answered with acked ${acked}`);
          continue;
        }
        this.queue.ack(acked);
        if (this.failures > 0) this.opts.log('info', 'uploads resumed', { failedAttempts: this.failures, backlogBatches: this.queue.status().backlogBatches });
        this.failures = 0;
        continue;
      }
      const expected = (reply.body as { code?: string; expected?: number } | undefined)?.expected;
      if (reply.status === 409 && typeof expected === 'number' && expected < batch.batch) {
        this.opts.log('warn', `Simpul expects batch ${expected}; batches ${expected} to ${batch.batch - 1} are not here: declared dropped`);
        this.queue.declareMissing(expected, batch.batch - 1);
        continue;
      }
      if (reply.status === 403 && (reply.body as { code?: string } | undefined)?.code === 'AGENT_DEVICE_NOT_ASSIGNED') {
        this.dropUnassigned(batch, (reply.body as { field?: string }).field);
        continue;
      }
      if (reply.status === 401)
        throw new AgentRefusedError(`Simpul refused this agent (${describeReply(reply)}): revoked, or its secret is wrong; enroll it again`);
      // another 4xx or a 5xx: keep the batch, log, retry later
      await this.failed(`batch ${batch.batch} not accepted: ${describeReply(reply)}`);
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** A device moved off this agent in the inventory: its queued polls will never be taken, the rest of the batch will. */
  private dropUnassigned(batch: QueuedBatch, field: string | undefined): void {
    const polls = JSON.parse(batch.pollsJson) as Array<{ deviceId: string; interfaces?: unknown[] }>;
    const deviceId = polls[Number(/^polls[./](\d+)[./]/.exec(field ?? '')?.[1] ?? -1)]?.deviceId;
    if (deviceId === undefined) throw new Error(`Simpul refused a device of batch ${batch.batch} without naming it (${field})`);
    const kept = polls.filter((p) => p.deviceId !== deviceId);
    const dropped = polls.filter((p) => p.deviceId === deviceId).reduce((n, p) => n + (p.interfaces?.length ?? 0), 0);
    this.opts.log('warn', `device ${deviceId} is no longer polled by this agent: its polls in batch ${batch.batch} dropped`, { samples: dropped });
    this.queue.replacePolls(batch.batch, kept, dropped);
  }

  /** The request body, with the stored polls spliced in as they are (no parse and re-encode). */
  private body(b: QueuedBatch): string {
    const s = this.queue.status();
    const head: Record<string, unknown> = {
      batch: b.batch,
      createdAt: b.createdAt.toISOString(),
      agentVersion: this.opts.agentVersion,
      backlogBatches: s.backlogBatches,
      droppedSamples: s.droppedSamples,
    };
    if (s.droppedBatches && s.droppedBatches[1] < b.batch) head.droppedBatches = s.droppedBatches;
    return `${JSON.stringify(head).slice(0, -1)},"polls":${b.pollsJson}}`;
  }

  private async failed(why: string): Promise<void> {
    if (this.stopped) return;
    // the first failure and then every tenth: an outage of hours does not fill the journal
    if (this.failures % 10 === 0) this.opts.log('warn', why, { failedAttempts: this.failures + 1, backlogBatches: this.queue.status().backlogBatches });
    await this.sleep(backoffMs(this.failures++, 1000, this.opts.retryMaxMs));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = ms === Infinity ? undefined : setTimeout(done, ms);
      // a new batch ends an idle wait, not a backoff: only stop() ends those early
      this.wake = ms === Infinity ? done : () => (this.stopped ? done() : undefined);
    });
  }
}
