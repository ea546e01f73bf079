import type { Store } from '../store/store.js';
import { AppError, badRequest, MAX_LISTED_ERRORS } from '../common/errors.js';
import { compileBodySchema } from '../http/validation.js';
import { requirePermission, type Actor } from '../auth/actor.js';
import { blockLast, parseAddress, parsePrefix, type Prefix } from '../common/net/cidr.js';
import { toHex, type PoolRow, type PrefixRow } from './columns.js';
import { isImportKind, parseImportCsv, parseImportYaml, type ImportRow } from './import-parse.js';
import type { AllocateRequest, AssignAddress, CreatePool as CreatePoolBody, IpamService } from './service.js';
import { Allocate, Assign, CreatePool } from './schemas.js';
import { hasOpd } from '../inventory/read.js';

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
  /** The first MAX_LISTED_ERRORS problems by line. */
  errors: ImportProblem[];
  /** Problems beyond the listed ones. */
  errorsNotListed: number;
}

class DryRunDone extends Error {}

/**
 * Each row is the body of one API call and is checked by that route's own schema, compiled by the
 * HTTP body validator: whatever the API refuses (a NUL in a pool name, a hostname with spaces), the
 * import refuses too. `columns` names a body field by its spreadsheet column.
 */
const ROW_SCHEMAS = {
  pool: { schema: CreatePool, columns: { name: 'pool', cidr: 'prefix' } as Record<string, string> },
  prefix: { schema: Allocate, columns: {} as Record<string, string> },
  address: { schema: Assign, columns: {} as Record<string, string> },
};
const validators = new Map<ImportRow['kind'], ReturnType<typeof compileBodySchema>>();

function rowBody(row: ImportRow, prefix: Prefix | undefined): Record<string, unknown> {
  const f = row.fields;
  const body =
    row.kind === 'pool'
      ? // An unnamed pool is named after its CIDR, in the characters a pool name allows.
        {
          name: f.pool ?? prefix!.text.replace(/[^A-Za-z0-9._-]/g, '-'),
          scope: f.scope,
          cidr: prefix!.text,
          role: f.role ?? 'opd-lan',
          description: f.description,
        }
      : row.kind === 'prefix'
        ? { opd: f.opd, purpose: f.purpose ?? 'imported', prefix: prefix!.text }
        : { address: f.address, hostname: f.hostname, mac: f.mac, device: f.device, description: f.description, gateway: true };
  for (const k of Object.keys(body)) if (body[k as keyof typeof body] === undefined) delete body[k as keyof typeof body];
  const { schema, columns } = ROW_SCHEMAS[row.kind];
  let check = validators.get(row.kind);
  if (!check) validators.set(row.kind, (check = compileBodySchema(schema)));
  if (!check(body)) {
    const e = check.errors![0]!;
    const key = e.keyword === 'required' ? String(e.params.missingProperty) : (e.instancePath.split('/')[1] ?? '');
    const column = columns[key] ?? key;
    throw badRequest('VALIDATION_FAILED', e.keyword === 'required' ? `${column} is required` : `${column} ${e.message ?? 'is invalid'}`, column);
  }
  return body;
}

/**
 * Imports a regency's spreadsheet: every line is checked (CIDR, host bits, pool, owner, overlap,
 * duplicates, OPD) and every problem reported with its line; the import is all or nothing, in one
 * transaction. Pools first, then allocations from the largest down (parents before their VLANs),
 * then addresses.
 */
