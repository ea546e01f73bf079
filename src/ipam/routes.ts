import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies, TextLine, Nullable } from '../http/schemas.js';
import { Allocate, Assign, CreatePool, PatchAddress, PatchPool, PatchPrefix } from './schemas.js';
import { importIpam } from './import.js';
import { badRequest } from '../common/errors.js';
import { OpdCode } from '../inventory/model.js';

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

const Utilization = Type.Object({
  total: Type.String(),
  allocated: Type.String(),
  quarantined: Type.String(),
  reserved: Type.String(),
  free: Type.String(),
  usedRatio: Type.Number(),
  largestFree: Nullable(Type.String()),
});
const Pool = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  scope: Type.String(),
  family: Type.Integer(),
  cidr: Type.String(),
  role: Type.String(),
  description: Type.String(),
  p2pLength: Type.Union([Type.Integer(), Type.Null()]),
  gateway: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  utilization: Type.Union([Utilization, Type.Null()]),
});
export const PrefixSchema = Type.Object({
  id: Type.Integer(),
  poolId: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  family: Type.Integer(),
  cidr: Type.String(),
  opd: Type.String(),
  purpose: Type.String(),
  state: Type.String(),
  allocatedAt: Type.String(),
  allocatedBy: Type.String(),
  releasedAt: Nullable(Type.String()),
  releasedBy: Nullable(Type.String()),
  quarantineUntil: Nullable(Type.String()),
});
const Address = Type.Object({
  id: Type.Integer(),
  prefixId: Type.Integer(),
  opd: Type.String(),
  family: Type.Integer(),
  address: Type.String(),
  hostname: Nullable(Type.String()),
  mac: Nullable(Type.String()),
  device: Nullable(Type.String()),
  description: Type.String(),
  state: Type.String(),
  assignedAt: Type.String(),
  assignedBy: Type.String(),
  releasedAt: Nullable(Type.String()),
  quarantineUntil: Nullable(Type.String()),
});

const PrefixQuery = Type.Object(
  {
    pool: Type.Optional(Type.Integer({ minimum: 1 })),
    opd: Type.Optional(OpdCode()),
    parent: Type.Optional(Type.Integer({ minimum: 1 })),
    state: Type.Optional(Type.Union([Type.Literal('allocated'), Type.Literal('quarantined'), Type.Literal('released')])),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'page: prefixes with id above this' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
  },
  { additionalProperties: false },
);

const ImportQuery = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean({ default: false })),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('yaml')], { description: 'default from Content-Type' })),
  },
  { additionalProperties: false },
);
const ImportReport = Type.Object({
  dryRun: Type.Boolean(),
  applied: Type.Boolean(),
  counts: Type.Object({ pools: Type.Integer(), prefixes: Type.Integer(), addresses: Type.Integer() }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), field: Type.Optional(Type.String()), code: Type.String(), message: Type.String() }), {
    description: 'the first 100 problems by line',
  }),
  errorsNotListed: Type.Integer({ description: 'problems beyond the listed ones' }),
});
const IMPORT_LIMIT = 32 * 1024 * 1024;

