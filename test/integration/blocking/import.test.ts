import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';

let d: TestDaemon;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function upload(
  category: string,
  source: string,
  body: NonNullable<RequestInit['body']>,
  opts: { type?: string; query?: string; token?: string } = {},
): Promise<{ status: number; body: Json }> {
  const r = await d.api(`/api/v1/blocklists/${category}/import?source=${source}${opts.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': opts.type ?? 'text/plain' },
    body,
    token: opts.token,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit & { token?: string });
  return { status: r.status, body: (await r.json()) as Json };
}
const get = async (path: string, token?: string) => {
  const r = await d.api(path, { token });
  return { status: r.status, body: (await r.json()) as Json };
};
const entries = async (category: string, source?: string) =>
  ((await get(`/api/v1/blocklists/${category}/entries?limit=10000${source ? `&source=${source}` : ''}`)).body.entries as Json[])
    .map((e) => `${e.kind}:${e.value}`)
    .sort();

beforeAll(async () => {
  d = await startTestDaemon({ config: { blocking: { maxImportBytes: 256 * 1024, maxLineBytes: 1024 } } });
  const r = await d.api('/api/v1/pools', { method: 'POST', json: { name: 'lan', scope: 'private', cidr: '10.20.0.0/16', role: 'opd-lan' } });
  expect(r.status).toBe(201);
});
afterAll(() => d.stop());

describe('list formats', () => {
  it('imports plain names, wildcards, hosts lines, AdBlock rules and IPs; each invalid line with its number', async () => {
    const file = [
      '# national list',
      'Judi.Example.',
      '*.slot.example',
      'a.slot.example',
      '0.0.0.0 bet.example bet2.example',
      '||poker.example^',
      '! adblock comment',
      '203.0.113.7',
      '198.51.100.0/24',
      '',
      'judi.example',
      `${'x'.repeat(64)}.example`,
      'bad$name.example',
      '*.com',
      '0.0.0.0/0',
      '10.0.0.0/8',
      'bücher.example',
    ].join('\n');
    const r = await upload('judi', 'national', file);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ applied: true, lines: 17, accepted: 8, added: 8, duplicates: 1, redundant: 1, invalid: 3, refused: 2 });
    expect(r.body.errors).toEqual([
      { line: 12, code: 'LABEL_TOO_LONG', reason: expect.stringContaining('64 bytes') },
      { line: 13, code: 'BAD_CHARACTERS', reason: expect.stringContaining('"$"') },
      { line: 14, code: 'WILDCARD_TOO_BROAD', reason: expect.any(String) },
      { line: 15, code: 'COVERS_INTERNET', reason: expect.any(String) },
      { line: 16, code: 'COVERS_PROTECTED', reason: expect.stringContaining('10.20.0.0/16') },
    ]);
    expect(r.body.redundantExamples).toEqual([{ line: 4, code: 'REDUNDANT', reason: 'a.slot.example is covered by *.slot.example (line 3)' }]);
    expect(await entries('judi')).toEqual([
      'address:203.0.113.7',
      'domain:bet.example',
      'domain:bet2.example',
      'domain:judi.example',
      'domain:xn--bcher-kva.example',
      'prefix:198.51.100.0/24',
      'wildcard:poker.example',
      'wildcard:slot.example',
    ]);
  });

  it('reads CSV by its header and an IP list strictly', async () => {
    const csv = await upload('phishing', 'csv-feed', 'no,domain,note\n1,phish.example,"bank, fake"\n2,203.0.113.50,x\n', { type: 'text/csv' });
    expect(csv.body).toMatchObject({ format: 'csv', accepted: 1, invalid: 1 });
    expect(csv.body.errors[0]).toMatchObject({ line: 3, code: 'IP_NOT_DOMAIN' });
    const ip = await upload('malware', 'c2', '192.0.2.1\n2001:db8:bad::/48\nevil.example\n', { query: '&format=ip' });
    expect(ip.body).toMatchObject({ format: 'ip', accepted: 2, invalid: 1 });
    expect(ip.body.errors[0]).toMatchObject({ line: 3, code: 'DOMAIN_NOT_IP' });
  });
});

describe('re-import and dry run', () => {
  it('a dry run reports without changing; a re-import replaces the source and keeps other sources', async () => {
    await upload('lainnya', 'feed-a', 'one.example\ntwo.example\n');
    await d.api('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value: 'manual.example' } });
    const before = (await get('/api/v1/blocklists/lainnya/entries?source=feed-a')).body.entries as Json[];
    const dry = await upload('lainnya', 'feed-a', 'two.example\nthree.example\n', { query: '&dryRun=true' });
    expect(dry.body).toMatchObject({ dryRun: true, applied: false, accepted: 2, added: 1, removed: 1, unchanged: 1 });
    expect(await entries('lainnya', 'feed-a')).toEqual(['domain:one.example', 'domain:two.example']);
    const again = await upload('lainnya', 'feed-a', 'two.example\nthree.example\n');
    expect(again.body).toMatchObject({ applied: true, added: 1, removed: 1, unchanged: 1 });
    expect(await entries('lainnya')).toEqual(['domain:manual.example', 'domain:three.example', 'domain:two.example']);
    // The entry that stayed keeps the time it was first added.
    const after = (await get('/api/v1/blocklists/lainnya/entries?source=feed-a')).body.entries as Json[];
    expect(after.find((e) => e.value === 'two.example')!.addedAt).toBe(before.find((e) => e.value === 'two.example')!.addedAt);
    const cats = (await get('/api/v1/blocklists')).body as Json[];
    const lainnya = cats.find((c) => c.name === 'lainnya')!;
    expect(lainnya.entries).toBe(3);
    expect(lainnya.sources.map((s: Json) => [s.name, s.entries])).toEqual([
      ['feed-a', 2],
      ['manual', 1],
    ]);
    expect(lainnya.sources[0]).toMatchObject({ format: 'auto', lines: 2, accepted: 2 });
    const audit = (await get('/api/v1/audit?objectType=block_source')).body;
    expect(JSON.stringify(audit)).toContain('lainnya/feed-a');
  });

  it('refuses the reserved source, an unknown category, a JSON body, and anyone without operate', async () => {
    expect((await upload('lainnya', 'manual', 'x.example\n')).body.code).toBe('SOURCE_RESERVED');
    expect((await upload('nosuch', 'feed', 'x.example\n')).status).toBe(404);
    const json = await d.api('/api/v1/blocklists/lainnya/import?source=x', { method: 'POST', json: { a: 1 } });
    expect(json.status).toBe(415);
    const viewer = ((await (await d.api('/api/v1/tokens', { method: 'POST', json: { name: 'v', role: 'viewer' } })).json()) as Json).token as string;
    expect((await upload('lainnya', 'feed', 'x.example\n', { token: viewer })).status).toBe(403);
  });
});

describe('hostile files', () => {
  it('judges binary junk, invalid UTF-8, control characters and huge lines one by one', async () => {
    const junk = Buffer.concat([
      Buffer.from('ok1.example\n'),
      Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x80, 0x0a]),
      Buffer.from('ctl\u0007name.example\n'),
      Buffer.from('y'.repeat(200_000) + '\n'),
      Buffer.from([0xc3, 0x28, 0x0a]),
      Buffer.from('ok2.example'),
    ]);
    const r = await upload('lainnya', 'junk', junk, { type: 'application/octet-stream' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lines: 6, accepted: 2, invalid: 4 });
    expect(r.body.errors.map((e: Json) => [e.line, e.code])).toEqual([
      [2, 'INVALID_UTF8'],
      [3, 'CONTROL_CHARACTERS'],
      [4, 'LINE_TOO_LONG'],
      [5, 'INVALID_UTF8'],
    ]);
  });

  it('caps the listed errors and counts the rest', async () => {
    const r = await upload('lainnya', 'many-bad', 'bad..name\n'.repeat(250));
    expect(r.body).toMatchObject({ invalid: 250, errorsNotListed: 150 });
    expect(r.body.errors).toHaveLength(100);
  });

  it('refuses a file over the size limit with 413, announced or streamed, and changes nothing', async () => {
    const big = 'z.example\n'.repeat(30_000); // 300 kB > 256 KiB
    const announced = await upload('lainnya', 'big', big);
    expect(announced.status).toBe(413);
    expect(announced.body).toMatchObject({ code: 'IMPORT_TOO_LARGE' });
    expect(announced.body.detail).toContain('blocking.maxImportBytes');
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i++ < 30) c.enqueue(new TextEncoder().encode(`s${i}.example\n`.repeat(1000)));
        else c.close();
      },
    });
    const streamed = await upload('lainnya', 'big', stream);
    expect(streamed.status).toBe(413);
    expect(await entries('lainnya', 'big')).toEqual([]);
    const staging = d.services.store.db.prepare('SELECT count(*) FROM block_staging').pluck().get();
    expect(staging).toBe(0);
  });
});

describe('streaming', () => {
  it('answers other requests while an import is in progress', async () => {
    const total = 20;
    let sent = 0;
    let health: number | null = null;
    let importDone = false;
    const stream = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (sent === total / 2) {
          // Half the file is in; the import is still running: the server must answer.
          const h = await fetch(`${d.url}/healthz`);
          health = h.status;
          expect(importDone).toBe(false);
        }
        if (sent++ < total) c.enqueue(new TextEncoder().encode(Array.from({ length: 600 }, (_, k) => `h${sent}-${k}.example`).join('\n') + '\n'));
        else c.close();
      },
    });
    const p = upload('lainnya', 'stream', stream).then((r) => ((importDone = true), r));
    const r = await p;
    expect(health).toBe(200);
    expect(r.body).toMatchObject({ applied: true, lines: 12_000, accepted: 12_000 });
  }, 60_000);
});

describe('swap', () => {
  it('readers see the whole old list or the whole new one while a re-import writes, never a mix', async () => {
    const names = (prefix: string) => Array.from({ length: 3000 }, (_, k) => `${prefix}-${k}.example`);
    const oldSet = [...names('both'), ...names('old')];
    const newSet = [...names('both'), ...names('new')];
    expect((await upload('malware', 'swap', oldSet.join('\n'))).body).toMatchObject({ applied: true, added: 6000 });
    const db = d.services.store.db;
    const live = db.prepare(
      "SELECT count(*) AS n, coalesce(sum(value LIKE 'old-%'), 0) AS old, coalesce(sum(value LIKE 'new-%'), 0) AS new FROM block_entries_live WHERE category = 'malware' AND source = 'swap'",
    );
    const stored = db.prepare("SELECT count(*) FROM block_entries WHERE category = 'malware' AND source = 'swap'").pluck();
    const seen = new Set<string>();
    let midWrite = 0;
    let httpOld = 0;
    let running = true;
    // Samples between the import's batches: every yield of the import lets one run.
    const sampler = (async () => {
      while (running) {
        const s = live.get() as { n: number; old: number; new: number };
        seen.add(`${s.n}/${s.old}/${s.new}`);
        if ((stored.get() as number) > 6000) midWrite++;
        await new Promise((res) => setImmediate(res));
      }
    })();
    const httpReader = (async () => {
      while (running) {
        const got = await entries('malware', 'swap');
        const isOld = got.length === 6000 && got.every((e) => !e.includes(':new-'));
        const isNew = got.length === 6000 && got.every((e) => !e.includes(':old-'));
        expect(isOld || isNew).toBe(true);
        if (isOld && running) httpOld++;
      }
    })();
    const r = await upload('malware', 'swap', newSet.join('\n'));
    running = false;
    await Promise.all([sampler, httpReader]);
    expect(r.body).toMatchObject({ applied: true, accepted: 6000, added: 3000, removed: 3000, unchanged: 3000 });
    expect([...seen].every((x) => x === '6000/3000/0' || x === '6000/0/3000')).toBe(true);
    expect(seen.has('6000/3000/0')).toBe(true);
    // The window the test is about was observed: new rows already stored, still invisible.
    expect(midWrite).toBeGreaterThan(0);
    expect(httpOld).toBeGreaterThan(0);
    expect(await entries('malware', 'swap')).toEqual(newSet.map((v) => `domain:${v}`).sort());
    // The old generation is gone from storage, not just hidden.
    expect(stored.get()).toBe(6000);
  }, 60_000);

  it('an import failing while it writes the new generation leaves the old list whole and nothing of its own behind', async () => {
    const db = d.services.store.db;
    const stored = db.prepare("SELECT count(*) FROM block_entries WHERE category = 'malware' AND source = 'swap'").pluck();
    const before = await entries('malware', 'swap');
    // Fails the write of one row that sorts into the last batch, after two batches went in.
    db.exec(
      "CREATE TEMP TRIGGER fail_import BEFORE INSERT ON main.block_entries WHEN NEW.value = 'zz-boom.example' BEGIN SELECT RAISE(ABORT, 'disk gone'); END",
    );
    try {
      const r = await upload('malware', 'swap', [...Array.from({ length: 5000 }, (_, k) => `fresh-${k}.example`), 'zz-boom.example'].join('\n'));
      expect(r.status).toBe(500);
    } finally {
      db.exec('DROP TRIGGER temp.fail_import');
    }
    expect(await entries('malware', 'swap')).toEqual(before);
    expect(stored.get()).toBe(before.length);
    // The lock is free again: the next import runs.
    expect((await upload('malware', 'swap', before.map((e) => e.slice('domain:'.length)).join('\n'))).body).toMatchObject({
      applied: true,
      added: 0,
      removed: 0,
    });
  });

  it('a dry run counts against the live list and writes nothing', async () => {
    const before = d.services.store.db.prepare("SELECT count(*) FROM block_entries WHERE category = 'malware' AND source = 'swap'").pluck().get();
    const dry = await upload('malware', 'swap', 'both-1.example\nother.example\n', { query: '&dryRun=true' });
    expect(dry.body).toMatchObject({ applied: false, accepted: 2, added: 1, unchanged: 1, removed: 5999 });
    expect(d.services.store.db.prepare("SELECT count(*) FROM block_entries WHERE category = 'malware' AND source = 'swap'").pluck().get()).toBe(before);
  });
});
