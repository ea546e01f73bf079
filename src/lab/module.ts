// Lab mode: IPAM seeded from deploy/lab, a simulator on 127.0.0.1 for every device of the inventory,
// and the pages' lab logins. Modules reach devices through ctx.endpoint, which asks the lab first.
import type { Device } from '../inventory/model.js';
import type { DeviceService, Endpoint, ModuleDefinition } from '../module.js';
import { ensureLabAccounts, type LabLogin } from './accounts.js';
import { startLab } from './lab.js';
import { seedLabIpam } from './seed.js';

export interface LabMode {
  endpoint(device: Device, service: DeviceService): Endpoint | null;
  /** The page logins created (or given new passwords) at this start. */
  logins: LabLogin[];
}

export const labModule: ModuleDefinition = {
  name: 'lab',
  requires: ['loadedInventory', 'ipam', 'users'],
  provides: ['lab'],
  async create(ctx) {
    const seeded = seedLabIpam(ctx.store, ctx.need('ipam'));
    if (seeded) ctx.log.info({ counts: seeded.counts }, 'lab IPAM seeded from deploy/lab/ipam.csv');
    const lab = await startLab(ctx.inventory(), { dataDir: ctx.config.dataDir, warn: (message) => ctx.log.warn(message) });
    try {
      ctx.provide('lab', { endpoint: lab.endpoint, logins: await ensureLabAccounts(ctx.need('users')) });
    } catch (e) {
      await lab.stop();
      throw e;
    }
    return { name: 'lab', stop: () => lab.stop() };
  },
};
