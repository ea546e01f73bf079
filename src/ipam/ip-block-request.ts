import { badRequest, conflict, forbidden, AppError } from '../common/errors.js';
import { can } from '../auth/actor.js';
import type { RequestType } from '../requests/service.js';
import type { PoolRow } from './columns.js';
import type { IpamService } from './service.js';
import { prefixLengthForAddresses } from './core/size.js';
import { Type } from '@sinclair/typebox';
import { TextLine, TextLines } from '../http/schemas.js';

/** An ip-block request is an office LAN: it is served from pools of these roles. */
export const IP_BLOCK_POOL_ROLES: readonly string[] = ['opd-lan'];

/**
 * An OPD asks for an IP block; approval allocates it in the approval's own transaction:
 * from the pool the NOC names, or the first private `opd-lan` pool of the family with room.
 * A named pool of another role (a backbone's /31s, loopbacks) is refused unless a noc-admin
 * says `overrideRole: true`; the override is kept in the result, so in the steps and the audit entry.
 */
export function ipBlockRequest(ipam: IpamService): RequestType {
  return {
    name: 'ip-block',
    fields: {
      family: Type.Optional(Type.Integer({ enum: [4, 6], description: 'IPv4 (default) or IPv6' })),
      prefixLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 128, description: 'the block size as a prefix length (give this or addresses)' })),
      addresses: Type.Optional(Type.Integer({ description: 'how many addresses are needed; rounded up to a block (give this or prefixLength)' })),
      purpose: Type.Optional(TextLines(500, 1, { description: 'required: what the block is for (a LAN, CCTV...)' })),
      justification: Type.Optional(TextLines(2000, 1, { description: 'required: why the office needs it' })),
    },
    decision: {
      poolId: Type.Optional(
        Type.Integer({ minimum: 1, description: 'serve from this pool (default: the first private opd-lan pool of the family with room)' }),
      ),
      prefix: Type.Optional(TextLine(64, 1, { description: 'allocate exactly this prefix' })),
      strategy: Type.Optional(Type.Union([Type.Literal('first-fit'), Type.Literal('best-fit')])),
      overrideRole: Type.Optional(
        Type.Boolean({ description: 'noc-admin only: serve from poolId although its role is not opd-lan (kept in the steps and the audit log)' }),
      ),
    },
    validate(body) {
      const family = body.family === undefined ? 4 : body.family;
      if (family !== 4 && family !== 6) throw badRequest('VALIDATION_FAILED', 'family must be 4 or 6', 'family');
      if ((body.prefixLength === undefined) === (body.addresses === undefined))
        throw badRequest('SIZE_REQUIRED', 'give either prefixLength (e.g. 26) or addresses (e.g. 60), not both', 'prefixLength');
      const bits = family === 4 ? 32 : 128;
      if (
        body.prefixLength !== undefined &&
        (!Number.isInteger(body.prefixLength) || (body.prefixLength as number) < 8 || (body.prefixLength as number) > bits)
      )
        throw badRequest('CIDR_LENGTH_OUT_OF_RANGE', `prefixLength must be a whole number from 8 to ${bits} for IPv${family}`, 'prefixLength');
      if (body.addresses !== undefined) prefixLengthForAddresses(body.addresses as number, family);
      for (const f of ['purpose', 'justification'] as const)
        if (typeof body[f] !== 'string' || !(body[f] as string).trim()) throw badRequest('VALIDATION_FAILED', `${f} is required: say what the block is for`, f);
      return {
        family,
        prefixLength: body.prefixLength,
        addresses: body.addresses,
        purpose: (body.purpose as string).trim(),
        justification: (body.justification as string).trim(),
      };
    },
    approve(tx, req, decision) {
      const b = req.body as { family: 4 | 6; prefixLength?: number; addresses?: number; purpose: string };
      const ask = {
        opd: req.opd,
        purpose: b.purpose,
        prefixLength: b.prefixLength,
        addresses: b.addresses,
        strategy: decision.strategy as 'first-fit' | 'best-fit' | undefined,
      };
      if (decision.overrideRole === true && !can(tx.actor, 'admin'))
        throw forbidden('only a noc-admin may serve a request from a pool of another role (overrideRole)');
      let pools: PoolRow[];
      let roleOverride: { pool: string; role: string; allowedRoles: string[] } | undefined;
      if (decision.poolId !== undefined) {
        const p = tx.db.prepare('SELECT * FROM ipam_pools WHERE id = ?').get(decision.poolId) as PoolRow | undefined;
        if (!p) throw badRequest('UNKNOWN_POOL', `pool ${decision.poolId} does not exist`, 'poolId');
        if (p.family !== b.family) throw badRequest('FAMILY_MISMATCH', `pool ${p.name} is IPv${p.family}; the request is for IPv${b.family}`, 'poolId');
        if (!IP_BLOCK_POOL_ROLES.includes(p.role)) {
          const allowed = IP_BLOCK_POOL_ROLES.join(', ');
          if (decision.overrideRole !== true)
            throw new AppError(
              409,
              'POOL_ROLE_MISMATCH',
              `pool ${p.name} is a ${p.role} pool; an ip-block request (an office LAN) is served from ${allowed} pools. Name one of those, or (noc-admin) approve with "overrideRole": true`,
              'poolId',
              { role: p.role, allowedRoles: [...IP_BLOCK_POOL_ROLES] },
            );
          roleOverride = { pool: p.name, role: p.role, allowedRoles: [...IP_BLOCK_POOL_ROLES] };
        }
        pools = [p];
      } else {
        pools = tx.db
          .prepare("SELECT * FROM ipam_pools WHERE family = ? AND role IN (SELECT value FROM json_each(?)) AND scope = 'private' ORDER BY network")
          .all(b.family, JSON.stringify(IP_BLOCK_POOL_ROLES)) as PoolRow[];
        if (!pools.length) throw conflict('NO_POOL', `there is no private ${IP_BLOCK_POOL_ROLES.join(' or ')} IPv${b.family} pool; create one or name poolId`);
      }
      let last: AppError | null = null;
      for (const pool of pools) {
        try {
          const { prefix } = ipam.allocateIn(
            tx,
            { pool, parent: null },
            decision.prefix ? { ...ask, prefix: String(decision.prefix), prefixLength: undefined, addresses: undefined } : ask,
          );
          const steps = [`allocated ${prefix.cidr} from pool ${pool.name} to ${req.opd}`];
          if (roleOverride)
            steps.push(`role override: pool ${pool.name} is ${roleOverride.role}, not ${roleOverride.allowedRoles.join(' or ')} (by ${tx.actor.id})`);
          return { result: roleOverride ? { prefix, roleOverride } : { prefix }, steps };
        } catch (e) {
          if (e instanceof AppError && e.code === 'POOL_EXHAUSTED' && pools.length > 1) last = e;
          else throw e;
        }
      }
      throw last!;
    },
  };
}
