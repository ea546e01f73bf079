/**
 * The agent's durable queue: one SQLite file in the data directory holding numbered batches of
 * polls until Simpul acknowledges them, and what was dropped to keep within its bounds.
 *
 * Batch numbers are never reused: Simpul's ingest is idempotent on (agent, batch), so a reused
 * number would be taken for a retry and its polls thrown away. That is why every commit is
 * synced (synchronous=FULL): with NORMAL a power cut may roll back the last commits, and with
 * them the next batch number. One fsync per poll cycle costs nothing at a site's rate.
 */
import Database from 'better-sqlite3';

export interface QueueBounds {
  maxAgeSeconds: number;
  maxBytes: number;
}

export interface QueuedBatch {
  batch: number;
  createdAt: Date;
  samples: number;
  /** The batch's polls as stored: a JSON array, sent as is. */
  pollsJson: string;
}

export interface QueueStatus {
  /** The highest batch Simpul acknowledged (0 before the first). */
  acked: number;
  nextBatch: number;
  backlogBatches: number;
  backlogBytes: number;
  /** Samples dropped to keep within the bounds, since the queue was created. */
  droppedSamples: number;
  /** Batches dropped since the last acknowledged one, to declare with the next upload. */
  droppedBatches?: [number, number];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  batch INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  polls TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO state (key, value) VALUES ('next_batch', 1), ('acked', 0), ('dropped_samples', 0), ('dropped_from', 0), ('dropped_to', 0);
`;

type StateKey = 'next_batch' | 'acked' | 'dropped_samples' | 'dropped_from' | 'dropped_to';

export class BatchQueue {
  private readonly db: Database.Database;
  private readonly q;

  constructor(
    file: string,
    private bounds: QueueBounds,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.q = {
      get: this.db.prepare<[StateKey], { value: number }>('SELECT value FROM state WHERE key = ?'),
      set: this.db.prepare<[number, StateKey]>('UPDATE state SET value = ? WHERE key = ?'),
      insert: this.db.prepare<[number, number, number, number, string]>(
        'INSERT INTO batches (batch, created_at, samples, bytes, polls) VALUES (?, ?, ?, ?, ?)',
      ),
      oldest: this.db.prepare<[number], { batch: number; created_at: number; samples: number; polls: string }>(
        'SELECT batch, created_at, samples, polls FROM batches ORDER BY batch LIMIT ?',
      ),
      first: this.db.prepare<[], { batch: number; created_at: number; samples: number }>(
        'SELECT batch, created_at, samples FROM batches ORDER BY batch LIMIT 1',
      ),
      remove: this.db.prepare<[number]>('DELETE FROM batches WHERE batch = ?'),
      removeUpTo: this.db.prepare<[number]>('DELETE FROM batches WHERE batch <= ?'),
      totals: this.db.prepare<[], { n: number; bytes: number | null }>('SELECT count(*) AS n, sum(bytes) AS bytes FROM batches'),
    };
  }

  private get(key: StateKey): number {
    return (this.q.get.get(key) as { value: number }).value;
  }

  /** Queue one batch of polls; then drop the oldest batches past the bounds, counting them. Returns the batch number. */
  append(polls: unknown[], samples: number, now: Date): number {
    const json = JSON.stringify(polls);
    return this.db.transaction(() => {
      const batch = this.get('next_batch');
      this.q.insert.run(batch, now.getTime(), samples, Buffer.byteLength(json), json);
      this.q.set.run(batch + 1, 'next_batch');
      this.enforceBounds(now);
      return batch;
    })();
  }

  private enforceBounds(now: Date): void {
    const minCreated = now.getTime() - this.bounds.maxAgeSeconds * 1000;
    for (;;) {
      const first = this.q.first.get();
      if (!first) return;
      const bytes = this.q.totals.get()?.bytes ?? 0;
      if (first.created_at >= minCreated && bytes <= this.bounds.maxBytes) return;
      this.q.remove.run(first.batch);
      this.q.set.run(this.get('dropped_samples') + first.samples, 'dropped_samples');
      if (this.get('dropped_from') === 0) this.q.set.run(first.batch, 'dropped_from');
      this.q.set.run(first.batch, 'dropped_to');
    }
  }

  /** New bounds apply from the next append. */
  setBounds(bounds: QueueBounds): void {
    this.bounds = bounds;
  }

  /** The oldest queued batches, in order. */
  oldest(limit: number): QueuedBatch[] {
    return this.q.oldest.all(limit).map((r) => ({ batch: r.batch, createdAt: new Date(r.created_at), samples: r.samples, pollsJson: r.polls }));
  }

  /** Simpul holds every batch up to `batch`: forget them, and the dropped range they passed. */
  ack(batch: number): void {
    this.db.transaction(() => {
      if (batch <= this.get('acked')) return;
      this.q.removeUpTo.run(batch);
      this.q.set.run(batch, 'acked');
      if (this.get('dropped_to') !== 0 && this.get('dropped_to') <= batch) {
        this.q.set.run(0, 'dropped_from');
        this.q.set.run(0, 'dropped_to');
      }
    })();
  }

  /** Replace a batch's polls (some Simpul will never take), counting the samples left out as dropped. */
  replacePolls(batch: number, polls: unknown[], droppedSamples: number): void {
    const json = JSON.stringify(polls);
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE batches SET polls = ?, bytes = ?, samples = samples - ? WHERE batch = ?')
        .run(json, Buffer.byteLength(json), droppedSamples, batch);
      this.q.set.run(this.get('dropped_samples') + droppedSamples, 'dropped_samples');
    })();
  }

  /**
   * Simpul expects batch `from` but this queue's oldest is later: the ones between are gone (lost
   * with an old queue file, or Simpul started over at a new enrollment). Declare them dropped.
   */
  declareMissing(from: number, to: number): void {
    this.db.transaction(() => {
      this.q.set.run(from, 'dropped_from');
      this.q.set.run(to, 'dropped_to');
    })();
  }

  /**
   * Simpul acknowledged a number this queue never made: the queue file is newer than what Simpul
   * holds of this agent (it was deleted or restored). Its batches move past `acked`, or Simpul
   * would take them for batches it has and throw them away.
   */
  renumberAfter(acked: number): void {
    this.db.transaction(() => {
      const shift = acked + 1 - (this.q.first.get()?.batch ?? this.get('next_batch'));
      // every new number is above every old one: no collision while the rows move
      this.db.prepare('UPDATE batches SET batch = batch + ?').run(shift);
      this.q.set.run(this.get('next_batch') + shift, 'next_batch');
      this.q.set.run(acked, 'acked');
      this.q.set.run(0, 'dropped_from');
      this.q.set.run(0, 'dropped_to');
    })();
  }

  status(): QueueStatus {
    const t = this.q.totals.get() ?? { n: 0, bytes: 0 };
    const s: QueueStatus = {
      acked: this.get('acked'),
      nextBatch: this.get('next_batch'),
      backlogBatches: t.n,
      backlogBytes: t.bytes ?? 0,
      droppedSamples: this.get('dropped_samples'),
    };
    const from = this.get('dropped_from');
    if (from !== 0) s.droppedBatches = [from, this.get('dropped_to')];
    return s;
  }

  close(): void {
    this.db.close();
  }
}
