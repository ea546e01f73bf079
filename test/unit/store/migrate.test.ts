import { describe, expect, it } from 'vitest';
import { openDb, migrate } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { tempDir } from '../../helpers/daemon.js';

describe('store', () => {
  it('opens with WAL, foreign keys and synchronous=FULL', () => {
    const { dir, cleanup } = tempDir();
    const db = openDb(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
    cleanup();
  });

  it('applies migrations once, records them, and applies nothing the second time', () => {
    const { dir, cleanup } = tempDir();
    const db = openDb(dir);
    const recorded = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(recorded).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    db.close();
    const again = openDb(dir);
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    again.close();
    cleanup();
  });

  it('rolls a failing migration back whole and does not record it', () => {
    const { dir, cleanup } = tempDir();
    const db = openDb(dir);
    const bad = { version: 999, name: 'broken', sql: 'CREATE TABLE half_done (x); SELECT * FROM no_such_table;' };
    expect(() => migrate(db, [...MIGRATIONS, bad])).toThrow(/no_such_table/);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM schema_migrations WHERE version = 999').pluck().get()).toBe(0);
    db.close();
    cleanup();
  });

  it('enforces foreign keys', () => {
    const { dir, cleanup } = tempDir();
    const db = openDb(dir);
    expect(() => db.prepare("INSERT INTO sites (id, opd, name, data_json) VALUES ('x', 'NOPE', 'x', '{}')").run()).toThrow(/FOREIGN KEY/);
    db.close();
    cleanup();
  });
});

describe('store generation', () => {
  it('changes when this process or another connection commits', async () => {
    const { Store } = await import('../../../src/store/store.js');
    const { systemClock } = await import('../../../src/common/clock.js');
    const { systemActor } = await import('../../../src/auth/actor.js');
    const { dir, cleanup } = tempDir();
    const store = new Store(openDb(dir), systemClock, Buffer.alloc(32));
    const g0 = store.generation;
    store.write(systemActor('test'), (tx) => tx.audit({ action: 't', objectType: 't', objectId: '1' }));
    const g1 = store.generation;
    expect(g1).not.toBe(g0);
    const other = openDb(dir);
    other.prepare("INSERT INTO opds (code, name, kind, data_json) VALUES ('X1', 'x', 'dinas', '{}')").run();
    expect(store.generation).not.toBe(g1);
    other.close();
    store.db.close();
    cleanup();
  });
});
