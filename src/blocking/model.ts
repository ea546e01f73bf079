// Blocking's vocabulary: what the API answers (categories, entries, exceptions, policy answers) and
// the rows behind them.
import type { Clock } from '../common/clock.js';
import type { BlockValue, EntryKind, ProtectedRange } from './normalize.js';

export const CATEGORY_PATTERN = '^[a-z][a-z0-9-]{1,31}$';
export const SOURCE_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
export const MANUAL_SOURCE = 'manual';

export interface BlockingOptions {
  clock: Clock;
  minPrefixLength: { 4: number; 6: number };
  maxExceptionDays: number;
  /** The regency's zone: an exception asked "until 2026-12-31" ends at the end of that day there. */
  timezone?: string;
  /** Addresses nothing may block besides the IPAM pools: routers' management addresses. */
  protectedAddresses?: () => ProtectedRange[];
  /** Domains nothing may block, nor any name under them: the regency's own (inventory `regency.domain`). */
  protectedDomains?: () => readonly string[];
  /** A listener failing must not fail the write that triggered it. */
  onListenerError?: (e: unknown) => void;
}

export interface CategoryOut {
  name: string;
  description: string;
  createdAt: string;
  createdBy: string;
  entries: number;
  excludedOpds: string[];
  sources: SourceOut[];
}

export interface SourceOut {
  name: string;
  entries: number;
  format: string | null;
  importedAt: string | null;
  importedBy: string | null;
  lines: number | null;
  accepted: number | null;
  invalid: number | null;
  duplicates: number | null;
  redundant: number | null;
  refused: number | null;
}

export interface EntryOut {
  id: number;
  category: string;
  kind: EntryKind;
  value: string;
  source: string;
  addedAt: string;
  addedBy: string;
}

export interface ExceptionOut {
  id: number;
  opd: string;
  kind: 'domain' | 'address';
  value: string;
  requestId: number | null;
  createdAt: string;
  createdBy: string;
  until: string;
  state: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  expiredAt: string | null;
}

export const EXCEPTION_STATES = ['active', 'expired', 'revoked'] as const;

export interface ExceptionFilter {
  opd?: string;
  state?: (typeof EXCEPTION_STATES)[number];
  /** Only exceptions whose end (`until`) is before this date-time. */
  endingBefore?: string;
  limit?: number;
  after?: number;
}

export interface ExceptionDbRow {
  id: number;
  opd: string;
  kind: 'domain' | 'address';
  value: string;
  request_id: number | null;
  created_at: string;
  created_by: string;
  until: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  expired_at: string | null;
}

export interface EntryDbRow {
  id: number;
  category: string;
  kind: EntryKind;
  value: string;
  source: string;
  added_at: string;
  added_by: string;
}

/** One entry that matches a policy question, and whether it blocks for this OPD. */
export interface PolicyMatch {
  category: string;
  kind: EntryKind;
  value: string;
  source: string;
  addedAt: string;
  /** False when the OPD is excluded from the category. */
  applies: boolean;
  /** The exception that opens it for this OPD, if any. */
  openedBy: number | null;
}

export interface PolicyAnswer {
  opd: string;
  query: BlockValue;
  blocked: boolean;
  why: string;
  matches: PolicyMatch[];
  exceptions: ExceptionOut[];
}

export const entryOut = (r: EntryDbRow): EntryOut => ({
  id: r.id,
  category: r.category,
  kind: r.kind,
  value: r.value,
  source: r.source,
  addedAt: r.added_at,
  addedBy: r.added_by,
});
