/**
 * Lab mode's SNMP starter: the simulated fleet for every inventory device with `snmp:`, serving
 * exactly the lab credentials the daemon resolves (v2c community; v3 user, authPriv SHA-256 + AES).
 */
import type { Inventory } from '../../inventory/model.js';
import type { LAB_CREDENTIALS, LabSimulators, LabStarter } from '../lab.js';
import type { Endpoint } from '../../module.js';
import { SnmpLab } from './fleet.js';
import type { SimulatedSwitch } from './switch.js';

export interface SnmpLabSimulators extends LabSimulators {
  /** The simulated agent of each inventory device with snmp:, by device id (tests mute or reboot them). */
  sims: Map<string, SimulatedSwitch>;
}

export const startSnmpLab = async (inventory: Inventory, credentials: typeof LAB_CREDENTIALS): Promise<SnmpLabSimulators> => {
  // the simulated agents speak only these; lab credentials naming others would never authenticate
  if (credentials.authProtocol !== 'sha256' || credentials.privProtocol !== 'aes') {
    throw new Error(`lab SNMPv3 credentials must be sha256/aes, got ${credentials.authProtocol}/${credentials.privProtocol}`);
  }
  const lab = await SnmpLab.start(inventory, {
    community: credentials.community,
    v3User: { name: credentials.user, authKey: credentials.authKey, privKey: credentials.privKey },
  });
  const endpoints = new Map<string, Endpoint>();
  for (const [id, sim] of lab.sims) endpoints.set(`${id}/snmp`, { host: sim.address, port: sim.port });
  return { name: 'snmp', endpoints, sims: lab.sims, stop: () => lab.close() };
};

export const snmpLabStarter: LabStarter = (inventory, credentials) => startSnmpLab(inventory, credentials);
