import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, type Actor } from '../../auth/actor.js';
import { AppError } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import type { AddressOut } from '../../ipam/views.js';
import { DescriptiveFields } from '../../ipam/schemas.js';
import { formValidator, type FieldErrors } from '../forms.js';
import { mayOperate, nocActor } from './noc-access.js';
import { cursorOf, idParam, nocDone, pageOf } from './noc-paging.js';

/** The shared field schemas, with what the form says when one is wrong. */
const own = <T extends object>(schema: T, key: string) => ({ ...schema, 'x-error': `noc:ipam.errors.${key}` });
const PurposeForm = Type.Object({ purpose: own(DescriptiveFields.purpose, 'purpose') }, { additionalProperties: false });
const PoolForm = Type.Object({ description: Type.Optional(own(DescriptiveFields.poolDescription, 'description')) }, { additionalProperties: false });
const AddressForm = Type.Object(
  {
    hostname: Type.Optional(own(DescriptiveFields.hostname, 'hostname')),
    mac: Type.Optional(own(DescriptiveFields.mac, 'mac')),
    device: Type.Optional(own(DescriptiveFields.device, 'device')),
    description: Type.Optional(own(DescriptiveFields.description, 'description')),
  },
  { additionalProperties: false },
);
const checkPurpose = formValidator(PurposeForm);
const checkPool = formValidator(PoolForm);
const checkAddress = formValidator(AddressForm);

const PAGE = 50;

/** Decimal-string counts (an IPv6 /48 holds 2^80) formatted exactly, as BigInt. */
const countFormat = (locale: string) => {
  const nf = new Intl.NumberFormat(locale);
  return (s: string | null | undefined) => (s == null ? '' : nf.format(BigInt(s)));
};

/** A refusal of the service about the object's state (released: history) shown on the form. */
function stateRefusal(e: unknown, t: (k: string) => string): FieldErrors {
  if (e instanceof AppError && e.status === 409) return { _form: t('noc:ipam.errors.released') };
  throw e;
}

/**
 * The NOC's IPAM pages: pools with their utilization, a pool's prefixes, a prefix's sub-prefixes
 * and addresses, "who holds this address", editing descriptive fields, and early release from
 * quarantine (noc-admin, confirmed on its own page so it works without JavaScript).
 */
