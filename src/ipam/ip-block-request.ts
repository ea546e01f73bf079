import { badRequest, conflict, AppError } from '../common/errors.js';
import type { RequestType } from '../requests/service.js';
import type { PoolRow } from './columns.js';
import type { IpamService } from './service.js';
import { prefixLengthForAddresses } from './core/size.js';

/**
 * An OPD asks for an IP block; approval allocates it in the approval's own transaction:
 * from the pool the NOC names, or the first private `opd-lan` pool of the family with room.
 */
export function ipBlockRequest(ipam: IpamService): RequestType {
  return {
    name: 'ip-block',
    validate(body) {
      const family = body.family === undefined ? 4 : body.family;
      if (family !== 4 && family !== 6) throw badRequest('VALIDATION_FAILED', 'family must be 4 or 6', 'family');
      if ((body.prefixLength === undefined) === (body.addresses === undefined))
        throw badRequest('SIZE_REQUIRED', 'give either prefixLength (e.g. 26) or addresses (e.g. 60), not both', 'prefixLength');
      const bits = family === 4 ? 32 : 128;
      if (body.prefixLength !== undefined && (!Number.isInteger(body.prefixLength) || (body.prefixLength as number) < 8 || (body.prefixLength as number) > bits))
        throw badRequest('CIDR_LENGTH_OUT_OF_RANGE', `prefixLength must be a whole number from 8 to ${bits} for IPv${family}`, 'prefixLength');
      if (body.addresses !== undefined) prefixLengthForAddresses(body.addresses as number, family);
      for (const f of ['purpose', 'justification'] as const)
        if (typeof body[f] !== 'string' || !(body[f] as string).trim()) throw badRequest('VALIDATION_FAILED', `${f} is required: say what the block is for`, f);
      for (const f of ['domain', 'address', 'duty', 'until'])
        if (body[f] !== undefined) throw badRequest('VALIDATION_FAILED', `${f} does not belong in an ip-block request`, f);
      return { family, prefixLength: body.prefixLength, addresses: body.addresses, purpose: (body.purpose as string).trim(), justification: (body.justification as string).trim() };
    },
    approve(tx, req, decision) {
      const b = req.body as { family: 4 | 6; prefixLength?: number; addresses?: number; purpose: string };
      const ask = { opd: req.opd, purpose: b.purpose, prefixLength: b.prefixLength, addresses: b.addresses, strategy: decision.strategy as 'first-fit' | 'best-fit' | undefined };
      let pools: PoolRow[];
      if (decision.poolId !== undefined) {
        const p = tx.db.prepare('SELECT * FROM ipam_pools WHERE id = ?').get(decision.poolId) as PoolRow | undefined;
        if (!p) throw badRequest('UNKNOWN_POOL', `pool ${decision.poolId} does not exist`, 'poolId');
        if (p.family !== b.family) throw badRequest('FAMILY_MISMATCH', `pool ${p.name} is IPv${p.family}; the request is for IPv${b.family}`, 'poolId');
        pools = [p];
      } else {
        pools = tx.db.prepare("SELECT * FROM ipam_pools WHERE family = ? AND role = 'opd-lan' AND scope = 'private' ORDER BY network").all(b.family) as PoolRow[];
        if (!pools.length) throw conflict('NO_POOL', `there is no private opd-lan IPv${b.family} pool; create one or name poolId`);
      }
      let last: AppError | null = null;
      for (const pool of pools) {
        try {
          const { prefix } = ipam.allocateIn(tx, { pool, parent: null }, decision.prefix ? { ...ask, prefix: String(decision.prefix), prefixLength: undefined, addresses: undefined } : ask);
          return { result: { prefix }, steps: [`allocated ${prefix.cidr} from pool ${pool.name} to ${req.opd}`] };
        } catch (e) {
          if (e instanceof AppError && e.code === 'POOL_EXHAUSTED' && pools.length > 1) last = e;
          else throw e;
        }
      }
      throw last!;
    },
  };
}
