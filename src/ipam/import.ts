import type { Store } from '../store/store.js';
import { AppError, badRequest } from '../common/errors.js';
import { requirePermission, type Actor } from '../auth/actor.js';
import { blockLast, parseAddress, parsePrefix, type Prefix } from './core/cidr.js';
import { toHex, type PoolRow, type PrefixRow } from './columns.js';
import { isImportKind, parseImportCsv, parseImportYaml, type ImportRow } from './import-parse.js';
import type { IpamService } from './service.js';

export interface ImportProblem {
  line: number;
  field?: string;
  code: string;
  message: string;
}
export interface ImportReport {
  dryRun: boolean;
  applied: boolean;
  counts: { pools: number; prefixes: number; addresses: number };
  errors: ImportProblem[];
}

class DryRunDone extends Error {}

/**
 * Imports a regency's spreadsheet: every line is checked (CIDR, host bits, pool, owner, overlap,
 * duplicates, OPD) and every problem reported with its line; the import is all or nothing, in one
 * transaction. Pools first, then allocations from the largest down (parents before their VLANs),
 * then addresses.
 */
export function importIpam(store: Store, ipam: IpamService, actor: Actor, text: string, opts: { format: 'csv' | 'yaml'; dryRun: boolean }): ImportReport {
  requirePermission(actor, 'operate');
  const rows = opts.format === 'csv' ? parseImportCsv(text) : parseImportYaml(text);
  const report: ImportReport = { dryRun: opts.dryRun, applied: false, counts: { pools: 0, prefixes: 0, addresses: 0 }, errors: [] };
  const fail = (row: ImportRow, code: string, message: string, field?: string) => report.errors.push({ line: row.line, field, code, message });

  const valid: { row: ImportRow; prefix?: Prefix }[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (!isImportKind(String(row.kind))) {
      fail(row, 'UNKNOWN_KIND', `kind must be pool, prefix or address, got '${row.kind ?? ''}'`, 'kind');
      continue;
    }
    const f = row.fields;
    try {
      if (row.kind === 'address') {
        if (!f.address) throw badRequest('VALIDATION_FAILED', 'address is required', 'address');
        const a = parseAddress(f.address, { field: 'address' });
        const k = `a:${a.text}`;
        if (seen.has(k)) throw badRequest('DUPLICATE', `${a.text} is listed twice (first at line ${seen.get(k)})`, 'address');
        seen.set(k, row.line);
        valid.push({ row });
        continue;
      }
      if (!f.prefix) throw badRequest('VALIDATION_FAILED', 'prefix is required (address/length)', 'prefix');
      const p = parsePrefix(f.prefix, { field: 'prefix' });
      const k = `${row.kind}:${p.text}`;
      if (seen.has(k)) throw badRequest('DUPLICATE', `${p.text} is listed twice (first at line ${seen.get(k)})`, 'prefix');
      seen.set(k, row.line);
      valid.push({ row, prefix: p });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      fail(row, e.code, e.detail, e.field);
    }
  }
  const order = { pool: 0, prefix: 1, address: 2 };
  valid.sort((a, b) => order[a.row.kind] - order[b.row.kind] || (a.prefix && b.prefix ? a.prefix.family - b.prefix.family || a.prefix.length - b.prefix.length : 0) || a.row.line - b.row.line);

  try {
    store.write(actor, (tx) => {
      const one = <T>(sql: string, ...args: unknown[]) => tx.db.prepare(sql).get(...args) as T | undefined;
      for (const { row, prefix } of valid) {
        const f = row.fields;
        try {
          if (row.kind === 'pool') {
            if (f.scope !== 'public' && f.scope !== 'private') throw badRequest('VALIDATION_FAILED', "scope must be 'public' or 'private'", 'scope');
            ipam.createPool(actor, { name: f.pool ?? f.description ?? prefix!.text, scope: f.scope, cidr: prefix!.text, role: f.role ?? 'opd-lan', description: f.description });
            report.counts.pools++;
          } else if (row.kind === 'prefix') {
            const p = prefix!;
            if (!f.opd) throw badRequest('VALIDATION_FAILED', 'opd is required: who holds this block', 'opd');
            if (!one('SELECT 1 FROM opds WHERE code = ?', f.opd)) throw badRequest('UNKNOWN_OPD', `OPD '${f.opd}' is not in the inventory`, 'opd');
            const lo = toHex(p.family, p.network);
            const hi = toHex(p.family, blockLast(p.family, p));
            const same = one<PrefixRow>("SELECT * FROM ipam_prefixes WHERE family = ? AND network = ? AND length = ? AND state = 'allocated'", p.family, lo, p.length);
            if (same) throw badRequest('DUPLICATE', `${p.text} is already in IPAM, held by ${same.opd} (prefix ${same.id})`, 'prefix');
            const parent = one<PrefixRow>(
              "SELECT * FROM ipam_prefixes WHERE family = ? AND state = 'allocated' AND network <= ? AND last >= ? AND length < ? ORDER BY length DESC LIMIT 1",
              p.family, lo, hi, p.length,
            );
            const req = { opd: f.opd, purpose: f.purpose ?? 'imported', prefix: p.text };
            if (parent) {
              if (parent.opd !== f.opd) throw badRequest('OTHER_OWNER', `${p.text} lies inside ${parent.cidr}, which belongs to ${parent.opd}, not ${f.opd}`, 'opd');
              ipam.allocateChild(actor, parent.id, req);
            } else {
              const pool = f.pool
                ? one<PoolRow>('SELECT * FROM ipam_pools WHERE name = ?', f.pool)
                : one<PoolRow>('SELECT * FROM ipam_pools WHERE family = ? AND network <= ? AND last >= ? ORDER BY length DESC LIMIT 1', p.family, lo, hi);
              if (!pool) throw badRequest(f.pool ? 'UNKNOWN_POOL' : 'OUTSIDE_POOLS', f.pool ? `no pool named '${f.pool}'` : `${p.text} is outside every pool; add its pool first (kind=pool)`, f.pool ? 'pool' : 'prefix');
              const clash = one<PrefixRow>(
                "SELECT * FROM ipam_prefixes WHERE pool_id = ? AND parent_id IS NULL AND state <> 'released' AND network <= ? AND last >= ? LIMIT 1",
                pool.id, hi, lo,
              );
              if (clash) throw badRequest('OVERLAP', `${p.text} overlaps ${clash.cidr}, held by ${clash.opd} (${clash.state})`, 'prefix');
              ipam.allocate(actor, pool.id, req);
            }
            report.counts.prefixes++;
          } else {
            const a = parseAddress(f.address!, { field: 'address' });
            const v = toHex(a.family, a.value);
            const p = one<PrefixRow>(
              "SELECT * FROM ipam_prefixes WHERE family = ? AND state = 'allocated' AND network <= ? AND last >= ? ORDER BY length DESC LIMIT 1",
              a.family, v, v,
            );
            if (!p) throw badRequest('OUTSIDE_PREFIXES', `${a.text} is not inside any allocated prefix; import its prefix first`, 'address');
            if (f.opd && f.opd !== p.opd) throw badRequest('OTHER_OWNER', `${a.text} is in ${p.cidr}, which belongs to ${p.opd}, not ${f.opd}`, 'opd');
            ipam.assignAddress(actor, p.id, { address: a.text, hostname: f.hostname, mac: f.mac, device: f.device, description: f.description, gateway: true });
            report.counts.addresses++;
          }
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          fail(row, e.code, e.detail, e.field);
        }
      }
      if (report.errors.length) throw new AppError(422, 'IMPORT_INVALID', `${report.errors.length} line(s) are wrong; nothing was imported`);
      if (opts.dryRun) throw new DryRunDone();
      tx.audit({ action: 'ipam.import', objectType: 'import', objectId: tx.now, after: { counts: report.counts } });
    });
    report.applied = true;
  } catch (e) {
    if (!(e instanceof DryRunDone) && !(e instanceof AppError && e.code === 'IMPORT_INVALID')) throw e;
  }
  report.errors.sort((a, b) => a.line - b.line);
  return report;
}
