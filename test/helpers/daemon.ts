import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { isIP } from 'node:net';
import { realEndpoint, startDaemon, type Daemon, type DaemonOptions } from '../../src/daemon.js';
import type { Config } from '../../src/config/schema.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLE_INVENTORY = join(ROOT, 'inventory');
export const ADMIN = 'test-admin-token-0123456789abcdef';

export function tempDir(prefix = 'simpul-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of the example inventory tests may edit. */
export function copyInventory(into: string): string {
  const dst = join(into, 'inventory');
  cpSync(EXAMPLE_INVENTORY, dst, { recursive: true });
  return dst;
}

export interface TestDaemon extends Daemon {
  dir: string;
  logs: () => string;
  /** fetch against the daemon with a bearer token (admin by default). */
  api(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export function testConfig(dir: string, extra: Record<string, unknown> = {}): Config {
  return loadConfig({
    env: { SIMPUL_ADMIN_TOKEN: ADMIN },
    defaults: { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), inventory: EXAMPLE_INVENTORY, log: { level: 'info' }, ...extra },
  });
}

const isLoopback = (host: string): boolean => (isIP(host) === 4 ? host.startsWith('127.') : host === '::1');

/**
 * Outside lab mode a test daemon reaches a device only when the inventory gives it a loopback
 * address (a simulator the test started); the example inventory's 10.x addresses are never contacted.
 */
export const loopbackOnly: NonNullable<DaemonOptions['endpoint']> = (device, service) => {
  const e = realEndpoint(device, service);
  return e && isLoopback(e.host) ? e : null;
};

/** A real daemon on an ephemeral port over a fresh SQLite file, its logs captured. */
export async function startTestDaemon(opts: DaemonOptions & { config?: Record<string, unknown> } = {}): Promise<TestDaemon> {
  const { dir, cleanup } = tempDir();
  const stream = new PassThrough();
  let logs = '';
  stream.on('data', (c) => (logs += c.toString()));
  const d = await startDaemon(testConfig(dir, opts.config), { endpoint: loopbackOnly, ...opts, logStream: stream });
  return Object.assign(d, {
    dir,
    logs: () => logs,
    api(path: string, init: RequestInit & { token?: string | null; json?: unknown } = {}) {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? ADMIN : init.token;
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(d.url + path, { ...init, headers, body });
    },
    async stop() {
      await d.close();
      cleanup();
    },
  });
}
