/** The example regency's inventory as label/diagram checks see it, read from inventory/opds/*.yaml. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DeviceRef } from '../../../src/topology/model.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

interface OpdFile {
  opd: { code: string };
  devices?: (Omit<DeviceRef, 'opd'> & Record<string, unknown>)[];
}

export function loadInventory(): { opds: string[]; devices: DeviceRef[] } {
  const dir = join(ROOT, 'inventory', 'opds');
  const opds: string[] = [];
  const devices: DeviceRef[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    const doc = parse(readFileSync(join(dir, f), 'utf8')) as OpdFile;
    opds.push(doc.opd.code);
    for (const d of doc.devices ?? [])
      devices.push({ id: d.id, opd: doc.opd.code, label: d.label, space: d.space, ports: d.ports, interfaces: d.interfaces, mgmt: d.mgmt });
  }
  return { opds, devices };
}

/** OPD prefixes in the example regency: the LAN block and the management block. */
export const ALLOCATED: Record<string, string[]> = {
  DINKES: ['10.20.10.0/24', '10.255.10.0/24'],
  BAPPEDA: ['10.20.4.0/24', '10.255.4.0/24'],
  DISDIK: ['10.20.11.0/24', '10.255.11.0/24'],
  BPKAD: ['10.20.5.0/24', '10.255.5.0/24'],
};

export const example = (name: string): Buffer => readFileSync(join(ROOT, 'topology', name));
