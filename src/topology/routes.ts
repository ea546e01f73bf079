/**
 * HTTP for LAN diagrams, cable surveys and compliance. Uploads arrive as the raw file (no form):
 * this scope has its own catch-all raw parser and a body limit sized to the parser limits, and
 * its errors answer in the reader's language.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../http/context.js';
import { acceptForms, collect, isMultipart, oneFile } from '../http/multipart.js';
import { problemReplies } from '../http/schemas.js';
import { bilingualErrors, langOf } from '../labels/http-errors.js';
import { cleanText, DiagramError } from './model.js';
import { drawDiagram } from './picture.js';
import type { TopologyService } from './service.js';
import {
  cableView,
  ComplianceOut,
  DiffOut,
  problemView,
  reportView,
  SurveyOut,
  SurveySummaryOut,
  UploadOut,
  UploadUnchangedOut,
  VersionDetailOut,
  VersionOut,
} from './schemas.js';
import { OpdCode } from '../inventory/model.js';

const Code = Type.Object({ code: OpdCode() }, { additionalProperties: false });
const VersionParam = Type.Object(
  { code: OpdCode(), version: Type.String({ pattern: '^[1-9][0-9]{0,8}(\\.svg)?$', description: 'a version number; N.svg for the picture' }) },
  { additionalProperties: false },
);
const VersionInt = Type.Object({ code: OpdCode(), version: Type.Integer({ minimum: 1, maximum: 999_999_999 }) }, { additionalProperties: false });
const DiffParam = Type.Object(
  {
    code: OpdCode(),
    version: Type.Integer({ minimum: 1, maximum: 999_999_999 }),
    other: Type.Integer({ minimum: 1, maximum: 999_999_999 }),
  },
  { additionalProperties: false },
);
const SurveyParam = Type.Object({ code: OpdCode(), id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const UploadQuery = Type.Object({ filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, { additionalProperties: false });

const DIAGRAM_TYPES = new Set([
  '',
  'application/xml',
  'text/xml',
  'image/svg+xml',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
  'application/octet-stream',
  'application/vnd.jgraph.mxfile',
]);
const SURVEY_TYPES = new Set(['', 'text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel', 'application/octet-stream']);

const mediaType = (req: FastifyRequest) => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** The file name from ?filename= or Content-Disposition, cleaned of anything a person cannot see. */
function fileNameOf(req: FastifyRequest<{ Querystring: Static<typeof UploadQuery> }>): string | undefined {
  const fromHeader = /filename="?([^";]{1,255})"?/i.exec(req.headers['content-disposition'] ?? '')?.[1];
  const name = cleanText(req.query.filename ?? fromHeader ?? '', 255);
  return name || undefined;
}

