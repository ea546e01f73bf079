// IPAM's read interface for other domains: they ask here and never name its tables.
import type { Db } from '../store/db.js';

export interface PoolRange {
  name: string;
  cidr: string;
  role: string;
}

/** Every pool's range and role (what nothing may ever block, what a router must never lose a route to). */
export const poolRanges = (db: Db): PoolRange[] => db.prepare('SELECT name, cidr, role FROM ipam_pools ORDER BY id').all() as PoolRange[];
