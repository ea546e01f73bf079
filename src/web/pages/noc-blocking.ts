import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { AppError } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import { importList, type ImportReport } from '../../blocking/import.js';
import { LIST_FORMATS } from '../../blocking/list-formats.js';
import { SOURCE_PATTERN, type BlockingService } from '../../blocking/service.js';
import { formValidator, type FieldErrors } from '../forms.js';
import type { Translate } from '../../i18n/i18n.js';
import { doneOf, mayOperate, moduleService, nocActor } from './noc-access.js';
import { exceptionPages } from './noc-exceptions.js';
import { OPD_CODE_RE } from '../../inventory/model.js';

const EntryForm = Type.Object({ value: Type.String({ minLength: 1, maxLength: 300 }) }, { additionalProperties: false });
const checkEntry = formValidator(EntryForm);
const UploadForm = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 64, pattern: SOURCE_PATTERN, 'x-error': 'ops:blocklists.errors.source' }),
    format: Type.Optional(Type.Union(LIST_FORMATS.map((f) => Type.Literal(f)))),
    dryRun: Type.Optional(Type.Literal('1')),
  },
  { additionalProperties: false },
);
const checkUpload = formValidator(UploadForm);

/** Service refusals of an entry, in the person's words (the value's own problem, or why it is unsafe). */
const SAFETY = new Set([
  'PROTECTED_DOMAIN',
  'COVERS_INTERNET',
  'PREFIX_TOO_BROAD',
  'COVERS_PROTECTED',
  'INSIDE_PROTECTED',
  'WILDCARD_TOO_BROAD',
  'ENTRY_EXISTS',
  'SOURCE_RESERVED',
  'IMPORT_RUNNING',
]);
function refusal(e: AppError, t: Translate, domain: string | undefined): string {
  if (SAFETY.has(e.code)) return t(`ops:blocklists.refused.${e.code}`, { domain: domain ?? '' });
  return t('ops:blocklists.refused.invalid');
}

/** The entries page shows 50 at a time. */
const PAGE = 50;

