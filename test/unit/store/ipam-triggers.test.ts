import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type Database from 'better-sqlite3';
import { openDb } from '../../../src/store/db.js';
import { tempDir } from '../../helpers/daemon.js';

// The database's own overlap guard, tested below the service (which checks first): every geometry
// of a new block against its siblings, inserted with plain SQL as a second process would.
const hex = (cidr: string): [string, string, number] => {
  const [a, l] = cidr.split('/') as [string, string];
  const n = a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const len = Number(l);
  const last = n + 2 ** (32 - len) - 1;
  return [n.toString(16).padStart(8, '0'), last.toString(16).padStart(8, '0'), len];
};

describe('ipam_prefixes overlap trigger', () => {
  let db: Database.Database;
  let cleanup: () => void;
  let nextId = 1;
  const insert = (cidr: string, parent: number | null = null, state = 'allocated'): number => {
    const [network, last, length] = hex(cidr);
    const id = nextId++;
    db.prepare(`INSERT INTO ipam_prefixes (id, pool_id, parent_id, family, cidr, network, last, length, opd, purpose, state, allocated_at, allocated_by)
      VALUES (?, 1, ?, 4, ?, ?, ?, ?, 'X', 't', ?, 'now', 'test')`).run(id, parent, cidr, network, last, length, state);
    return id;
  };
  beforeAll(() => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = openDb(t.dir);
    db.prepare(`INSERT INTO opds (code, name, kind, data_json) VALUES ('X', 'x', 'dinas', '{}')`).run();
    const [n, l] = hex('10.0.0.0/8');
    db.prepare(
      `INSERT INTO ipam_pools (id, name, scope, family, cidr, network, last, length, role, created_at, created_by) VALUES (1, 'p', 'private', 4, '10.0.0.0/8', ?, ?, 8, 'opd-lan', 'now', 't')`,
    ).run(n, l);
  });
  afterAll(() => {
    db.close();
    cleanup();
  });

  it('refuses a block inside, covering, equal to or straddling a live sibling; allows neighbours', () => {
    const big = insert('10.1.0.0/22');
    insert('10.1.8.0/24');
    expect(() => insert('10.1.2.0/24')).toThrow('PREFIX_OVERLAP'); // inside the predecessor
    expect(() => insert('10.1.0.0/22')).toThrow('PREFIX_OVERLAP'); // equal
    expect(() => insert('10.1.0.0/20')).toThrow('PREFIX_OVERLAP'); // covers both
    expect(() => insert('10.1.8.128/25')).toThrow('PREFIX_OVERLAP'); // inside the later one
    expect(() => insert('10.0.255.255/32')).not.toThrow(); // just below
    expect(() => insert('10.1.4.0/23')).not.toThrow(); // the gap between them
    expect(() => insert('10.1.9.0/24')).not.toThrow(); // just above
    // a child under its parent is not a sibling of the parent; children overlap each other only
    const child = insert('10.1.0.0/24', big);
    expect(child).toBeGreaterThan(0);
    expect(() => insert('10.1.0.128/25', big)).toThrow('PREFIX_OVERLAP');
  });

  it('ignores released blocks and still counts quarantined ones', () => {
    insert('10.2.0.0/24', null, 'released');
    expect(() => insert('10.2.0.0/24')).not.toThrow();
    insert('10.3.0.0/24', null, 'quarantined');
    expect(() => insert('10.3.0.0/25')).toThrow('PREFIX_OVERLAP');
  });
});
