// The hosts files routers fetch, on real files: one per list version, shared by OPDs with the same
// list, and a download that started before the list changed reads its own version to the end.
import { afterAll, describe, expect, it } from 'vitest';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdlistFiles, listVersion } from '../../../src/blocking/adlist-files.js';
import type { EffectiveDomain } from '../../../src/blocking/effective.js';
import { tempDir } from '../../helpers/daemon.js';

const { dir, cleanup } = tempDir('simpul-adlist-');
afterAll(cleanup);

const names = (n: number, tag: string): EffectiveDomain[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${tag}${i}.example`, subdomains: false, category: 'judi' }));
const lists = new Map<string, EffectiveDomain[]>();
const files = new AdlistFiles(join(dir, 'adlist'), (opd) => ({ opd, domains: lists.get(opd) ?? [], prefixes: [] }));
const hosts = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('0.0.0.0 '))
    .map((l) => l.slice(8));

describe('adlist hosts files', () => {
  it('writes exact names as hosts lines, wildcards left to static entries, and builds a version once', () => {
    lists.set('DINKES', [...names(3, 'a'), { name: 'slot.example', subdomains: true, category: 'judi' }]);
    const v = files.version('DINKES');
    expect(hosts(v.path)).toEqual(['a0.example', 'a1.example', 'a2.example']);
    expect(v).toMatchObject({ names: 3, version: listVersion(['a0.example', 'a1.example', 'a2.example']) });
    expect(files.version('DINKES')).toBe(v);
    // another OPD with the same names shares the file
    lists.set('DINSOS', lists.get('DINKES') as EffectiveDomain[]);
    expect(files.version('DINSOS').path).toBe(v.path);
  });

  it('a download that began before the list changed reads its whole version', async () => {
    lists.set('BAPPEDA', names(20_000, 'b'));
    const old = files.version('BAPPEDA');
    // a slow reader: 4 KiB at a time, paused after the first chunk
    const stream = createReadStream(old.path, { highWaterMark: 4096, encoding: 'utf8' });
    const chunks: string[] = [];
    const firstChunk = new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.on('data', (c) => chunks.push(c as string));
    await firstChunk;
    stream.pause();
    // the list changes: a new file, the old path unlinked (nobody else uses it)
    lists.set('BAPPEDA', names(20_000, 'c'));
    const now = files.version('BAPPEDA');
    expect(now.version).not.toBe(old.version);
    expect(existsSync(old.path)).toBe(false);
    stream.resume();
    await new Promise<void>((resolve) => stream.on('end', () => resolve()));
    const got = chunks
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('0.0.0.0 '))
      .map((l) => l.slice(8));
    expect(got).toHaveLength(20_000);
    expect(listVersion(got)).toBe(old.version);
    expect(listVersion(hosts(now.path))).toBe(now.version);
  });
});
