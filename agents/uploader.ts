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
        this.queue.ack((reply.body as { acked: number }).acked);
        if (this.failures > 0) this.opts.log('info', 'uploads resumed', { failedAttempts: this.failures, backlogBatches: this.queue.status().backlogBatches });
        this.failures = 0;
        continue;
      }
      if (reply.status === 401 || reply.status === 403) throw new AgentRefusedError(`Simpul refused this agent (${describeReply(reply)}): revoked, or its secret is wrong; enroll it again`);
      // 409 (a gap Simpul cannot accept), 4xx or 5xx: keep the batch, log, retry later
      await this.failed(`batch ${batch.batch} not accepted: ${describeReply(reply)}`);
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
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
