import { PassThrough } from 'node:stream';
import { startDaemon, type Daemon } from '../../../src/daemon.js';
import { ADMIN, tempDir, testConfig } from '../../helpers/daemon.js';

export interface LabDaemon extends Daemon {
  /** fetch with the admin token. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * A lab-mode daemon (simulated routers and switches on 127.0.0.1, lab IPAM) for the NOC's pages.
 * `lab` is set after the config loads: it is a mode, not a config file key.
 */
export async function startLabDaemon(extra: Record<string, unknown> = {}): Promise<LabDaemon> {
  const { dir, cleanup } = tempDir('simpul-noc-');
  const config = testConfig(dir, { log: { level: 'warn' }, ...extra });
  config.lab = true;
  const d = await startDaemon(config, { logStream: new PassThrough() });
  return Object.assign(d, {
    api(path: string, init: RequestInit & { json?: unknown } = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${ADMIN}`);
      if (init.json !== undefined) headers.set('content-type', 'application/json');
      return fetch(d.url + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
    },
    async stop() {
      await d.close();
      cleanup();
    },
  });
}
