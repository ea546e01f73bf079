import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigError } from '../../../src/config/load.js';

const load = (database: unknown) => loadConfig({ env: {}, defaults: { backup: { database } } });
const problems = (database: unknown) => {
  try {
    load(database);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
};

describe('backup.database config', () => {
  it('has the documented defaults', () => {
    expect(load({}).backup.database).toMatchObject({ intervalHours: 6, restoreTestHours: 24, retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 } });
  });
  it('stops the start on an unknown key or a bad target', () => {
    expect(problems({ intervalHour: 6 })).toEqual([expect.stringMatching(/^backup\.database\.intervalHour: unknown key/)]);
    expect(problems({ retention: { yearly: 1 } }).join()).toMatch(/backup\.database\.retention\.yearly: unknown key/);
    expect(problems({ target: { type: 'sftp', host: 'drc', credentials: 'drc', path: '/b', hostKey: 'not-a-fingerprint' } }).join()).toMatch(
      /backup\.database\.target/,
    );
    expect(problems({ target: { type: 'ftp', path: '/b' } }).join()).toMatch(/backup\.database\.target/);
    expect(problems({ target: { type: 'dir', path: '/mnt/drc' } })).toEqual([]);
  });
});
