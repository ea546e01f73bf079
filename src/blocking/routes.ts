import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { RoutePlugin } from '../http/context.js';
import { Nullable, problemReplies, TextLines } from '../http/schemas.js';
import { OpdCode as opdCode } from '../inventory/model.js';
import { AppError, badRequest } from '../common/errors.js';
import { requirePermission, seesAllOpds } from '../auth/actor.js';
import { CATEGORY_PATTERN, EXCEPTION_STATES, SOURCE_PATTERN, type BlockingService } from './service.js';
import { importList } from './import.js';
import { LIST_FORMATS, type ListFormat } from './list-formats.js';
import { tooLarge } from './line-reader.js';
import { toRpz, toUnbound } from './export.js';
import { abandonBody, acceptForms, FORM_OVERHEAD_BYTES, isMultipart, oneFile } from '../http/multipart.js';

const OpdCode = opdCode();
const CategoryParam = Type.Object({ category: Type.String({ pattern: CATEGORY_PATTERN }) }, { additionalProperties: false });
const OpdParam = Type.Object({ code: OpdCode }, { additionalProperties: false });

const Source = Type.Object({
  name: Type.String(),
  entries: Type.Integer(),
  format: Nullable(Type.String()),
  importedAt: Nullable(Type.String()),
  importedBy: Nullable(Type.String()),
  lines: Nullable(Type.Integer()),
  accepted: Nullable(Type.Integer()),
  invalid: Nullable(Type.Integer()),
  duplicates: Nullable(Type.Integer()),
  redundant: Nullable(Type.Integer()),
  refused: Nullable(Type.Integer()),
});
const Category = Type.Object({
  name: Type.String(),
  description: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  entries: Type.Integer(),
  excludedOpds: Type.Array(Type.String()),
  sources: Type.Array(Source),
});
const Entry = Type.Object({
  id: Type.Integer(),
  category: Type.String(),
  kind: Type.String(),
  value: Type.String(),
  source: Type.String(),
  addedAt: Type.String(),
  addedBy: Type.String(),
});
const Exception = Type.Object({
  id: Type.Integer(),
  opd: Type.String(),
  kind: Type.String(),
  value: Type.String(),
  requestId: Nullable(Type.Integer()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  until: Type.String(),
  state: Type.String(),
  revokedAt: Nullable(Type.String()),
  revokedBy: Nullable(Type.String()),
  revokeReason: Nullable(Type.String()),
  expiredAt: Nullable(Type.String()),
});
const Problem = Type.Object({ line: Type.Integer(), code: Type.String(), reason: Type.String() });
const ImportReport = Type.Object({
  category: Type.String(),
  source: Type.String(),
  format: Type.String(),
  dryRun: Type.Boolean(),
  applied: Type.Boolean(),
  changed: Type.Boolean({ description: 'false when the source already held exactly these entries: nothing was (or, dry run, would be) rewritten' }),
  lines: Type.Integer(),
  accepted: Type.Integer(),
  added: Type.Integer(),
  removed: Type.Integer(),
  unchanged: Type.Integer(),
  duplicates: Type.Integer(),
  redundant: Type.Integer(),
  invalid: Type.Integer(),
  refused: Type.Integer(),
  errors: Type.Array(Problem),
  errorsNotListed: Type.Integer(),
  redundantExamples: Type.Array(Problem),
});
const ImportQuery = Type.Object(
  {
    source: Type.String({ pattern: SOURCE_PATTERN, description: 'the feed name; re-importing a source replaces its entries' }),
    dryRun: Type.Optional(Type.Boolean({ default: false })),
    format: Type.Optional(
      Type.Unsafe<ListFormat>({ type: 'string', enum: [...LIST_FORMATS], description: 'default: csv for text/csv, else auto (each line by its shape)' }),
    ),
  },
  { additionalProperties: false },
);
const PolicyAnswer = Type.Object({
  opd: Type.String(),
  query: Type.Object({ kind: Type.String(), value: Type.String() }),
  blocked: Type.Boolean(),
  why: Type.String(),
  matches: Type.Array(
    Type.Object({
      category: Type.String(),
      kind: Type.String(),
      value: Type.String(),
      source: Type.String(),
      addedAt: Type.String(),
      applies: Type.Boolean(),
      openedBy: Nullable(Type.Integer()),
    }),
  ),
  exceptions: Type.Array(Exception),
});
const Policy = Type.Object({
  opd: Type.String(),
  categories: Type.Array(Type.Object({ name: Type.String(), applies: Type.Boolean() })),
  activeExceptions: Type.Integer(),
});
const Effective = Type.Object({
  opd: Type.String(),
  domains: Type.Array(Type.Object({ name: Type.String(), subdomains: Type.Boolean(), category: Type.String() })),
  prefixes: Type.Array(Type.Object({ prefix: Type.String(), category: Type.String() })),
  withheld: Type.Optional(
    Type.Array(Type.Object({ entry: Type.String(), category: Type.String(), reason: Type.String() }), {
      description: "entries of the OPD's categories never enforced, with why (the regency's own domain)",
    }),
  ),
});

const LIST_TYPES = ['text/plain', 'text/csv', 'application/octet-stream'];

export interface BlockingRouteOptions {
  maxImportBytes: number;
  maxLineBytes: number;
  /** For the RPZ SOA contact and the zone name. */
  regencyDomain: () => string | undefined;
}

/** A list sent as a browser form: one file field, the same size limit as a raw body. */
const IMPORT_FORM_ERRORS = (max: number) => ({
  noFile: () => badRequest('FORM_NO_FILE', 'the form carries no file: choose the list file in the file field and send again', 'file'),
  twoFiles: () => badRequest('FORM_TWO_FILES', 'the form carries more than one file: send one list file per import (nothing was imported)', 'file'),
  tooLarge: () => tooLarge(max),
});

export function blockingRoutes(svc: BlockingService, o: BlockingRouteOptions): RoutePlugin {
  return async (app) => {
    // Its own context: list uploads arrive as raw streams here, whatever other routes parse text as.
    await app.register(async (api: FastifyInstance) => {
      api.removeContentTypeParser(LIST_TYPES.filter((t) => api.hasContentTypeParser(t)));
      api.addContentTypeParser(LIST_TYPES, (_req, payload, done) => done(null, payload));
      await acceptForms(api);
      routes(api, svc, o);
    });
  };
}

function routes(app: FastifyInstance, svc: BlockingService, o: BlockingRouteOptions): void {
  app.get('/blocklists', {
    schema: {
      tags: ['blocking'],
      summary: 'Block list categories with entry counts per source and the OPDs each does not apply to',
      response: { 200: Type.Array(Category), ...problemReplies },
    },
    handler: (req) => svc.listCategories(req.actor),
  });
  const NewCategory = Type.Object(
    { name: Type.String({ pattern: CATEGORY_PATTERN }), description: Type.Optional(TextLines(500, 0)) },
    { additionalProperties: false },
  );
  app.post<{ Body: Static<typeof NewCategory> }>('/blocklists', {
    schema: {
      tags: ['blocking'],
      summary: 'Add a category (NOC); it applies to every OPD until excluded',
      body: NewCategory,
      response: { 201: Category, ...problemReplies },
    },
    handler: async (req, reply) => reply.status(201).send(svc.createCategory(req.actor, req.body)),
  });
  const EntryQuery = Type.Object(
    {
      q: Type.Optional(Type.String({ maxLength: 253, description: 'substring of the value' })),
      source: Type.Optional(Type.String({ pattern: SOURCE_PATTERN })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 100 })),
      after: Type.Optional(Type.Integer({ minimum: 0, description: "page: entries with id above this (the previous page's next)" })),
    },
    { additionalProperties: false },
  );
  app.get<{ Params: Static<typeof CategoryParam>; Querystring: Static<typeof EntryQuery> }>('/blocklists/:category/entries', {
    schema: {
      tags: ['blocking'],
      summary: 'Entries of a category, page by page',
      params: CategoryParam,
      querystring: EntryQuery,
      response: { 200: Type.Object({ entries: Type.Array(Entry), next: Nullable(Type.Integer()) }), ...problemReplies },
    },
    handler: (req) => svc.listEntries(req.actor, req.params.category, req.query),
  });
  const NewEntry = Type.Object(
    {
      value: Type.String({ minLength: 1, maxLength: 300, description: 'example.com, *.example.com, 203.0.113.7 or 198.51.100.0/24' }),
      source: Type.Optional(Type.String({ pattern: SOURCE_PATTERN, default: 'manual' })),
    },
    { additionalProperties: false },
  );
  app.post<{ Params: Static<typeof CategoryParam>; Body: Static<typeof NewEntry> }>('/blocklists/:category/entries', {
    schema: {
      tags: ['blocking'],
      summary: 'Add one entry (normalized; refused when unsafe; warns when another entry already blocks it)',
      params: CategoryParam,
      body: NewEntry,
      response: { 201: Type.Object({ entry: Entry, warnings: Type.Array(Type.String()) }), ...problemReplies },
    },
    handler: async (req, reply) => reply.status(201).send(svc.addEntry(req.actor, req.params.category, req.body)),
  });
  const EntryParam = Type.Object({ category: Type.String({ pattern: CATEGORY_PATTERN }), id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
  app.delete<{ Params: Static<typeof EntryParam> }>('/blocklists/:category/entries/:id', {
    schema: { tags: ['blocking'], summary: 'Remove one entry', params: EntryParam, response: { 204: Type.Null(), ...problemReplies } },
    handler: async (req, reply) => (svc.removeEntry(req.actor, req.params.category, req.params.id), reply.status(204).send()),
  });
  app.post<{ Params: Static<typeof CategoryParam>; Querystring: Static<typeof ImportQuery> }>('/blocklists/:category/import', {
    schema: {
      tags: ['blocking'],
      summary: 'Import a list file into a category as a named source (streamed; replaces that source)',
      description:
        'Body: the file as text/plain, text/csv or application/octet-stream, or a browser form (multipart/form-data) with one file field (no file or two files: 400 FORM_NO_FILE, FORM_TWO_FILES; the same size limit). Formats: plain names or IPs, hosts lines (0.0.0.0 name), AdBlock ||name^, CSV with a domain/address/value column, IP/prefix lists. Invalid lines are reported with their number and skipped; valid lines are imported. dryRun=true reports without changing anything.',
      params: CategoryParam,
      querystring: ImportQuery,
      response: { 200: ImportReport, ...problemReplies, 413: Type.Ref('Problem') },
    },
    handler: async (req, reply) => {
      requirePermission(req.actor, 'operate');
      const form = isMultipart(req);
      const len = Number(req.headers['content-length'] ?? NaN);
      if (len > o.maxImportBytes + (form ? FORM_OVERHEAD_BYTES : 0)) {
        // Say so at once without reading the body; the connection is not reused after it.
        reply.header('connection', 'close');
        req.raw.resume();
        throw tooLarge(o.maxImportBytes);
      }
      const file = form ? await oneFile(req, reply, o.maxImportBytes, IMPORT_FORM_ERRORS(o.maxImportBytes)) : undefined;
      const body = file ? file.chunks : (req.body as Readable | undefined);
      if (!body || (!file && typeof (body as Readable).pipe !== 'function'))
        throw new AppError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'send the list file as text/plain, text/csv or application/octet-stream, or as a form (multipart/form-data) with one file field',
        );
      const type = file ? (/\.csv$/i.test(file.filename) ? 'text/csv' : file.mimetype) : (req.headers['content-type'] ?? '');
      const format: ListFormat = req.query.format ?? (/text\/csv/.test(type) ? 'csv' : 'auto');
      // The client going away cancels the import: it stops and changes nothing.
      const gone = new AbortController();
      reply.raw.once('close', () => reply.raw.writableFinished || gone.abort());
      try {
        return await importList(
          svc,
          req.actor,
          req.params.category,
          { source: req.query.source, format, dryRun: req.query.dryRun ?? false },
          body,
          { maxBytes: o.maxImportBytes, maxLineBytes: o.maxLineBytes },
          gone.signal,
        );
      } catch (e) {
        // Stopped mid-body (too large, bad source...): drain nothing more and do not reuse the connection.
        if (file) abandonBody(req, reply);
        else if (!(body as Readable).readableEnded) {
          reply.header('connection', 'close');
          (body as Readable).resume();
        }
        throw e;
      }
    },
  });
  const SetPolicy = Type.Object(
    { excludedOpds: Type.Array(OpdCode, { maxItems: 1000, description: 'OPDs this category does not apply to; every other OPD has it' }) },
    { additionalProperties: false },
  );
  app.put<{ Params: Static<typeof CategoryParam>; Body: Static<typeof SetPolicy> }>('/blocklists/:category/policy', {
    schema: {
      tags: ['blocking'],
      summary: 'Which OPDs a category does not apply to (default: it applies to all)',
      params: CategoryParam,
      body: SetPolicy,
      response: { 200: Category, ...problemReplies },
    },
    handler: (req) => svc.setExclusions(req.actor, req.params.category, req.body.excludedOpds),
  });
  const PolicyQuery = Type.Object(
    { domain: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })), address: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
    { additionalProperties: false },
  );
  app.get<{ Params: Static<typeof OpdParam>; Querystring: Static<typeof PolicyQuery> }>('/opds/:code/policy', {
    schema: {
      tags: ['blocking'],
      summary: 'The categories applying to an OPD; with domain= or address=: is it blocked for this OPD, and why',
      params: OpdParam,
      querystring: PolicyQuery,
      response: { 200: Type.Union([PolicyAnswer, Policy]), ...problemReplies },
    },
    handler: (req) =>
      req.query.domain === undefined && req.query.address === undefined
        ? svc.policyOf(req.actor, req.params.code)
        : svc.explain(req.actor, req.params.code, req.query),
  });
  const ExcQuery = Type.Object({ all: Type.Optional(Type.Boolean({ description: 'also expired and revoked ones' })) }, { additionalProperties: false });
  app.get<{ Params: Static<typeof OpdParam>; Querystring: Static<typeof ExcQuery> }>('/opds/:code/exceptions', {
    schema: {
      tags: ['blocking'],
      summary: 'Unblock exceptions of an OPD (active ones; all=true for history)',
      params: OpdParam,
      querystring: ExcQuery,
      response: { 200: Type.Array(Exception), ...problemReplies },
    },
    handler: (req) => svc.listExceptions(req.actor, req.params.code, req.query.all ?? false),
  });
  app.get<{ Params: Static<typeof OpdParam> }>('/opds/:code/blocklist', {
    schema: {
      tags: ['blocking'],
      summary: 'What the OPD blocks now: the list its router enforces',
      params: OpdParam,
      response: { 200: Effective, ...problemReplies },
    },
    handler: (req) => svc.effectiveFor(req.actor, req.params.code),
  });
  const AllExcQuery = Type.Object(
    {
      opd: Type.Optional(OpdCode),
      state: Type.Optional(Type.Unsafe<(typeof EXCEPTION_STATES)[number]>({ type: 'string', enum: [...EXCEPTION_STATES] })),
      endingBefore: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'only exceptions that end before this date-time' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      after: Type.Optional(Type.Integer({ minimum: 0, description: "page: exceptions with id above this (the previous page's next)" })),
    },
    { additionalProperties: false },
  );
  app.get<{ Querystring: Static<typeof AllExcQuery> }>('/exceptions', {
    schema: {
      tags: ['blocking'],
      summary: 'Unblock exceptions across offices (an opd-admin sees its own), filtered by OPD, state and end, page by page',
      querystring: AllExcQuery,
      response: { 200: Type.Object({ exceptions: Type.Array(Exception), next: Nullable(Type.Integer()) }), ...problemReplies },
    },
    handler: (req) => svc.searchExceptions(req.actor, req.query),
  });
  const Revoke = Type.Object({ reason: TextLines(1000) }, { additionalProperties: false });
  const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
  app.post<{ Params: Static<typeof IdParam>; Body: Static<typeof Revoke> }>('/exceptions/:id/revoke', {
    schema: {
      tags: ['blocking'],
      summary: 'End an exception now (NOC); the site is blocked again at the next sync',
      params: IdParam,
      body: Revoke,
      response: { 200: Exception, ...problemReplies },
    },
    handler: (req) => svc.revokeException(req.actor, req.params.id, req.body.reason),
  });
  const ExportQuery = Type.Object(
    { format: Type.Union([Type.Literal('rpz'), Type.Literal('unbound'), Type.Literal('json')]), opd: Type.Optional(OpdCode) },
    { additionalProperties: false },
  );
  app.get<{ Querystring: Static<typeof ExportQuery> }>('/blocklists/export', {
    schema: {
      tags: ['blocking'],
      summary: "The block list for a central resolver: RPZ zone or Unbound lines, for one OPD's policy (opd=) or every category",
      querystring: ExportQuery,
      response: problemReplies,
    },
    handler: async (req, reply) => {
      if (req.query.opd === undefined && !seesAllOpds(req.actor)) throw badRequest('OPD_REQUIRED', 'name your OPD: opd=CODE', 'opd');
      const list = svc.effectiveFor(req.actor, req.query.opd);
      const now = svc.opts.clock.now();
      if (req.query.format === 'json') return reply.type('application/json').send(list);
      const domain = o.regencyDomain() ?? 'simpul.invalid';
      const text =
        req.query.format === 'rpz'
          ? toRpz(list, { origin: `rpz.${domain}.`, serial: Math.floor(now.getTime() / 1000), contact: `noc.${domain}`, generatedAt: now.toISOString() })
          : toUnbound(list, now.toISOString());
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="simpul-${list.opd === '*' ? 'all' : list.opd}.${req.query.format === 'rpz' ? 'rpz' : 'conf'}"`)
        .send(text);
    },
  });
}