export const ipamRoutes: RoutePlugin = (app, s) => {
  const ipam = s.ipam;
  // Spreadsheets arrive as text; JSON stays the default elsewhere.
  app.addContentTypeParser(
    ['text/csv', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string', bodyLimit: IMPORT_LIMIT },
    (_req, body, done) => done(null, body),
  );
  app.post<{ Querystring: Static<typeof ImportQuery>; Body: string }>('/ipam/import', {
    bodyLimit: IMPORT_LIMIT,
    schema: {
      tags: ['ipam'],
      summary: 'Import pools, allocations and addresses from CSV or YAML, all or nothing',
      description:
        'Content-Type text/csv (header: kind,prefix,address,pool,opd,purpose,scope,role,hostname,mac,device,description) or application/yaml (pools:, allocations:, addresses:). Every wrong line is reported with its number (the first 100 listed, the rest counted in errorsNotListed); with errors nothing is imported (422). dryRun=true checks without writing.',
      querystring: ImportQuery,
      response: { 200: ImportReport, 422: ImportReport, ...problemReplies },
    },
    handler: async (req, reply) => {
      if (typeof req.body !== 'string') throw badRequest('IMPORT_MALFORMED', 'send the file as text/csv or application/yaml', 'file');
      const type = req.headers['content-type'] ?? '';
      const format = req.query.format ?? (/csv/.test(type) ? 'csv' : /yaml/.test(type) ? 'yaml' : null);
      if (!format) throw badRequest('IMPORT_FORMAT', 'say format=csv or format=yaml, or send Content-Type text/csv or application/yaml', 'format');
      const r = importIpam(s.store, ipam, req.actor, req.body, { format, dryRun: req.query.dryRun ?? false });
      return reply.status(r.errors.length ? 422 : 200).send(r);
    },
  });
  app.post<{ Body: Static<typeof CreatePool> }>('/pools', {
    schema: {
      tags: ['ipam'],
      summary: 'Create a pool (overlap with a pool of the same scope is refused)',
      body: CreatePool,
      response: { 201: Pool, ...problemReplies },
    },
    handler: async (req, reply) => reply.status(201).send(ipam.createPool(req.actor, req.body)),
  });
  app.get('/pools', {
    schema: {
      tags: ['ipam'],
      summary: 'Pools with their utilization',
      description: "An opd-admin sees every pool (to file a request) with utilization null: a shared pool's figures are other offices' allocations.",
      response: { 200: Type.Array(Pool), ...problemReplies },
    },
    handler: (req) => ipam.listPools(req.actor),
  });
  app.get<{ Params: Static<typeof Id> }>('/pools/:id', {
    schema: { tags: ['ipam'], summary: 'One pool (utilization null for an opd-admin)', params: Id, response: { 200: Pool, ...problemReplies } },
    handler: (req) => ipam.getPool(req.actor, req.params.id),
  });
  app.delete<{ Params: Static<typeof Id> }>('/pools/:id', {
    schema: { tags: ['ipam'], summary: 'Delete a pool that never held a prefix', params: Id, response: { 204: Type.Null(), ...problemReplies } },
    handler: async (req, reply) => (ipam.deletePool(req.actor, req.params.id), reply.status(204).send()),
  });
  // The Idempotency-Key header (the IETF draft's name) or the body field.
  const withKey = (body: Static<typeof Allocate>, headers: Record<string, unknown>) => ({
    ...body,
    idempotencyKey: body.idempotencyKey ?? (typeof headers['idempotency-key'] === 'string' ? headers['idempotency-key'] : undefined),
  });
  app.post<{ Params: Static<typeof Id>; Body: Static<typeof Allocate> }>('/pools/:id/allocations', {
    schema: {
      tags: ['ipam'],
      summary: 'Allocate the next free aligned block (or a given prefix) to an OPD',
      description:
        "Give prefixLength or addresses (or neither for backbone-p2p pools: /31 or /127; IPv6 LAN pools: /64 out of the OPD's /56). An Idempotency-Key header (or idempotencyKey) makes a retry return the same block with 200.",
      params: Id,
      body: Allocate,
      response: { 201: PrefixSchema, 200: PrefixSchema, ...problemReplies, 409: Type.Ref('Problem') },
    },
    handler: async (req, reply) => {
      const r = ipam.allocate(req.actor, req.params.id, withKey(req.body, req.headers));
      return reply.status(r.created ? 201 : 200).send(r.prefix);
    },
  });
  app.post<{ Params: Static<typeof Id>; Body: Static<typeof Allocate> }>('/prefixes/:id/allocations', {
    schema: {
      tags: ['ipam'],
      summary: 'Split an allocated prefix: allocate a sub-prefix (e.g. a VLAN)',
      params: Id,
      body: Allocate,
      response: { 201: PrefixSchema, 200: PrefixSchema, ...problemReplies },
    },
    handler: async (req, reply) => {
      const r = ipam.allocateChild(req.actor, req.params.id, withKey(req.body, req.headers));
      return reply.status(r.created ? 201 : 200).send(r.prefix);
    },
  });
  app.get<{ Querystring: Static<typeof PrefixQuery> }>('/prefixes', {
    schema: {
      tags: ['ipam'],
      summary: 'Prefixes (live by default; state=released for history)',
      querystring: PrefixQuery,
      response: { 200: Type.Array(PrefixSchema), ...problemReplies },
    },
    handler: (req) => ipam.listPrefixes(req.actor, req.query),
  });
  app.get<{ Params: Static<typeof Id> }>('/prefixes/:id', {
    schema: {
      tags: ['ipam'],
      summary: 'One prefix with its utilization',
      params: Id,
      response: { 200: Type.Composite([PrefixSchema, Type.Object({ utilization: Type.Union([Utilization, Type.Null()]) })]), ...problemReplies },
    },
    handler: (req) => ipam.getPrefix(req.actor, req.params.id),
  });
  app.delete<{ Params: Static<typeof Id> }>('/prefixes/:id', {
    schema: { tags: ['ipam'], summary: 'Release a prefix into quarantine', params: Id, response: { 200: PrefixSchema, ...problemReplies } },
    handler: (req) => ipam.releasePrefix(req.actor, req.params.id),
  });
  app.post<{ Params: Static<typeof Id>; Body: Static<typeof Assign> }>('/prefixes/:id/addresses', {
    schema: {
      tags: ['ipam'],
      summary: 'Assign the next free address (or a given one) to a host',
      params: Id,
      body: Assign,
      response: { 201: Address, ...problemReplies },
    },
    handler: async (req, reply) => reply.status(201).send(ipam.assignAddress(req.actor, req.params.id, req.body)),
  });
  app.get<{ Params: Static<typeof Id>; Querystring: { history?: boolean } }>('/prefixes/:id/addresses', {
    schema: {
      tags: ['ipam'],
      summary: 'Addresses in a prefix',
      params: Id,
      querystring: Type.Object({ history: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: Type.Array(Address), ...problemReplies },
    },
    handler: (req) => ipam.listAddresses(req.actor, req.params.id, req.query.history === true),
  });
  app.delete<{ Params: Static<typeof Id> }>('/addresses/:id', {
    schema: { tags: ['ipam'], summary: 'Release an address into quarantine', params: Id, response: { 200: Address, ...problemReplies } },
    handler: (req) => ipam.releaseAddress(req.actor, req.params.id),
  });
  // Descriptive fields only; the same permission as the other IPAM writes ('operate').
  app.patch<{ Params: Static<typeof Id>; Body: Static<typeof PatchPool> }>('/pools/:id', {
    schema: { tags: ['ipam'], summary: "Change a pool's description", params: Id, body: PatchPool, response: { 200: Pool, ...problemReplies } },
    handler: (req) => ipam.updatePool(req.actor, req.params.id, req.body),
  });
  app.patch<{ Params: Static<typeof Id>; Body: Static<typeof PatchPrefix> }>('/prefixes/:id', {
    schema: {
      tags: ['ipam'],
      summary: "Change a prefix's purpose (not a released one: history stays as it was)",
      params: Id,
      body: PatchPrefix,
      response: { 200: PrefixSchema, ...problemReplies, 409: Type.Ref('Problem') },
    },
    handler: (req) => ipam.updatePrefix(req.actor, req.params.id, req.body),
  });
  app.patch<{ Params: Static<typeof Id>; Body: Static<typeof PatchAddress> }>('/addresses/:id', {
    schema: {
      tags: ['ipam'],
      summary: "Change an address's hostname, MAC, device or description (null clears)",
      params: Id,
      body: PatchAddress,
      response: { 200: Address, ...problemReplies, 409: Type.Ref('Problem') },
    },
    handler: (req) => ipam.updateAddress(req.actor, req.params.id, req.body),
  });
  app.post<{ Params: Static<typeof Id> }>('/prefixes/:id/release-quarantine', {
    schema: {
      tags: ['ipam'],
      summary: 'End a quarantine early (noc-admin): the block may be allocated again at once',
      description:
        'Refused with 409 for a prefix that is not in quarantine (a live or an already released one). What still waits in quarantine inside it is released with it.',
      params: Id,
      response: { 200: PrefixSchema, ...problemReplies, 409: Type.Ref('Problem') },
    },
    handler: (req) => ipam.releaseQuarantine(req.actor, req.params.id),
  });
  app.get<{ Querystring: { q: string } }>('/ipam/lookup', {
    schema: {
      tags: ['ipam'],
      summary: 'Who holds an address or a prefix: its live address and the live prefixes around or inside it',
      querystring: Type.Object({ q: TextLine(64, 1, { description: 'an address (10.20.3.10) or a prefix (10.20.3.0/24)' }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          query: Type.String(),
          family: Type.Integer(),
          addresses: Type.Array(Address),
          prefixes: Type.Array(Type.Composite([PrefixSchema, Type.Object({ pool: Type.String() })])),
        }),
        ...problemReplies,
      },
    },
    handler: (req) => ipam.lookup(req.actor, req.query.q),
  });
  app.get('/ipam/utilization', {
    schema: {
      tags: ['ipam'],
      summary: 'Utilization per pool and per OPD (kept current on every write)',
      description: "An opd-admin gets its own OPD's figures and the pools without utilization, as on GET /pools.",
      response: {
        200: Type.Object({
          pools: Type.Array(Pool),
          opds: Type.Array(
            Type.Object({ opd: Type.String(), family: Type.Integer(), prefixes: Type.Integer(), allocated: Type.String(), quarantined: Type.String() }),
          ),
        }),
        ...problemReplies,
      },
    },
    handler: (req) => ipam.utilization(req.actor),
  });
};
