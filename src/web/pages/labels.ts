import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { seesAllOpds, type Actor } from '../../auth/actor.js';
import { AppError } from '../../common/errors.js';
import type { Services } from '../../http/context.js';
import { abandonBody, acceptForms, collect, oneFile } from '../../http/multipart.js';
import type { Lang } from '../../i18n/i18n.js';
import type { Message } from '../../labels/messages.js';
import { labelsFromText, MAX_LABELS, type LabelService } from '../../labels/service.js';
import type { LabelIssue } from '../../labels/validate.js';
import { cleanText } from '../../topology/model.js';
import { formErrors } from '../../topology/routes.js';
import { formValidator } from '../forms.js';
import { topologyOf, uploadProblem } from './diagrams.js';
import { OPD_CODE } from '../../inventory/model.js';

const OPD = `^${OPD_CODE}$`;
const CheckForm = Type.Object(
  {
    labels: Type.String({ minLength: 1, maxLength: 1_000_000, 'x-error': 'diagrams:labels.errors.empty' }),
    opd: Type.Optional(Type.String({ pattern: OPD, 'x-error': 'diagrams:labels.errors.office' })),
  },
  { additionalProperties: false },
);
const checkForm = formValidator(CheckForm);
const SurveyParam = Type.Object({ opd: Type.String({ pattern: OPD }), id: Type.Integer({ minimum: 1 }) });

function labelsOf(s: Services): LabelService {
  const l = s.use('labels');
  if (!l) throw new AppError(503, 'MODULE_NOT_RUNNING', 'the diagrams module is not running');
  return l;
}

/** What the person reads of an issue: an office admin never reads another office's port list. */
const say = (i: LabelIssue, actor: Actor, lang: Lang) => ((actor.role === 'opd-admin' && i.office ? i.office : i.message) as Message)[lang];

/** The label page: both forms, and the result of a check when there is one. */
function labelPage(s: Services, req: FastifyRequest, reply: FastifyReply, data: Record<string, unknown> = {}, status = 200) {
  const actor = req.web.actor!;
  const offices = s.inventory.listOpds(actor).map((o) => ({ value: o.code, label: `${o.code} · ${o.name}` }));
  const own = seesAllOpds(actor) ? null : actor.opd;
  const surveys = own ? topologyOf(s).listSurveys(actor, own).slice(0, 20) : [];
  return reply.page('labels/check', { offices, own, surveys, maxSurveyBytes: topologyOf(s).options.maxSurveyBytes, ...data }, status);
}

/** Cable labels in the browser: paste and check, or upload a cable survey and read each verdict. */
export async function labelPages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/labels', async (req, reply) => labelPage(s, req, reply));

  app.post('/labels', async (req, reply) => {
    const actor = req.web.actor!;
    const { t, lang } = req.web;
    const form = checkForm(req.body, t);
    if (!form.ok) return labelPage(s, req, reply, { errors: form.errors, values: form.values }, 400);
    const labels = labelsFromText(form.value.labels);
    const errors =
      labels.length === 0 ? { labels: t('diagrams:labels.errors.empty') } : labels.length > MAX_LABELS ? { labels: t('diagrams:labels.errors.tooMany') } : null;
    if (errors) return labelPage(s, req, reply, { errors, values: form.value }, 400);
    const r = labelsOf(s).validate(actor, labels, form.value.opd);
    const results = r.checks.map((c) => ({
      text: c.text,
      verdict: !c.ok ? 'error' : c.issues.some((i) => i.severity === 'warning') ? 'warning' : 'ok',
      issues: c.issues.map((i) => ({ severity: i.severity, text: say(i, actor, lang) })),
    }));
    return labelPage(s, req, reply, { values: form.value, results, valid: r.checks.filter((c) => c.ok).length });
  });

  // Multipart: the CSRF token is in the action URL; the office comes as a field before the file.
  await app.register(async (forms) => {
    await acceptForms(forms);
    forms.post('/labels/survey', async (req, reply) => {
      const actor = req.web.actor!;
      const t = topologyOf(s);
      const max = t.options.maxSurveyBytes;
      try {
        const f = await oneFile(req, reply, max, formErrors(max, 'SURVEY_TOO_LARGE'));
        const opd = seesAllOpds(actor) ? f.fields['survey-opd'] : actor.opd!;
        if (!opd || !new RegExp(OPD).test(opd)) {
          abandonBody(req, reply);
          return labelPage(s, req, reply, { errors: { 'survey-opd': req.web.t('diagrams:labels.errors.office') } }, 400);
        }
        const body = await collect(f.chunks);
        const survey = t.uploadSurvey(actor, opd, body, cleanText(f.filename, 255) || undefined);
        return reply.redirect(`/labels/surveys/${survey.opd}/${survey.id}`, 303);
      } catch (e) {
        const problem = uploadProblem(e, req.web.lang);
        if (problem === null) throw e;
        return labelPage(s, req, reply, { errors: { survey: problem } }, (e as AppError).status);
      }
    });
  });

  app.get<{ Params: Static<typeof SurveyParam> }>('/labels/surveys/:opd/:id', { schema: { params: SurveyParam } }, async (req, reply) => {
    const actor = req.web.actor!;
    const { lang } = req.web;
    const sv = topologyOf(s).getSurvey(actor, req.params.opd, req.params.id);
    const cables = sv.report.cables.map((c) => ({
      label: c.label,
      status: c.status,
      readings: c.readings,
      issues: c.issues.map((i) => ({ severity: i.severity, text: say(i, actor, lang) })),
    }));
    const problems = sv.report.problems.map((p) => ({ line: p.line, text: p.message[lang] }));
    return reply.page('labels/survey', { sv, cables, problems });
  });
}
