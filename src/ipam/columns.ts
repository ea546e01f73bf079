import type { Family } from '../common/net/cidr.js';

/** Fixed-width hex so that text order in SQLite is numeric order (see migration 002). */
export const toHex = (family: Family, v: bigint): string => v.toString(16).padStart(family === 4 ? 8 : 32, '0');
export const fromHex = (s: string): bigint => BigInt('0x' + s);

export interface PoolRow {
  id: number;
  name: string;
  scope: 'public' | 'private';
  family: Family;
  cidr: string;
  network: string;
  last: string;
  length: number;
  role: string;
  description: string;
  p2p_length: number | null;
  gateway: 'first' | 'last' | 'none';
  created_at: string;
  created_by: string;
}

export interface PrefixRow {
  id: number;
  pool_id: number;
  parent_id: number | null;
  family: Family;
  cidr: string;
  network: string;
  last: string;
  length: number;
  opd: string;
  purpose: string;
  state: 'allocated' | 'quarantined' | 'released';
  allocated_at: string;
  allocated_by: string;
  released_at: string | null;
  released_by: string | null;
  quarantine_until: string | null;
}

export interface AddressRow {
  id: number;
  prefix_id: number;
  family: Family;
  address: string;
  value: string;
  hostname: string | null;
  mac: string | null;
  device: string | null;
  description: string;
  state: 'assigned' | 'quarantined' | 'released';
  assigned_at: string;
  assigned_by: string;
  released_at: string | null;
  released_by: string | null;
  quarantine_until: string | null;
}
