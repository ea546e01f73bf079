/**
 * The daemon's side of the import thread (import-worker.ts). One thread serves every running
 * import, each as a session; it starts on the first import and stops after a quiet minute, so
 * imports close together do not each pay for starting it. Uploaded chunks go to the thread with
 * at most WINDOW of them unanswered, so a fast upload waits for the judging instead of piling up
 * in memory.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../common/worker-thread.js';
import type { JudgeSummary } from './list-judge.js';
import type { ListFormat } from './list-formats.js';
import type { EntryKind, Safety } from './normalize.js';

export type ToThread =
  | { s: number; op: 'open'; format: ListFormat; safety: Safety; maxLineBytes: number; maxReported?: number }
  | { s: number; op: 'chunk'; data: Uint8Array }
  | { s: number; op: 'end' }
  | { s: number; op: 'page'; from: number; count: number }
  | { s: number; op: 'close' };

export type FromThread =
  | { s: number; op: 'ack' }
  | { s: number; op: 'summary'; summary: JudgeSummary }
  /** `values`: a JSON array of `n` values of `kind`; kind null past the end. */
  | { s: number; op: 'page'; kind: EntryKind | null; values: string; n: number }
  | { s: number; op: 'error'; message: string };

type Reply = Exclude<FromThread, { op: 'error' }>;

/** Chunks sent and not yet judged (64 KiB each from a socket). */
const WINDOW = 8;
const IDLE_MS = 60_000;

let thread: Worker | null = null;
let idle: NodeJS.Timeout | null = null;
let nextId = 1;
const sessions = new Map<number, JudgingSession>();

function theThread(): Worker {
  if (idle) clearTimeout(idle), (idle = null);
  if (thread) return (thread.ref(), thread);
  const w = startWorker(import.meta.url, 'import-worker');
  w.on('message', (m: FromThread) => sessions.get(m.s)?.received(m));
  const gone = (why: string) => {
    if (thread !== w) return;
    thread = null;
    for (const x of sessions.values()) x.fail(new Error(`the import thread stopped: ${why}`));
  };
  w.on('error', (e) => gone(e.message));
  w.on('exit', (code) => gone(`exit ${code}`));
  thread = w;
  return w;
}

function released(id: number): void {
  sessions.delete(id);
  if (sessions.size || !thread) return;
  // Idle: it must not keep the process alive, and it goes after a while to give its memory back.
  thread.unref();
  const w = thread;
  idle = setTimeout(() => {
    if (thread === w) thread = null;
    void w.terminate();
  }, IDLE_MS).unref();
}

/** One list being judged on the import thread. Always close() it. */
export class JudgingSession {
  private readonly id = nextId++;
  private readonly w: Worker;
  private readonly queue: Reply[] = [];
  private waiter: { resolve: (m: Reply) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private unanswered = 0;
  private closed = false;

  constructor(o: { format: ListFormat; safety: Safety; maxLineBytes: number; maxReported?: number }) {
    this.w = theThread();
    sessions.set(this.id, this);
    this.post({ s: this.id, op: 'open', ...o });
  }

  /** Sends a chunk; waits while too many are not yet judged. */
  async push(chunk: Uint8Array): Promise<void> {
    // A copy of just these bytes (a chunk may view a larger buffer), handed over without another copy.
    const data = new Uint8Array(chunk);
    this.post({ s: this.id, op: 'chunk', data }, [data.buffer]);
    this.unanswered++;
    while (this.unanswered >= WINDOW) await this.next('ack');
  }

  /** The upload ended: the report's counts once every line is judged. */
  async end(): Promise<JudgeSummary> {
    this.post({ s: this.id, op: 'end' });
    for (;;) {
      const m = await this.next();
      if (m.op === 'summary') return m.summary;
    }
  }

  /** Up to `count` kept values from position `from`, all of one kind; kind null when none are left. */
  async page(from: number, count: number): Promise<{ kind: EntryKind | null; values: string; n: number }> {
    this.post({ s: this.id, op: 'page', from, count });
    const m = await this.next();
    if (m.op !== 'page') throw new Error(`import thread answered ${m.op} to a page request`);
    return m;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.failure) this.post({ s: this.id, op: 'close' });
    released(this.id);
  }

  received(m: FromThread): void {
    if (m.op === 'error') return this.fail(new Error(`the import thread failed: ${m.message}`));
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(m);
    } else this.queue.push(m);
  }

  fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure);
  }

  private post(m: ToThread, transfer?: ArrayBuffer[]): void {
    if (this.failure) throw this.failure;
    this.w.postMessage(m, transfer);
  }

  /** The next reply; acks are counted on the way. */
  private async next(want?: 'ack'): Promise<Reply> {
    for (;;) {
      if (this.failure) throw this.failure;
      const m = this.queue.shift() ?? (await new Promise<Reply>((resolve, reject) => (this.waiter = { resolve, reject })));
      if (m.op === 'ack') {
        this.unanswered--;
        if (want === 'ack') return m;
        continue;
      }
      return m;
    }
  }
}
