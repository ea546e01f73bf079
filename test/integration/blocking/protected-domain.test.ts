// The regency's own domain is never blocked (issue 15 item 10): refused at entry and import with the
// reason, and an entry stored before the domain was set (here: the inventory gains the domain on a
// reload) is withheld from the OPD's list, the exports and the policy answer, with why.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyInventory, startTestDaemon, tempDir, type TestDaemon } from '../../helpers/daemon.js';

let d: TestDaemon;
let regencyFile: string;
let cleanup: () => void;
const REGENCY = 'sungailestarikab.go.id';

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  const inventory = copyInventory(t.dir);
  regencyFile = join(inventory, 'regency.yaml');
  d = await startTestDaemon({ config: { inventory, log: { level: 'warn' } } });
});
afterAll(async () => {
  await d?.stop();
  cleanup?.();
});

const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, any> }); // eslint-disable-line @typescript-eslint/no-explicit-any

describe("the regency's own domain", () => {
  it('is refused as an entry, as a name under it and as a wildcard over it, with the reason', async () => {
    for (const value of [`portal.${REGENCY}`, REGENCY, `*.${REGENCY}`, `*.mail.${REGENCY}`]) {
      const r = await json(await d.api('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value } }));
      expect(r.status, value).toBe(422);
      expect(r.body.code).toBe('PROTECTED_DOMAIN');
      expect(r.body.detail).toContain(`regency's own domain ${REGENCY}`);
    }
    const other = await d.api('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value: `${REGENCY}.example.com` } });
    expect(other.status).toBe(201);
  });

  it('is refused line by line in an import, dry run or not', async () => {
    for (const dryRun of [true, false]) {
      const r = await d.api(`/api/v1/blocklists/lainnya/import?source=feed&dryRun=${dryRun}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: `judi.example\n*.${REGENCY}\nsipd.${REGENCY}\n`,
      });
      const body = (await r.json()) as { errors: { line: number; code: string; reason: string }[] };
      expect(r.status).toBe(200);
      expect(body.errors.map((p) => [p.line, p.code])).toEqual([
        [2, 'PROTECTED_DOMAIN'],
        [3, 'PROTECTED_DOMAIN'],
      ]);
    }
    const entries = await json(await d.api('/api/v1/blocklists/lainnya/entries?source=feed'));
    expect(entries.body.entries.map((e: { value: string }) => e.value)).toEqual(['judi.example']);
  });

  it('an entry stored before the domain was set is withheld from the list, the exports and the policy answer', async () => {
    const original = readFileSync(regencyFile, 'utf8');
    writeFileSync(regencyFile, original.replace(/\n\s*domain:.*\n/, '\n'));
    expect(d.reload()).not.toBeNull();
    const added = await d.api('/api/v1/blocklists/lainnya/entries', { method: 'POST', json: { value: `portal.${REGENCY}` } });
    expect(added.status).toBe(201);
    writeFileSync(regencyFile, original);
    expect(d.reload()).not.toBeNull();

    const list = await json(await d.api('/api/v1/opds/DINKES/blocklist'));
    expect(list.body.domains.map((x: { name: string }) => x.name)).not.toContain(`portal.${REGENCY}`);
    expect(list.body.withheld).toEqual([
      { entry: `portal.${REGENCY}`, category: 'lainnya', reason: expect.stringContaining(`regency's own domain ${REGENCY}`) },
    ]);

    const policy = await json(await d.api(`/api/v1/opds/DINKES/policy?domain=portal.${REGENCY}`));
    expect(policy.body.blocked).toBe(false);
    expect(policy.body.why).toContain(`regency's own domain ${REGENCY}`);

    for (const format of ['rpz', 'unbound']) {
      for (const q of ['', '&opd=DINKES']) {
        const text = await (await d.api(`/api/v1/blocklists/export?format=${format}${q}`)).text();
        expect(text, `${format}${q}`).toContain('judi.example');
        expect(text, `${format}${q}`).not.toContain(`portal.${REGENCY}`);
      }
    }
  });
});
