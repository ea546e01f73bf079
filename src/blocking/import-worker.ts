/**
 * The import thread: splits, judges and de-duplicates uploaded lists (ListJudge) off the daemon's
 * event loop, one session per running import, and hands the kept values back a page at a time
 * as JSON arrays the store reads directly (json_each).
 */
import { parentPort } from 'node:worker_threads';
import { LineSplitter } from './line-reader.js';
import { KIND_ORDER, ListJudge } from './list-judge.js';
import type { EntryKind } from './normalize.js';
import type { FromThread, ToThread } from './import-thread.js';

interface Session {
  judge: ListJudge;
  lines: LineSplitter;
  kept?: Map<EntryKind, string[]>;
}

const port = parentPort!;
const sessions = new Map<number, Session>();
const send = (m: FromThread) => port.postMessage(m);

port.on('message', (m: ToThread) => {
  try {
    handle(m);
  } catch (e) {
    sessions.delete(m.s);
    send({ s: m.s, op: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

function handle(m: ToThread): void {
  if (m.op === 'open') {
    const judge = new ListJudge({ format: m.format, safety: m.safety, maxReported: m.maxReported });
    sessions.set(m.s, { judge, lines: new LineSplitter(m.maxLineBytes, judge.line) });
    return;
  }
  if (m.op === 'close') return void sessions.delete(m.s);
  const x = sessions.get(m.s);
  if (!x) throw new Error(`no import session ${m.s}`);
  if (m.op === 'chunk') {
    x.lines.push(m.data);
    return send({ s: m.s, op: 'ack' });
  }
  if (m.op === 'end') {
    x.lines.end();
    const { summary, kept } = x.judge.finish();
    x.kept = kept;
    return send({ s: m.s, op: 'summary', summary });
  }
  // op 'page': up to `count` values from position `from` of the kept values (all kinds in store order), one kind per page.
  let from = m.from;
  for (const kind of KIND_ORDER) {
    const values = x.kept!.get(kind)!;
    if (from >= values.length) {
      from -= values.length;
      continue;
    }
    const page = values.slice(from, from + m.count);
    return send({ s: m.s, op: 'page', kind, values: JSON.stringify(page), n: page.length });
  }
  send({ s: m.s, op: 'page', kind: null, values: '[]', n: 0 });
}
