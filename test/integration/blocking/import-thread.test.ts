import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setImmediate as yieldNow, setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../../src/common/clock.js';
import type { BlockingService } from '../../../src/blocking/service.js';
import { blockingOnStore } from '../../helpers/blocking.js';
import { importList } from '../../../src/blocking/import.js';
import type { ChangedOpds } from '../../../src/blocking/effective.js';
import type { Store } from '../../../src/store/store.js';
import type { Actor } from '../../../src/auth/actor.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

// The import as the thread split makes it: what an unchanged list writes, and what a cancelled one leaves.

const clock = new ManualClock(new Date('2026-11-30T00:00:00Z'));
const noc: Actor = { id: 'noc', role: 'noc-operator', opd: null };
const limits = { maxBytes: 1e7, maxLineBytes: 1000 };
let store: Store;
let svc: BlockingService;
let heard: ChangedOpds[] = [];
let close: () => void;

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => `${prefix}-${k}.example`);
/** The text in pieces of about `size` characters, as a socket delivers it. */
async function* pieces(text: string, size = 4096) {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
}
const run = (source: string, text: string, signal?: AbortSignal) =>
  importList(svc, noc, 'judi', { source, format: 'auto', dryRun: false }, pieces(text), limits, signal);
/** Everything stored for a source, live or not, and where it points. */
const snapshot = (source: string) => ({
  generation: store.db.prepare("SELECT generation FROM block_sources WHERE category = 'judi' AND name = ?").pluck().get(source),
  rows: store.db.prepare("SELECT id, kind, value, generation, added_at FROM block_entries WHERE category = 'judi' AND source = ? ORDER BY id").all(source),
});
const live = (source: string) =>
  store.db.prepare("SELECT kind || ':' || value FROM block_entries_live WHERE category = 'judi' AND source = ? ORDER BY 1").pluck().all(source) as string[];

beforeAll(() => {
  ({ store, svc, close } = blockingOnStore(clock));
  svc.onChange((o) => heard.push(o));
});
afterAll(() => close());

describe('an unchanged list', () => {
  it('writes nothing but its check, even reordered, re-commented and with other junk; a changed one is written', async () => {
    const list = [...names('situs', 3000), '||ads.example^', '203.0.113.7', 'bad..name'];
    const first = await run('national', list.join('\n'));
    expect(first).toMatchObject({ applied: true, changed: true, accepted: 3002, added: 3002, invalid: 1 });
    const before = snapshot('national');
    const audits = () =>
      store.db
        .prepare("SELECT after_json FROM audit_log WHERE action = 'blocklist.import' AND object_id = 'judi/national' ORDER BY seq")
        .pluck()
        .all() as string[];
    const auditsBefore = audits().length;
    heard = [];
    clock.advance(3_600_000);

    const same = ['# refreshed', ...[...list].reverse(), 'ads.example', 'bad..again', 'situs-1.example'].join('\r\n');
    const again = await run('national', same);
    expect(again).toMatchObject({
      applied: true,
      changed: false,
      accepted: 3002,
      added: 0,
      removed: 0,
      unchanged: 3002,
      duplicates: 1,
      redundant: 1,
      invalid: 2,
    });
    // Same generation, same rows (ids, added times): nothing rewritten, nobody told.
    expect(snapshot('national')).toEqual(before);
    expect(heard).toEqual([]);
    // The check itself is recorded: the source's counts and when, and one audit entry.
    expect(
      svc
        .listCategories(noc)
        .find((c) => c.name === 'judi')!
        .sources.find((s) => s.name === 'national'),
    ).toMatchObject({
      importedAt: clock.now().toISOString(),
      lines: 3007,
      invalid: 2,
    });
    expect(audits()).toHaveLength(auditsBefore + 1);
    expect(JSON.parse(audits().at(-1)!)).toMatchObject({ changed: false, added: 0, removed: 0 });

    // One name swapped: the same size, so compared first, then written as a new generation.
    const changed = await run('national', [...names('situs', 2999), 'baru.example', '||ads.example^', '203.0.113.7'].join('\n'));
    expect(changed).toMatchObject({ applied: true, changed: true, added: 1, removed: 1, unchanged: 3001 });
    expect(snapshot('national').generation).toBe((before.generation as number) + 1);
    expect(live('national')).toContain('domain:baru.example');
    expect(live('national')).not.toContain('domain:situs-2999.example');
    expect(heard).toEqual(['all']);
  });
});

describe('a cancelled import', () => {
  it('stopped while it writes the new generation: the old list stays whole and nothing of the new one is left', async () => {
    await run('feed', names('old', 2000).join('\n'));
    const before = snapshot('feed');
    const stored = store.db.prepare("SELECT count(*) FROM block_entries WHERE category = 'judi' AND source = 'feed'").pluck();
    const cancel = new AbortController();
    let settled = false;
    const p = run('feed', names('new', 8000).join('\n'), cancel.signal).finally(() => (settled = true));
    // Between the import's steps: cancel once some of the new generation is stored.
    let sawWriting = false;
    while (!settled) {
      if ((stored.get() as number) > before.rows.length) {
        sawWriting = true;
        expect(live('feed')).toEqual(
          names('old', 2000)
            .map((v) => `domain:${v}`)
            .sort(),
        );
        cancel.abort();
        break;
      }
      await yieldNow();
    }
    await expect(p).rejects.toMatchObject({ status: 400, code: 'IMPORT_CANCELLED' });
    expect(sawWriting).toBe(true);
    expect(snapshot('feed')).toEqual(before);
    // The lock is free again.
    expect(await run('feed', 'one.example\n')).toMatchObject({ applied: true, added: 1, removed: 2000 });
  });
});

describe('over HTTP', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(() => d.stop());

  const upload = async (text: string, query = '') => {
    const r = await d.api(`/api/v1/blocklists/judi/import?source=national${query}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('a client going away mid-upload cancels the import: the old list stays, the lock is freed', async () => {
    const oldList = names('old', 500);
    expect((await upload(oldList.join('\n'))).body).toMatchObject({ applied: true, added: 500 });
    const db = d.services.store.db;
    const count = () => db.prepare("SELECT count(*) FROM block_entries WHERE category = 'judi' AND source = 'national'").pluck().get();
    const client = new AbortController();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        // Some of the file, then nothing more until the client gives up.
        if (sent++ < 3) c.enqueue(new TextEncoder().encode(names(`new${sent}`, 500).join('\n') + '\n'));
        else await new Promise((res) => setTimeout(res, 60_000).unref());
      },
    });
    const cut = d
      .api('/api/v1/blocklists/judi/import?source=national', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
        duplex: 'half',
        signal: client.signal,
      } as RequestInit)
      .catch((e: unknown) => e);
    // A dry run probes the lock: 409 while the upload is being imported.
    let running = false;
    for (let i = 0; i < 300 && !running; i++) {
      running = (await upload('probe.example\n', '&dryRun=true')).status === 409;
      if (!running) await sleep(10);
    }
    expect(running).toBe(true);
    client.abort();
    expect(await cut).toBeInstanceOf(Error);
    let freed = false;
    for (let i = 0; i < 300 && !freed; i++) {
      freed = (await upload('probe.example\n', '&dryRun=true')).status === 200;
      if (!freed) await sleep(10);
    }
    expect(freed).toBe(true);
    const entries = (await (await d.api('/api/v1/blocklists/judi/entries?source=national&limit=1000')).json()) as { entries: { value: string }[] };
    expect(entries.entries.map((e) => e.value).sort()).toEqual([...oldList].sort());
    expect(count()).toBe(500);
  });
});
