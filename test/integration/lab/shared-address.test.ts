// Two routers behind one address (NAT, VPN) with forwarded ports, in lab mode: the inventory takes
// them, and each still reaches its own simulator, since lab mode maps devices to simulators by
// device, never by address (issue 15 item 6).
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startDaemon } from '../../../src/daemon.js';
import { ADMIN, copyInventory, tempDir, testConfig } from '../../helpers/daemon.js';

describe('routers sharing one management address in lab mode', () => {
  it('loads them and backs up each from its own simulated router', async () => {
    const { dir, cleanup } = tempDir();
    const inv = copyInventory(dir);
    const f = join(inv, 'opds/DINSOS.yaml');
    const text = readFileSync(f, 'utf8');
    const edited = text
      .replace('mgmt: 10.255.14.1\n', 'mgmt: 10.255.10.1\n')
      .replace(
        'routeros: { credentials: mikrotik-opd, version: "7.16.2" }\n    snmp: { version: "2c", credentials: snmp-opd }',
        'routeros: { credentials: mikrotik-opd, version: "7.16.2", port: 18728, sshPort: 2222 }\n    snmp: { version: "2c", credentials: snmp-opd, port: 1161 }',
      );
    expect(edited.match(/mgmt: 10\.255\.10\.1|sshPort: 2222/g)).toHaveLength(2);
    writeFileSync(f, edited);
    const config = testConfig(dir, { inventory: inv, log: { level: 'warn' }, backup: { intervalHours: 0 }, routeros: { autoApply: false } });
    config.lab = true;
    const d = await startDaemon(config, { logStream: new PassThrough() });
    const call = (method: string, path: string) => fetch(d.url + path, { method, headers: { authorization: `Bearer ${ADMIN}` } });
    try {
      for (const id of ['dinkes-rtr01', 'dinsos-rtr01']) {
        expect(await (await call('POST', `/api/v1/routers/${id}/backups`)).json()).toMatchObject({ router: id, result: 'changed', version: 1 });
        // terse export: every line names its menu
        expect(await (await call('GET', `/api/v1/routers/${id}/backups/1`)).text()).toContain(`/system identity set name=${id}`);
      }
    } finally {
      await d.close();
      cleanup();
    }
  }, 90_000);
});
