import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import type { IpamService } from '../ipam/service.js';
import { importIpam, type ImportReport } from '../ipam/import.js';
import { systemActor } from '../auth/actor.js';
import { projectRoot } from '../common/paths.js';

/**
 * Lab mode's IPAM: the example regency's pools, office LANs, backbone /31s, data-center servers
 * and their public addresses, imported once into an empty store through the same importer an
 * operator uses for a spreadsheet.
 */
export function seedLabIpam(store: Store, ipam: IpamService): ImportReport | null {
  if (ipam.hasPools()) return null;
  const text = readFileSync(join(projectRoot(), 'deploy/lab/ipam.csv'), 'utf8');
  const report = importIpam(store, ipam, systemActor('lab'), text, { format: 'csv', dryRun: false });
  if (report.errors.length) throw new Error(`lab IPAM seed is invalid: ${JSON.stringify(report.errors.slice(0, 3))}`);
  return report;
}
