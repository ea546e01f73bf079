// Each domain owns the tables its migrations create (src/<domain>/migrations/); other domains use its
// read interface and change events, never its SQL. This test reads every source file for SQL that
// names a table of another folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** The folder under src/ a file belongs to ('' for src/daemon.ts and the like). */
const folderOf = (file: string) => {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? (parts[0] as string) : '';
};

/** Table (and view) → the folder whose migrations create it. */
function tableOwners(migrations: { file: string; text: string }[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of migrations)
    for (const [, name] of m.text.matchAll(/CREATE\s+(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/gi)) owners.set(name as string, folderOf(m.file));
  // a table rebuilt under a new name and renamed keeps its owner
  for (const m of migrations)
    for (const [, , to] of m.text.matchAll(/ALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)/gi)) owners.set(to as string, folderOf(m.file));
  return owners;
}

/** SQL in a file that names a table another folder owns: `file: table (owner)`. */
function crossReads(file: string, text: string, owners: Map<string, string>): string[] {
  const mine = folderOf(file);
  const out = new Set<string>();
  for (const [, name] of text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(\w+)/g)) {
    const owner = owners.get(name as string);
    if (owner !== undefined && owner !== mine) out.add(`${relative(SRC, file)}: ${name} (${owner})`);
  }
  return [...out];
}

/** Reads that are the owner's business by design, with why. */
const ALLOWED: Record<string, string> = {
  // Store.write appends the audit entry inside the writer's own transaction: the store is the audit log's writer
  'store/store.ts: audit_log (audit)': 'the audit entry is written in the same transaction as the change',
};

const sources = files(SRC);
const migrations = sources.filter((f) => f.includes(`${sep}migrations${sep}`)).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const owners = tableOwners(migrations);

describe('domain boundaries', () => {
  it('every table has one owning folder', () => {
    expect(owners.size).toBeGreaterThan(30);
    expect(owners.get('ipam_pools')).toBe('ipam');
    expect(owners.get('lldp_neighbors')).toBe('snmp');
    expect(owners.get('audit_log')).toBe('audit');
  });

  it('no file names a table another domain owns', () => {
    const found = sources
      .filter((f) => !f.includes(`${sep}migrations${sep}`))
      .flatMap((f) => crossReads(f, readFileSync(f, 'utf8'), owners))
      .filter((v) => !(v in ALLOWED));
    expect(found).toEqual([]);
  });

  it('catches a cross-domain read when one is added back', () => {
    const fixture = join(SRC, 'routeros', 'nat.ts');
    const text = "const rows = db.prepare('SELECT a.address FROM ipam_addresses a JOIN ipam_prefixes p ON p.id = a.prefix_id').all();";
    expect(crossReads(fixture, text, owners)).toEqual(['routeros/nat.ts: ipam_addresses (ipam)', 'routeros/nat.ts: ipam_prefixes (ipam)']);
    expect(crossReads(join(SRC, 'ipam', 'service.ts'), text, owners)).toEqual([]);
  });
});
