// Lab mode's routers: one simulated RouterOS per inventory router, answering on 127.0.0.1 with the
// version and model the inventory names (7.18+ answers empty prints with `!empty`), API-SSL where
// the inventory says tls, trusting Simpul's lab certificate, and the unmanaged configuration a
// router arrives with.
import type { Device, Inventory } from '../../inventory/model.js';
import type { Endpoint } from '../../module.js';
import type { LabOptions, LabSimulators, LabStarter } from '../lab.js';
import { RouterSim } from './server.js';
import { labSecrets, RouterSshServer } from './ssh.js';
import { labHostKey, labHostKeyDir } from './host-keys.js';
import { LAB_ROUTER_CERT, LAB_ROUTER_KEY } from './lab-cert.js';
import { LAB_SIMPUL_CERT } from '../lab-tls.js';

export interface RouterLab extends LabSimulators {
  /** The simulator of each inventory router, by device id. */
  sims: Map<string, RouterSim>;
  /** Each router's SSH side (config backups read `/export` there), by device id. */
  ssh: Map<string, RouterSshServer>;
}

/** RouterOS 7.18 and later answer an empty print with `!empty`. */
export function answersEmpty(version: string | undefined): boolean {
  const [major = 0, minor = 0] = (version ?? '7.18').split('.').map(Number);
  return major > 7 || (major === 7 && minor >= 18);
}

function interfacesOf(d: Device): string[] {
  if (d.interfaces?.length) return d.interfaces;
  return Array.from({ length: d.ports ?? 5 }, (_, i) => `ether${i + 1}`);
}

/** A router as it comes from the field: identity, ports, its management address, a stateful
 *  filter rule and the masquerade every MikroTik default config has. None of it is Simpul's. */
export function seedUnmanaged(sim: RouterSim, d: Device): void {
  const st = sim.state;
  const uplink = interfacesOf(d)[0] ?? 'ether1';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(d.mgmt)) st.insert('/ip/address', { address: `${d.mgmt}/24`, interface: uplink, comment: 'management' });
  st.insert('/ip/firewall/filter', { chain: 'forward', action: 'accept', 'connection-state': 'established,related', comment: 'accept established,related' });
  st.insert('/ip/firewall/nat', { chain: 'srcnat', action: 'masquerade', 'out-interface': uplink, comment: 'defconf: masquerade' });
}

export const startRouterLab = async (inventory: Inventory, credentials: { username: string; password: string }, opts: LabOptions = {}): Promise<RouterLab> => {
  const sims = new Map<string, RouterSim>();
  const ssh = new Map<string, RouterSshServer>();
  const endpoints = new Map<string, Endpoint>();
  const stop = async () => void (await Promise.all([...sims.values(), ...ssh.values()].map((s) => s.stop())));
  try {
    for (const d of inventory.devices) {
      if (!d.routeros) continue;
      const sim = new RouterSim({
        user: credentials.username,
        password: credentials.password,
        emptyReplies: answersEmpty(d.routeros.version),
        // /system/resource answers the inventory's version and model; tests may change them
        state: { identity: d.id, interfaces: interfacesOf(d), board: d.model, ...(d.routeros.version ? { version: d.routeros.version } : {}) },
        // the operator imports Simpul's certificate once (README); the lab routers come with it
        trustedCa: LAB_SIMPUL_CERT,
        ...(d.routeros.tls ? { tls: { key: LAB_ROUTER_KEY, cert: LAB_ROUTER_CERT } } : {}),
      });
      seedUnmanaged(sim, d);
      await sim.start();
      sims.set(d.id, sim);
      endpoints.set(`${d.id}/routeros`, { host: sim.host, port: sim.port });
      // with a data directory each router keeps its host key across restarts, as a real one does
      const hostKey = opts.dataDir ? labHostKey(labHostKeyDir(opts.dataDir), d.id, opts.warn ?? (() => {})) : undefined;
      const shell = new RouterSshServer({
        state: sim.state,
        user: credentials.username,
        password: credentials.password,
        secrets: labSecrets(d.id),
        ...(hostKey ? { hostKey } : {}),
      });
      await shell.start();
      ssh.set(d.id, shell);
      endpoints.set(`${d.id}/routeros-ssh`, { host: shell.host, port: shell.port });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { name: 'routeros', endpoints, sims, ssh, stop };
};

export const routerLabStarter: LabStarter = (inventory, credentials, opts) => startRouterLab(inventory, credentials, opts);
