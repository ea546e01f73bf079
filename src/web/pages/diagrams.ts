import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, canSeeOpd, seesAllOpds, type Actor } from '../../auth/actor.js';
import { AppError, forbidden, notFound } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import { abandonBody, acceptForms, collect, oneFile } from '../../http/multipart.js';
import type { Lang } from '../../i18n/i18n.js';
import { BilingualError } from '../../labels/messages.js';
import { cleanText } from '../../topology/model.js';
import { drawDiagram, legendWords } from '../../topology/picture.js';
import { formErrors } from '../../topology/routes.js';
import type { TopologyService } from '../../topology/service.js';
import { namesOf } from '../people.js';
import { changeRows, findingRows } from './diagram-words.js';
import { OpdCode } from '../../inventory/model.js';

const OpdParam = Type.Object({ opd: OpdCode() });
const VersionParam = Type.Object({ opd: OpdCode(), version: Type.Integer({ minimum: 1, maximum: 999_999_999 }) });
const VersionQuery = Type.Object({
  compare: Type.Optional(Type.Integer({ minimum: 1, maximum: 999_999_999 })),
  done: Type.Optional(Type.String({ maxLength: 20 })),
});
const OfficeQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });
type VParams = Static<typeof VersionParam>;

/** What `?done=` after a redirect may say (keys under diagrams:done). */
const DONE = new Set(['uploaded', 'unchanged', 'withdrawn']);
const doneOf = (q: { done?: string }) => (q.done && DONE.has(q.done) ? q.done : null);

/** The diagrams module's service; pages need the module running like the API does. */
export function topologyOf(s: Services): TopologyService {
  const t = s.use('topology');
  if (!t) throw new AppError(503, 'MODULE_NOT_RUNNING', 'the diagrams module is not running');
  return t;
}

/** A refused upload in the person's words; null for errors that are not the file's fault. */
export function uploadProblem(e: unknown, lang: Lang): string | null {
  if (e instanceof BilingualError) return e.text[lang];
  if (e instanceof AppError && e.status >= 400 && e.status < 500 && e.status !== 403 && e.status !== 404) return e.detail;
  return null;
}

const title = (lang: Lang, opd: string, version: number) => `${lang === 'id' ? 'Diagram LAN' : 'LAN diagram'} ${opd} v${version}`;

/** The office page: status, upload form, versions. `extra` carries a refused upload's message. */
function officePage(s: Services, req: FastifyRequest, reply: FastifyReply, opd: string, extra: Record<string, unknown> = {}, status = 200) {
  const actor = req.web.actor!;
  const t = topologyOf(s);
  const versions = t.listVersions(actor, opd);
  const compliance = t.compliance(actor).opds.find((r) => r.opd === opd) ?? null;
  const office = s.inventory.getOpd(actor, opd);
  return reply.page(
    'diagrams/office',
    {
      office,
      versions,
      names: Object.fromEntries(
        namesOf(
          s,
          versions.map((v) => v.uploadedBy),
        ),
      ),
      compliance,
      canUpload: can(actor, 'write:opd'),
      maxBytes: t.options.limits.maxBytes,
      done: doneOf(req.query as { done?: string }),
      ...extra,
    },
    status,
  );
}

const latestCounted = (t: TopologyService, actor: Actor, opd: string) => t.listVersions(actor, opd).find((v) => !v.withdrawn)?.version ?? null;

