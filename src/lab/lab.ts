import type { Inventory, Device } from '../inventory/model.js';
import type { DeviceService, Endpoint } from '../module.js';
import { snmpLabStarter } from './snmp/starter.js';
import { routerLabStarter } from './routeros/starter.js';

/** One kind of simulated device (MikroTik routers, SNMP switches), started for the inventory. */
export interface LabSimulators {
  name: string;
  /** `${deviceId}/${service}` -> where its simulator listens on 127.0.0.1. */
  endpoints: Map<string, Endpoint>;
  stop(): Promise<void>;
}
/** What a starter may keep across restarts, and how it reports what it had to repair. */
export interface LabOptions {
  /** The daemon's data directory: simulators keep their lasting state (router host keys) there. */
  dataDir?: string;
  warn?: (message: string) => void;
}
export type LabStarter = (inventory: Inventory, credentials: typeof LAB_CREDENTIALS, opts?: LabOptions) => Promise<LabSimulators>;

/** Each simulator kind adds its starter here. */
export const LAB_STARTERS: LabStarter[] = [snmpLabStarter, routerLabStarter];

/** Lab mode's credentials: the simulators accept exactly these, and no real device ever sees them. */
export const LAB_CREDENTIALS = {
  username: 'simpul',
  password: 'simpul-lab',
  community: 'simpul-lab',
  user: 'simpul',
  authProtocol: 'sha256',
  authKey: 'simpul-lab-auth-key',
  privProtocol: 'aes',
  privKey: 'simpul-lab-priv-key',
} as const;

export interface Lab {
  endpoint(device: Device, service: DeviceService): Endpoint | null;
  stop(): Promise<void>;
}

/** Starts every simulator kind for the inventory; devices map to 127.0.0.1 ports, never to their addresses. */
export async function startLab(inventory: Inventory, opts: LabOptions = {}): Promise<Lab> {
  const started: LabSimulators[] = [];
  try {
    for (const start of LAB_STARTERS) started.push(await start(inventory, LAB_CREDENTIALS, opts));
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
  const endpoints = new Map<string, Endpoint>();
  for (const s of started) for (const [k, v] of s.endpoints) endpoints.set(k, v);
  return {
    endpoint: (device, service) => endpoints.get(`${device.id}/${service}`) ?? null,
    stop: async () => void (await Promise.all(started.map((s) => s.stop()))),
  };
}