function bodyOf(req: FastifyRequest, allowed: Set<string>): Buffer {
  const type = mediaType(req);
  if (!allowed.has(type)) throw new DiagramError(415, 'DIAGRAM_CONTENT_TYPE', { type });
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** What a browser form says: no file, two files, or one too large (the same limit as a raw body). */
export const formErrors = (max: number, tooLarge: 'DIAGRAM_TOO_LARGE' | 'SURVEY_TOO_LARGE') => ({
  noFile: () => new DiagramError(400, 'FORM_NO_FILE'),
  twoFiles: () => new DiagramError(400, 'FORM_TWO_FILES'),
  tooLarge: () => new DiagramError(413, tooLarge, { size: `>${max}`, max }),
});

/**
 * The uploaded file and its name, from the raw body or from a form's one file field (its file
 * name unless ?filename= gives one). Parsers decide what the bytes are, whatever the form calls them.
 */
async function uploadOf(
  req: FastifyRequest<{ Querystring: Static<typeof UploadQuery> }>,
  reply: FastifyReply,
  allowed: Set<string>,
  max: number,
  tooLarge: 'DIAGRAM_TOO_LARGE' | 'SURVEY_TOO_LARGE',
): Promise<{ body: Buffer; fileName: string | undefined }> {
  if (!isMultipart(req)) return { body: bodyOf(req, allowed), fileName: fileNameOf(req) };
  const f = await oneFile(req, reply, max, formErrors(max, tooLarge));
  const body = await collect(f.chunks);
  const name = cleanText(req.query.filename ?? f.filename, 255);
  return { body, fileName: name || undefined };
}

export function topologyRoutes(svc: TopologyService): RoutePlugin {
  const limit = svc.options.limits.maxBytes;
  const surveyLimit = svc.options.maxSurveyBytes;
  return async (api) => {
    await api.register(async (scope) => {
      // Files are taken as they are, whatever the client calls them; the parsers decide.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      // A browser form with one file field is taken too (same limits, same answers).
      await acceptForms(scope);
      bilingualErrors(scope, (req) => {
        const isSurvey = req.url.includes('/surveys');
        const max = isSurvey ? surveyLimit : limit;
        const size = Number(req.headers['content-length'] ?? 0) || `>${max}`;
        return isSurvey ? new DiagramError(413, 'SURVEY_TOO_LARGE', { size, max }) : new DiagramError(413, 'DIAGRAM_TOO_LARGE', { size, max });
      });

      scope.post<{ Params: Static<typeof Code>; Querystring: Static<typeof UploadQuery> }>('/opds/:code/diagrams', {
        bodyLimit: limit,
        schema: {
          tags: ['diagrams'],
          summary: "Upload the OPD's LAN diagram (draw.io, .drawio.svg or Simpul YAML) as a new version",
          description:
            "The body is the file itself, or a browser form (multipart/form-data) with one file field (a form with no file or two files: 400 FORM_NO_FILE, FORM_TWO_FILES). It is parsed with limits, validated against the inventory, IPAM and LLDP, stored as the next version with the changes since the previous one, and answered with the report. Messages follow Accept-Language (Bahasa Indonesia by default). A diagram with no device, none of the office's inventory routers and switches, or mostly another office's devices is refused (422 DIAGRAM_NO_DEVICES, DIAGRAM_NO_OPD_DEVICES, DIAGRAM_MOSTLY_OTHER_OPD). The same file as the latest counted version answers 200 with that version (unchanged: true) and stores nothing.",
          params: Code,
          querystring: UploadQuery,
          response: { 201: UploadOut, 200: UploadUnchangedOut, ...problemReplies },
        },
        handler: async (req, reply) => {
          const lang = langOf(req);
          const up = await uploadOf(req, reply, DIAGRAM_TYPES, limit, 'DIAGRAM_TOO_LARGE');
          const v = svc.upload(req.actor, req.params.code, up.body, up.fileName);
          const { graph: _g, report, diff, unchanged, ...version } = v;
          reply.header('content-language', lang).header('location', `/api/v1/opds/${v.opd}/diagrams/${v.version}`);
          return reply.status(unchanged ? 200 : 201).send({ version, unchanged, report: reportView(report, lang), diff });
        },
      });

      scope.get<{ Params: Static<typeof Code> }>('/opds/:code/diagrams', {
        schema: {
          tags: ['diagrams'],
          summary: "The OPD's diagram versions, newest first",
          params: Code,
          response: { 200: Type.Array(VersionOut), ...problemReplies },
        },
        handler: async (req) => svc.listVersions(req.actor, req.params.code),
      });

      scope.get<{ Params: Static<typeof VersionParam> }>('/opds/:code/diagrams/:version', {
        schema: {
          tags: ['diagrams'],
          summary: 'One version: graph, report and changes; N.svg draws it with the findings highlighted',
          params: VersionParam,
          response: { 200: VersionDetailOut, ...problemReplies },
        },
        handler: async (req, reply) => {
          const lang = langOf(req);
          const svg = req.params.version.endsWith('.svg');
          const v = svc.getVersion(req.actor, req.params.code, Number.parseInt(req.params.version, 10));
          reply.header('content-language', lang);
          if (svg)
            return reply
              .type('image/svg+xml; charset=utf-8')
              .header('x-content-type-options', 'nosniff')
              .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
              .send(
                await drawDiagram(v.graph, v.report.findings, {
                  lang,
                  title: `${lang === 'id' ? 'Diagram LAN' : 'LAN diagram'} ${v.opd} v${v.version}`,
                  findingsPanel: true,
                }),
              );
          const { graph, report, diff, ...version } = v;
          return { version, graph, report: reportView(report, lang), diff };
        },
      });

      scope.post<{ Params: Static<typeof VersionInt> }>('/opds/:code/diagrams/:version/withdraw', {
        schema: {
          tags: ['diagrams'],
          summary: "Withdraw the OPD's latest version (a mistaken upload)",
          description:
            'The version stays in the history, flagged withdrawn, and no longer counts for compliance or label checks; the version before it counts again. Only the latest counted version can be withdrawn (409 DIAGRAM_NOT_LATEST, DIAGRAM_ALREADY_WITHDRAWN). No body.',
          params: VersionInt,
          response: { 200: VersionOut, ...problemReplies },
        },
        handler: async (req, reply) => {
          reply.header('content-language', langOf(req));
          return svc.withdraw(req.actor, req.params.code, req.params.version);
        },
      });

      scope.get<{ Params: Static<typeof DiffParam> }>('/opds/:code/diagrams/:version/diff/:other', {
        schema: { tags: ['diagrams'], summary: 'Changes from one version to another', params: DiffParam, response: { 200: DiffOut, ...problemReplies } },
        handler: async (req) => svc.diffVersions(req.actor, req.params.code, req.params.version, req.params.other),
      });

      scope.get<{ Params: Static<typeof VersionInt> }>('/opds/:code/diagrams/:version/original', {
        schema: { tags: ['diagrams'], summary: 'The file as uploaded (kept up to topology.keepOriginalMaxBytes)', params: VersionInt },
        handler: async (req, reply) => {
          const o = svc.original(req.actor, req.params.code, req.params.version);
          const ext = o.format === 'yaml' ? 'yaml' : o.format === 'drawio-svg' ? 'drawio.svg' : 'drawio';
          const name = `${req.params.code}-v${req.params.version}.${ext}`;
          return reply
            .type('application/octet-stream')
            .header('x-content-type-options', 'nosniff')
            .header('content-disposition', `attachment; filename="${name}"`)
            .send(o.bytes);
        },
      });

      scope.post<{ Params: Static<typeof Code>; Querystring: Static<typeof UploadQuery> }>('/opds/:code/surveys', {
        bodyLimit: surveyLimit,
        schema: {
          tags: ['diagrams'],
          summary: 'Upload a cable survey (CSV: location, end, label) and get a report per cable',
          description: 'The body is the CSV file itself, or a browser form (multipart/form-data) with one file field.',
          params: Code,
          querystring: UploadQuery,
          response: { 201: SurveyOut, ...problemReplies },
        },
        handler: async (req, reply) => {
          const lang = langOf(req);
          const up = await uploadOf(req, reply, SURVEY_TYPES, surveyLimit, 'SURVEY_TOO_LARGE');
          const s = svc.uploadSurvey(req.actor, req.params.code, up.body, up.fileName);
          const { report, ...survey } = s;
          reply.header('content-language', lang);
          return reply
            .status(201)
            .send({ survey, lang, cables: report.cables.map((c) => cableView(c, lang)), problems: report.problems.map((p) => problemView(p, lang)) });
        },
      });

      scope.get<{ Params: Static<typeof Code> }>('/opds/:code/surveys', {
        schema: {
          tags: ['diagrams'],
          summary: "The OPD's cable surveys, newest first",
          params: Code,
          response: { 200: Type.Array(SurveySummaryOut), ...problemReplies },
        },
        handler: async (req) => svc.listSurveys(req.actor, req.params.code),
      });

      scope.get<{ Params: Static<typeof SurveyParam> }>('/opds/:code/surveys/:id', {
        schema: { tags: ['diagrams'], summary: 'One survey and its report per cable', params: SurveyParam, response: { 200: SurveyOut, ...problemReplies } },
        handler: async (req) => {
          const lang = langOf(req);
          const { report, ...survey } = svc.getSurvey(req.actor, req.params.code, req.params.id);
          return { survey, lang, cables: report.cables.map((c) => cableView(c, lang)), problems: report.problems.map((p) => problemView(p, lang)) };
        },
      });

      scope.get('/compliance', {
        schema: {
          tags: ['diagrams'],
          summary: 'Every OPD: last diagram, days until the yearly deadline, open findings, share of valid cable labels',
          response: { 200: ComplianceOut, ...problemReplies },
        },
        handler: async (req) => svc.compliance(req.actor),
      });
    });
  };
}
