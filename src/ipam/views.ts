import type { Utilization } from './core/utilization.js';
import type { AddressRow, PoolRow, PrefixRow } from './columns.js';

/** Counts are decimal strings: an IPv6 /48 holds 2^80 addresses, beyond JSON numbers. */
export const utilizationOut = (u: Utilization) => ({
  total: u.total.toString(),
  allocated: u.allocated.toString(),
  quarantined: u.quarantined.toString(),
  reserved: u.reserved.toString(),
  free: u.free.toString(),
  usedRatio: u.approx.usedRatio,
  largestFree: u.largestFree?.text ?? null,
});

export const poolOut = (p: PoolRow, u: Utilization | null) => ({
  id: p.id,
  name: p.name,
  scope: p.scope,
  family: p.family,
  cidr: p.cidr,
  role: p.role,
  description: p.description,
  p2pLength: p.p2p_length,
  gateway: p.gateway,
  createdAt: p.created_at,
  createdBy: p.created_by,
  utilization: u ? utilizationOut(u) : null,
});
export type PoolOut = ReturnType<typeof poolOut>;

export const prefixOut = (p: PrefixRow) => ({
  id: p.id,
  poolId: p.pool_id,
  parentId: p.parent_id,
  family: p.family,
  cidr: p.cidr,
  opd: p.opd,
  purpose: p.purpose,
  state: p.state,
  allocatedAt: p.allocated_at,
  allocatedBy: p.allocated_by,
  releasedAt: p.released_at,
  releasedBy: p.released_by,
  quarantineUntil: p.quarantine_until,
});
export type PrefixOut = ReturnType<typeof prefixOut>;

export const addressOut = (a: AddressRow, opd: string) => ({
  id: a.id,
  prefixId: a.prefix_id,
  opd,
  family: a.family,
  address: a.address,
  hostname: a.hostname,
  mac: a.mac,
  device: a.device,
  description: a.description,
  state: a.state,
  assignedAt: a.assigned_at,
  assignedBy: a.assigned_by,
  releasedAt: a.released_at,
  quarantineUntil: a.quarantine_until,
});
export type AddressOut = ReturnType<typeof addressOut>;