/** The NOC's block lists: categories, their sources and entries, per-OPD exclusions, uploads. */
export async function blocklistPages(app: FastifyInstance, s: Services): Promise<void> {
  const svc = () => moduleService(s, 'blocking');
  // The regency's own domain, named when an entry under it is refused.
  const regencyDomain = () => svc().opts.protectedDomains?.()[0];

  app.get('/noc/blocklists', async (req, reply) => {
    const actor = nocActor(req);
    const b = svc();
    const active = b.searchExceptions(actor, { state: 'active', limit: 1000 });
    return reply.page('noc/blocklists', {
      categories: b.listCategories(actor),
      activeExceptions: active.exceptions.length,
      activeMore: active.next !== null,
      operate: mayOperate(actor),
      done: doneOf(req, req.web.t),
    });
  });

  /** The category page, with a form's errors and values when a POST is shown back. */
  const categoryPage = async (req: FastifyRequest, reply: FastifyReply, category: string, extra: Record<string, unknown> = {}, status = 200) => {
    const actor = nocActor(req);
    const b = svc();
    const cat = b.listCategories(actor).find((c) => c.name === category);
    if (!cat) throw new AppError(404, 'NOT_FOUND', 'no such category');
    const q = req.query as Record<string, unknown>;
    const search = typeof q.q === 'string' ? q.q.slice(0, 253) : '';
    const after = typeof q.after === 'string' && /^\d{1,12}$/.test(q.after) ? Number(q.after) : 0;
    const entries = b.listEntries(actor, category, { q: search || undefined, after, limit: PAGE });
    const opds = s.inventory.listOpds(actor).map((o) => ({ code: o.code, name: o.name }));
    return reply.page(
      'noc/blocklist',
      {
        category: cat,
        entries,
        search,
        opds,
        formats: LIST_FORMATS,
        maxBytes: s.config.blocking.maxImportBytes,
        operate: mayOperate(actor),
        done: doneOf(req, req.web.t),
        errors: {},
        values: {},
        ...extra,
      },
      status,
    );
  };

  app.get<{ Params: { category: string } }>('/noc/blocklists/:category', (req, reply) => categoryPage(req, reply, req.params.category));

  app.post<{ Params: { category: string } }>('/noc/blocklists/:category/entries', async (req, reply) => {
    const actor = nocActor(req);
    const { t } = req.web;
    const form = checkEntry(req.body, t);
    if (!form.ok) return categoryPage(req, reply, req.params.category, { errors: form.errors, values: form.values, open: 'add' }, 400);
    try {
      svc().addEntry(actor, req.params.category, { value: form.value.value });
    } catch (e) {
      if (!(e instanceof AppError) || e.status === 404 || e.status === 403) throw e;
      return categoryPage(
        req,
        reply,
        req.params.category,
        { errors: { value: refusal(e, t, regencyDomain()) }, values: form.values, open: 'add' },
        e.status === 409 ? 409 : 400,
      );
    }
    return reply.redirect(`/noc/blocklists/${encodeURIComponent(req.params.category)}?done=entryAdded`, 303);
  });

  app.post<{ Params: { category: string; id: string } }>('/noc/blocklists/:category/entries/:id/remove', async (req, reply) => {
    const actor = nocActor(req);
    if (!/^\d{1,12}$/.test(req.params.id)) throw new AppError(404, 'NOT_FOUND', 'no such entry');
    svc().removeEntry(actor, req.params.category, Number(req.params.id));
    return reply.redirect(`/noc/blocklists/${encodeURIComponent(req.params.category)}?done=entryRemoved`, 303);
  });

  app.post<{ Params: { category: string } }>('/noc/blocklists/:category/policy', async (req, reply) => {
    const actor = nocActor(req);
    const raw = (req.body as Record<string, unknown> | undefined)?.excluded;
    const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((x): x is string => typeof x === 'string');
    if (list.length > 1000 || list.some((x) => !OPD_CODE_RE.test(x))) throw new AppError(400, 'BAD_OPD', 'an excluded office is not a known office code');
    svc().setExclusions(actor, req.params.category, list);
    return reply.redirect(`/noc/blocklists/${encodeURIComponent(req.params.category)}?done=policySaved`, 303);
  });

  // Uploads in their own scope: the multipart parser serves this route only.
  await app.register(async (up) => {
    const maxBytes = s.config.blocking.maxImportBytes;
    // One more byte than the import reads, so the import itself says "too large" (413).
    await up.register(multipart, { limits: { fileSize: maxBytes + 1, files: 1, fields: 10, fieldSize: 1024, parts: 12 }, throwFileSizeLimit: false });
    up.post<{ Params: { category: string } }>('/noc/blocklists/:category/import', async (req, reply) => {
      const actor = nocActor(req);
      const b = svc();
      const { t } = req.web;
      // Announced too large: say so before reading; Node discards the body and the connection stays usable.
      if (Number(req.headers['content-length'] ?? 0) > maxBytes + 65_536)
        throw new AppError(413, 'IMPORT_TOO_LARGE', `the file is larger than ${maxBytes} bytes`);
      if (!req.isMultipart()) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the upload form');
      const outcome = await readUpload(req, b, actor, t, { maxBytes, maxLineBytes: s.config.blocking.maxLineBytes }, regencyDomain());
      if ('report' in outcome) return reply.page('noc/import-report', { category: req.params.category, report: outcome.report });
      return categoryPage(req, reply, req.params.category, { errors: outcome.errors, values: outcome.values, open: 'upload' }, outcome.status);
    });
  });

  await exceptionPages(app, s);
}

/**
 * Reads the upload form: fields come before the file (the form puts the file last), and the file
 * streams into the same import the API runs. Every part is drained even after a refusal, so the
 * browser always gets its answer.
 */
async function readUpload(
  req: FastifyRequest,
  b: BlockingService,
  actor: ReturnType<typeof nocActor>,
  t: Translate,
  limits: { maxBytes: number; maxLineBytes: number },
  domain: string | undefined,
): Promise<{ report: ImportReport } | { errors: FieldErrors; values: Record<string, string>; status: number }> {
  const category = (req.params as { category: string }).category;
  b.requireCategory(category);
  const fields: Record<string, string> = {};
  let report: ImportReport | null = null;
  let errors: FieldErrors = {};
  let status = 400;
  let failure: unknown = null;
  for await (const part of req.parts()) {
    if (part.type === 'field') {
      if (part.fieldname !== '_csrf') fields[part.fieldname] = String(part.value);
      continue;
    }
    if (part.fieldname !== 'file' || report || failure || Object.keys(errors).length) {
      part.file.resume();
      continue;
    }
    const form = checkUpload(fields, t);
    if (!form.ok || !part.filename) {
      errors = { ...(form.ok ? {} : form.errors), ...(part.filename ? {} : { file: t('ops:blocklists.errors.file') }) };
      part.file.resume();
      continue;
    }
    try {
      report = await importList(
        b,
        actor,
        category,
        { source: form.value.source, format: form.value.format ?? 'auto', dryRun: form.value.dryRun === '1' },
        part.file,
        limits,
      );
    } catch (e) {
      part.file.resume();
      if (e instanceof AppError && (e.field === 'source' || e.code === 'IMPORT_RUNNING')) {
        errors = { source: refusal(e, t, domain) };
        status = e.status;
      } else failure = e;
    }
  }
  if (failure) throw failure;
  if (report) return { report };
  if (!Object.keys(errors).length) errors = { file: t('ops:blocklists.errors.file') };
  return { errors, values: fields, status };
}