export async function nocIpamPages(app: FastifyInstance, s: Services): Promise<void> {
  const ipam = s.ipam;
  const common = (req: FastifyRequest, actor: Actor) => ({
    operate: mayOperate(actor),
    admin: can(actor, 'admin'),
    count: countFormat(req.web.fmt.locale),
    done: nocDone(req),
  });

  app.get('/noc/ipam', async (req, reply) => {
    const actor = nocActor(req);
    const q = (req.query as Record<string, unknown>).q;
    const data: Record<string, unknown> = { pools: ipam.listPools(actor), q: null, found: null };
    if (typeof q === 'string' && q.trim()) {
      data.q = q.slice(0, 100);
      try {
        data.found = ipam.lookup(actor, q.trim().slice(0, 100));
      } catch (e) {
        if (!(e instanceof AppError) || e.status !== 400) throw e;
        return reply.page('noc/ipam', { ...common(req, actor), ...data, errors: { q: req.web.t('noc:ipam.errors.lookup') } }, 400);
      }
    }
    return reply.page('noc/ipam', { ...common(req, actor), ...data });
  });

  const poolPage = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = nocActor(req);
    const pool = ipam.getPool(actor, idParam(req));
    const after = cursorOf(req, 'after');
    const rows = ipam.listPrefixes(actor, { pool: pool.id, after, limit: PAGE + 1 });
    const prefixes = rows.slice(0, PAGE);
    return reply.page(
      'noc/ipam-pool',
      {
        ...common(req, actor),
        pool,
        prefixes,
        next: rows.length > PAGE ? prefixes.at(-1)!.id : null,
        after,
        values: { description: pool.description },
        ...extra,
      },
      status,
    );
  };
  app.get('/noc/ipam/pools/:id', (req, reply) => poolPage(req, reply));
  app.post('/noc/ipam/pools/:id', async (req, reply) => {
    const actor = nocActor(req);
    const form = checkPool(req.body, req.web.t);
    if (!form.ok) return poolPage(req, reply, { errors: form.errors, values: form.values }, 400);
    const pool = ipam.updatePool(actor, idParam(req), { description: form.value.description ?? '' });
    return reply.redirect(`/noc/ipam/pools/${pool.id}?done=saved`, 303);
  });

  const prefixPage = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = nocActor(req);
    const prefix = ipam.getPrefix(actor, idParam(req));
    const pool = ipam.getPool(actor, prefix.poolId);
    const children = ipam.listPrefixes(actor, { parent: prefix.id });
    // A prefix holds at most a few thousand host rows at regency scale: paged here, not in SQL.
    const all = ipam.listAddresses(actor, prefix.id);
    const page = pageOf(req, Math.max(1, Math.ceil(all.length / PAGE)));
    const addresses = all.slice((page - 1) * PAGE, page * PAGE);
    return reply.page(
      'noc/ipam-prefix',
      {
        ...common(req, actor),
        prefix,
        pool,
        children,
        addresses,
        page,
        pages: Math.max(1, Math.ceil(all.length / PAGE)),
        total: all.length,
        values: { purpose: prefix.purpose },
        ...extra,
      },
      status,
    );
  };
  app.get('/noc/ipam/prefixes/:id', (req, reply) => prefixPage(req, reply));
  app.post('/noc/ipam/prefixes/:id', async (req, reply) => {
    const actor = nocActor(req);
    const form = checkPurpose(req.body, req.web.t);
    if (!form.ok) return prefixPage(req, reply, { errors: form.errors, values: form.values }, 400);
    try {
      ipam.updatePrefix(actor, idParam(req), { purpose: form.value.purpose });
    } catch (e) {
      return prefixPage(req, reply, { errors: stateRefusal(e, req.web.t), values: form.values }, 409);
    }
    return reply.redirect(`/noc/ipam/prefixes/${idParam(req)}?done=saved`, 303);
  });

  // Early release: a confirmation page first (the form works without JavaScript), then the POST.
  app.get('/noc/ipam/prefixes/:id/release-quarantine', async (req, reply) => {
    const actor = nocActor(req);
    if (!can(actor, 'admin')) throw new AppError(403, 'FORBIDDEN', 'noc-admin only');
    const prefix = ipam.getPrefix(actor, idParam(req));
    return reply.page('noc/ipam-release', { ...common(req, actor), prefix });
  });
  app.post('/noc/ipam/prefixes/:id/release-quarantine', async (req, reply) => {
    const actor = nocActor(req);
    try {
      ipam.releaseQuarantine(actor, idParam(req));
    } catch (e) {
      if (!(e instanceof AppError) || e.status !== 409) throw e;
      return prefixPage(req, reply, { errors: { _form: req.web.t('noc:ipam.errors.notQuarantined') } }, 409);
    }
    return reply.redirect(`/noc/ipam/prefixes/${idParam(req)}?done=released`, 303);
  });

  const addressPage = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = nocActor(req);
    const prefix = ipam.getPrefix(actor, idParam(req));
    const addressId = idParam(req, 'address');
    const address = ipam.listAddresses(actor, prefix.id, true).find((a: AddressOut) => a.id === addressId);
    if (!address) throw new AppError(404, 'NOT_FOUND', 'no such address in this prefix');
    const values = { hostname: address.hostname ?? '', mac: address.mac ?? '', device: address.device ?? '', description: address.description };
    return reply.page('noc/ipam-address', { ...common(req, actor), prefix, address, values, ...extra }, status);
  };
  app.get('/noc/ipam/prefixes/:id/addresses/:address', (req, reply) => addressPage(req, reply));
  app.post('/noc/ipam/prefixes/:id/addresses/:address', async (req, reply) => {
    const actor = nocActor(req);
    const form = checkAddress(req.body, req.web.t);
    if (!form.ok) return addressPage(req, reply, { errors: form.errors, values: form.values }, 400);
    // The address must be in the prefix of the URL (the page shows it there): checked by addressPage's lookup.
    const prefix = ipam.getPrefix(actor, idParam(req));
    const id = idParam(req, 'address');
    if (!ipam.listAddresses(actor, prefix.id, true).some((a) => a.id === id)) throw new AppError(404, 'NOT_FOUND', 'no such address in this prefix');
    const v = form.value;
    try {
      // A blank field clears it: the form always sends every field.
      ipam.updateAddress(actor, id, { hostname: v.hostname ?? null, mac: v.mac ?? null, device: v.device ?? null, description: v.description ?? '' });
    } catch (e) {
      return addressPage(req, reply, { errors: stateRefusal(e, req.web.t), values: form.values }, 409);
    }
    return reply.redirect(`/noc/ipam/prefixes/${prefix.id}/addresses/${id}?done=saved`, 303);
  });
}
