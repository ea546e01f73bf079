/**
 * `POST /labels/validate`: labels as JSON ({labels, opd}) or as text, one per line (opd in the
 * query). Each label comes back parsed into its parts, or with its errors naming part and column.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import { labelView, LabelsOut } from '../topology/schemas.js';
import { bilingualErrors, langOf } from './http-errors.js';
import { labelsFromText, MAX_LABELS, type LabelService } from './service.js';
import { OpdCode as opdCode } from '../inventory/model.js';

const OpdCode = opdCode();
const JsonBody = Type.Object(
  {
    labels: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: MAX_LABELS }),
    opd: Type.Optional(OpdCode),
  },
  { additionalProperties: false },
);
const Body = Type.Union([JsonBody, Type.String({ maxLength: 4 * 1024 * 1024 })]);
const Query = Type.Object({ opd: Type.Optional(OpdCode) }, { additionalProperties: false });

export function labelRoutes(svc: LabelService): RoutePlugin {
  return async (api) => {
    await api.register(async (scope) => {
      bilingualErrors(scope);
      scope.post<{ Body: Static<typeof Body>; Querystring: Static<typeof Query> }>('/labels/validate', {
        bodyLimit: 4 * 1024 * 1024,
        schema: {
          tags: ['labels'],
          summary: 'Check cable labels: parts or errors (part and column), meaning against the inventory and the OPD diagram',
          description:
            'JSON {"labels": [...], "opd": "DINKES"} or text/plain with one label per line (?opd=DINKES). With an OPD, labels are also checked together (duplicates, a port on two cables) and against its latest diagram. Messages follow Accept-Language (Bahasa Indonesia by default).',
          body: Body,
          querystring: Query,
          response: { 200: LabelsOut, ...problemReplies },
        },
        handler: async (req, reply) => {
          const lang = langOf(req);
          const body = req.body;
          const labels = typeof body === 'string' ? labelsFromText(body) : body.labels;
          const opd = (typeof body === 'string' ? undefined : body.opd) ?? req.query.opd;
          const r = svc.validate(req.actor, labels, opd);
          reply.header('content-language', lang);
          return {
            lang,
            opd: r.opd,
            total: r.checks.length,
            valid: r.checks.filter((c) => c.ok).length,
            labels: r.checks.map((c) => labelView(c, lang)),
          };
        },
      });
    });
  };
}