export function importIpam(store: Store, ipam: IpamService, actor: Actor, text: string, opts: { format: 'csv' | 'yaml'; dryRun: boolean }): ImportReport {
  requirePermission(actor, 'operate');
  const rows = opts.format === 'csv' ? parseImportCsv(text) : parseImportYaml(text);
  const report: ImportReport = { dryRun: opts.dryRun, applied: false, counts: { pools: 0, prefixes: 0, addresses: 0 }, errors: [], errorsNotListed: 0 };
  // Every problem is kept until the end, so the listed ones are the first lines, not the first found.
  const problems: ImportProblem[] = [];
  const fail = (row: ImportRow, code: string, message: string, field?: string) => problems.push({ line: row.line, field, code, message });

  const valid: { row: ImportRow; prefix?: Prefix; body: Record<string, unknown> }[] = [];
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
        valid.push({ row, body: rowBody(row, undefined) });
        continue;
      }
      if (!f.prefix) throw badRequest('VALIDATION_FAILED', 'prefix is required (address/length)', 'prefix');
      const p = parsePrefix(f.prefix, { field: 'prefix' });
      if (row.kind === 'pool' && f.scope !== 'public' && f.scope !== 'private')
        throw badRequest('VALIDATION_FAILED', "scope must be 'public' or 'private'", 'scope');
      if (row.kind === 'prefix' && !f.opd) throw badRequest('VALIDATION_FAILED', 'opd is required: who holds this block', 'opd');
      const body = rowBody(row, p);
      const k = `${row.kind}:${p.text}`;
      if (seen.has(k)) throw badRequest('DUPLICATE', `${p.text} is listed twice (first at line ${seen.get(k)})`, 'prefix');
      seen.set(k, row.line);
      valid.push({ row, prefix: p, body });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      fail(row, e.code, e.detail, e.field);
    }
  }
  const order = { pool: 0, prefix: 1, address: 2 };
  valid.sort(
    (a, b) =>
      order[a.row.kind] - order[b.row.kind] ||
      (a.prefix && b.prefix ? a.prefix.family - b.prefix.family || a.prefix.length - b.prefix.length : 0) ||
      a.row.line - b.row.line,
  );

  try {
    store.write(actor, (tx) => {
      const one = <T>(sql: string, ...args: unknown[]) => tx.db.prepare(sql).get(...args) as T | undefined;
      for (const { row, prefix, body } of valid) {
        const f = row.fields;
        try {
          if (row.kind === 'pool') {
            ipam.createPool(actor, body as unknown as CreatePoolBody);
            report.counts.pools++;
          } else if (row.kind === 'prefix') {
            const p = prefix!;
            if (!hasOpd(tx.db, f.opd ?? '')) throw badRequest('UNKNOWN_OPD', `OPD '${f.opd}' is not in the inventory`, 'opd');
            const lo = toHex(p.family, p.network);
            const hi = toHex(p.family, blockLast(p.family, p));
            const same = one<PrefixRow>(
              "SELECT * FROM ipam_prefixes WHERE family = ? AND network = ? AND length = ? AND state = 'allocated'",
              p.family,
              lo,
              p.length,
            );
            if (same) throw badRequest('DUPLICATE', `${p.text} is already in IPAM, held by ${same.opd} (prefix ${same.id})`, 'prefix');
            const parent = one<PrefixRow>(
              "SELECT * FROM ipam_prefixes WHERE family = ? AND state = 'allocated' AND network <= ? AND last >= ? AND length < ? ORDER BY length DESC LIMIT 1",
              p.family,
              lo,
              hi,
              p.length,
            );
            const req = body as unknown as AllocateRequest;
            if (parent) {
              if (parent.opd !== f.opd)
                throw badRequest('OTHER_OWNER', `${p.text} lies inside ${parent.cidr}, which belongs to ${parent.opd}, not ${f.opd}`, 'opd');
              ipam.allocateChild(actor, parent.id, req);
            } else {
              const pool = f.pool
                ? one<PoolRow>('SELECT * FROM ipam_pools WHERE name = ?', f.pool)
                : one<PoolRow>('SELECT * FROM ipam_pools WHERE family = ? AND network <= ? AND last >= ? ORDER BY length DESC LIMIT 1', p.family, lo, hi);
              if (!pool)
                throw badRequest(
                  f.pool ? 'UNKNOWN_POOL' : 'OUTSIDE_POOLS',
                  f.pool ? `no pool named '${f.pool}'` : `${p.text} is outside every pool; add its pool first (kind=pool)`,
                  f.pool ? 'pool' : 'prefix',
                );
              const clash = one<PrefixRow>(
                "SELECT * FROM ipam_prefixes WHERE pool_id = ? AND parent_id IS NULL AND state <> 'released' AND network <= ? AND last >= ? LIMIT 1",
                pool.id,
                hi,
                lo,
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
              a.family,
              v,
              v,
            );
            if (!p) throw badRequest('OUTSIDE_PREFIXES', `${a.text} is not inside any allocated prefix; import its prefix first`, 'address');
            if (f.opd && f.opd !== p.opd) throw badRequest('OTHER_OWNER', `${a.text} is in ${p.cidr}, which belongs to ${p.opd}, not ${f.opd}`, 'opd');
            ipam.assignAddress(actor, p.id, { ...(body as AssignAddress), address: a.text });
            report.counts.addresses++;
          }
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          fail(row, e.code, e.detail, e.field);
        }
      }
      if (problems.length) throw new AppError(422, 'IMPORT_INVALID', `${problems.length} line(s) are wrong; nothing was imported`);
      if (opts.dryRun) throw new DryRunDone();
      tx.audit({ action: 'ipam.import', objectType: 'import', objectId: tx.now, after: { counts: report.counts } });
    });
    report.applied = true;
  } catch (e) {
    if (!(e instanceof DryRunDone) && !(e instanceof AppError && e.code === 'IMPORT_INVALID')) throw e;
  }
  problems.sort((a, b) => a.line - b.line);
  report.errors = problems.slice(0, MAX_LISTED_ERRORS);
  report.errorsNotListed = problems.length - report.errors.length;
  return report;
}
