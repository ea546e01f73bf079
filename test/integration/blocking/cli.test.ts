import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { simpulAsync } from '../../helpers/cli.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.stop());

const simpul = (args: string[]) => simpulAsync(args, { SIMPUL_URL: d.url, SIMPUL_TOKEN: ADMIN });

describe('simpul blocklist import', () => {
  it('streams a file, prints invalid lines as FILE:LINE, and a dry run changes nothing', async () => {
    const file = join(d.dir, 'trustpositif.txt');
    writeFileSync(file, 'judi1.example\n0.0.0.0 judi2.example\nbad..name\n||judi3.example^\n');
    const dry = await simpul(['blocklist', 'import', 'judi', file, '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('dry run, nothing changed: 4 lines: 3 entries (3 new');
    expect(dry.stderr).toContain(`${file}:3: EMPTY_LABEL`);
    const before = (await (await d.api('/api/v1/blocklists/judi/entries')).json()) as { entries: unknown[] };
    expect(before.entries).toEqual([]);
    const real = await simpul(['blocklist', 'import', 'judi', file]);
    expect(real.status).toBe(0);
    expect(real.stdout).toContain('imported judi/trustpositif: 4 lines: 3 entries (3 new');
    const after = (await (await d.api('/api/v1/blocklists/judi/entries?source=trustpositif')).json()) as { entries: { value: string }[] };
    expect(after.entries.map((e: { value: string }) => e.value).sort()).toEqual(['judi1.example', 'judi2.example', 'judi3.example']);
  });
});