/** LAN diagrams in the browser: upload, the report with its picture, versions and their changes, withdrawal. */
export async function diagramPages(app: FastifyInstance, s: Services): Promise<void> {
  // An office admin goes to its own office; the NOC picks an office from the compliance table.
  app.get('/diagrams', async (req, reply) => {
    const actor = req.web.actor!;
    return reply.redirect(seesAllOpds(actor) ? '/noc/compliance' : `/diagrams/${encodeURIComponent(actor.opd!)}`, 303);
  });

  app.get<{ Params: Static<typeof OpdParam>; Querystring: Static<typeof OfficeQuery> }>(
    '/diagrams/:opd',
    { schema: { params: OpdParam, querystring: OfficeQuery } },
    async (req, reply) => officePage(s, req, reply, req.params.opd),
  );

  // Multipart: the CSRF token comes in the action URL (the check runs before the body is read).
  await app.register(async (forms) => {
    await acceptForms(forms);
    forms.post<{ Params: Static<typeof OpdParam> }>('/diagrams/:opd', { schema: { params: OpdParam } }, async (req, reply) => {
      const t = topologyOf(s);
      const { lang } = req.web;
      const max = t.options.limits.maxBytes;
      const actor = req.web.actor!;
      // Another office's page, or a role that cannot upload: refused before the file is read.
      if (!canSeeOpd(actor, req.params.opd) || !can(actor, 'write:opd')) {
        abandonBody(req, reply);
        throw canSeeOpd(actor, req.params.opd) ? forbidden('uploads are done by the office admin or the NOC') : notFound('OPD', req.params.opd);
      }
      try {
        const f = await oneFile(req, reply, max, formErrors(max, 'DIAGRAM_TOO_LARGE'));
        const body = await collect(f.chunks);
        const v = t.upload(actor, req.params.opd, body, cleanText(f.filename, 255) || undefined);
        return reply.redirect(`/diagrams/${v.opd}/versions/${v.version}?done=${v.unchanged ? 'unchanged' : 'uploaded'}`, 303);
      } catch (e) {
        const problem = uploadProblem(e, lang);
        if (problem === null) throw e;
        return officePage(s, req, reply, req.params.opd, { errors: { file: problem } }, (e as AppError).status);
      }
    });
  });

  app.get<{ Params: VParams; Querystring: Static<typeof VersionQuery> }>(
    '/diagrams/:opd/versions/:version',
    { schema: { params: VersionParam, querystring: VersionQuery } },
    async (req, reply) => {
      const actor = req.web.actor!;
      const { lang } = req.web;
      const t = topologyOf(s);
      const { opd, version } = req.params;
      const v = t.getVersion(actor, opd, version);
      const versions = t.listVersions(actor, opd);
      const compare = req.query.compare && req.query.compare !== version ? t.getVersion(actor, opd, req.query.compare) : null;
      const compared = compare
        ? (() => {
            const [from, to] = compare.version < version ? [compare, v] : [v, compare];
            const diff = t.diffVersions(actor, opd, from.version, to.version);
            return { from: from.version, to: to.version, rows: changeRows(diff, [...to.graph.nodes, ...from.graph.nodes]), empty: diff.empty };
          })()
        : null;
      const latest = latestCounted(t, actor, opd);
      return reply.page('diagrams/version', {
        office: s.inventory.getOpd(actor, opd),
        v,
        uploader: namesOf(s, [v.uploadedBy]).get(v.uploadedBy) ?? v.uploadedBy,
        versions,
        findings: findingRows(v.report.findings, lang),
        legend: legendWords(lang),
        svg: await drawDiagram(v.graph, v.report.findings, { lang, title: title(lang, opd, version), findingsPanel: false }),
        changes: changeRows(v.diff, v.graph.nodes),
        firstVersion: versions.every((x) => x.version >= version),
        compared,
        canWithdraw: can(actor, 'write:opd') && !v.withdrawn && latest === version,
        done: doneOf(req.query),
      });
    },
  );

  // The picture alone, with the findings in words beside it: for printing and for the file.
  app.get<{ Params: VParams }>('/diagrams/:opd/versions/:version/picture.svg', { schema: { params: VersionParam } }, async (req, reply) => {
    const { lang } = req.web;
    const v = topologyOf(s).getVersion(req.web.actor!, req.params.opd, req.params.version);
    const svg = await drawDiagram(v.graph, v.report.findings, { lang, title: title(lang, v.opd, v.version), findingsPanel: true });
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-store').send(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}`);
  });

  app.get<{ Params: VParams }>('/diagrams/:opd/versions/:version/file', { schema: { params: VersionParam } }, async (req, reply) => {
    const { opd, version } = req.params;
    const o = topologyOf(s).original(req.web.actor!, opd, version);
    const ext = o.format === 'yaml' ? 'yaml' : o.format === 'drawio-svg' ? 'drawio.svg' : 'drawio';
    return reply
      .type('application/octet-stream')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${opd}-v${version}.${ext}"`)
      .send(o.bytes);
  });

  // Withdrawal asks first on its own page, so it is confirmed without JavaScript too.
  app.get<{ Params: VParams }>('/diagrams/:opd/versions/:version/withdraw', { schema: { params: VersionParam } }, async (req, reply) => {
    const actor = req.web.actor!;
    const v = topologyOf(s).getVersion(actor, req.params.opd, req.params.version);
    return reply.page('diagrams/withdraw', { office: s.inventory.getOpd(actor, v.opd), v });
  });

  app.post<{ Params: VParams }>('/diagrams/:opd/versions/:version/withdraw', { schema: { params: VersionParam } }, async (req, reply) => {
    const actor = req.web.actor!;
    const t = topologyOf(s);
    try {
      t.withdraw(actor, req.params.opd, req.params.version);
    } catch (e) {
      // Superseded or already withdrawn: say so on the confirmation page.
      if (!(e instanceof BilingualError)) throw e;
      const v = t.getVersion(actor, req.params.opd, req.params.version);
      return reply.page('diagrams/withdraw', { office: s.inventory.getOpd(actor, v.opd), v, errors: { _form: e.text[req.web.lang] } }, e.status);
    }
    return reply.redirect(`/diagrams/${req.params.opd}?done=withdrawn`, 303);
  });
}
