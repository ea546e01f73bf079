import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.js';
import { CONTROL_CHARACTERS_DETAIL, TEXT_LINE_PATTERN, TEXT_LINES_PATTERN } from '../common/text.js';
import { i18nInstance, isLang, langFromAcceptLanguage, translator, type Lang, type Translate } from '../i18n/i18n.js';

/** RFC 9457 problem details; `code` is stable for scripts, `detail` is for people. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  field?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemInput {
  status: number;
  code: string;
  detail: string;
  field?: string;
  [extra: string]: unknown;
}

/**
 * The language of a problem's `detail`. The API speaks English to scripts: with no
 * Accept-Language, with `*` (any language: the API's own) or with only other languages the
 * detail is the thrower's English, as it always was; Bahasa Indonesia when the caller prefers it.
 */
export const problemLang = (req: FastifyRequest): Lang => langFromAcceptLanguage(req.headers['accept-language'], 'en');

/** A problem's words in a language, when its mapping knows more than its code (validation). */
export type Wording = (t: Translate, lang: Lang) => string;

/** Extras as sentence values: lists joined, `null` as "none", objects kept for `{{blockedBy.value}}`. */
function sentenceValues(t: Translate, p: ProblemInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = v === null ? t('problems:none') : Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * `problems:<CODE>` (its `_field` variant when the problem names a field), filled from the
 * problem's field and extras. A sentence needing a value this thrower did not give falls back to
 * the plainer one, and a code without an entry (one of Fastify's own) to the status's sentence.
 */
export function catalogDetail(t: Translate, p: ProblemInput): string {
  const key = `problems:${p.code}`;
  if (i18nInstance().exists(key)) {
    const replace = sentenceValues(t, p);
    for (const context of p.field ? ['field', undefined] : [undefined]) {
      let missing = false;
      const text = t(key, {
        replace,
        context,
        missingInterpolationHandler: () => {
          missing = true;
          return '';
        },
      });
      if (!missing) return text;
    }
  }
  return t(`problems:status.${p.status}`, { defaultValue: t('problems:status.other') });
}

/** The problem as it reads in `lang`: the catalog's sentence, with the thrower's English specifics kept as `detailEn`. */
function inLanguage(p: ProblemInput, lang: Lang, wording?: Wording): ProblemInput {
  const t = translator(lang);
  return { ...p, detail: wording ? wording(t, lang) : catalogDetail(t, p), detailEn: p.detail };
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, p: ProblemInput, wording?: Wording): FastifyReply {
  // An answer already in the reader's language (labels and diagrams choose their own) carries `lang`.
  const lang = isLang(p.lang) ? p.lang : problemLang(req);
  const q = isLang(p.lang) || lang === 'en' ? p : inLanguage(p, lang, wording);
  // Extras first: one named `type` or `status` (a content type, say) must not replace RFC 9457's own fields.
  const body: Problem = {
    ...q,
    type: `urn:simpul:problem:${p.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[p.status] ?? 'Error',
    status: p.status,
    code: p.code,
    detail: q.detail,
    instance: req.url.split('?')[0],
  };
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="simpul"');
  reply.header('content-language', lang);
  return reply.status(p.status).type('application/problem+json; charset=utf-8').send(body);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const quote = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

/** What an Ajv error means, in any language: `en` where English words already exist (Ajv's own message, the plain-text rule). */
interface Reason {
  say: (t: Translate) => string;
  en?: string;
}
const sayReason = (r: Reason, t: Translate, lang: Lang): string => (lang === 'en' && r.en !== undefined ? r.en : r.say(t));

/** Formats in words from the catalog ("a date (2026-12-31)"), joined by "or". */
const formatWords = (t: Translate, formats: string[]): string =>
  formats
    .map((f) => t(`problems:validation.formats.${f}`, { defaultValue: t('problems:validation.formats.other', { replace: { format: f } }) }))
    .join(` ${t('problems:validation.or')} `);

/** Ajv's other keywords (lengths, bounds, types) from the catalog; a keyword it lacks says only "is invalid". */
function keywordReason(v: AjvError): Reason {
  return {
    en: v.message ?? 'is invalid',
    say: (t) => {
      const key = `problems:validation.keyword.${v.keyword}`;
      if (!i18nInstance().exists(key)) return t('problems:validation.invalid');
      const types = String(v.params.type ?? '')
        .split(',')
        .filter(Boolean);
      const replace = {
        ...v.params,
        type: types.map((ty) => t(`problems:validation.types.${ty}`, { defaultValue: ty })).join(` ${t('problems:validation.or')} `),
      };
      return t(key, { replace });
    },
  };
}

/** What an Ajv error means in words, naming what is allowed (the values of a union, the formats, plain text). */
function explain(v: AjvError, all: AjvError[]): Reason {
  const branches = all.filter((e) => e.instancePath === v.instancePath && e.keyword !== 'anyOf');
  switch (v.keyword) {
    case 'const':
    case 'anyOf':
    case 'enum': {
      const values =
        v.keyword === 'enum' ? (v.params.allowedValues as unknown[]) : branches.filter((e) => e.keyword === 'const').map((e) => e.params.allowedValue);
      if (values.length) return { say: (t) => t('problems:validation.oneOf', { replace: { values: values.map(quote).join(', ') } }) };
      const formats = branches.filter((e) => e.keyword === 'format').map((e) => String(e.params.format));
      if (formats.length) return { say: (t) => t('problems:validation.format', { replace: { formats: formatWords(t, formats) } }) };
      return keywordReason(v);
    }
    case 'format':
      return { say: (t) => t('problems:validation.format', { replace: { formats: formatWords(t, [String(v.params.format)]) } }) };
    case 'pattern':
      if (v.params.pattern === TEXT_LINE_PATTERN) return { en: `${CONTROL_CHARACTERS_DETAIL}, on one line`, say: (t) => t('problems:validation.textLine') };
      if (v.params.pattern === TEXT_LINES_PATTERN) return { en: CONTROL_CHARACTERS_DETAIL, say: (t) => t('problems:validation.textLines') };
      return { say: (t) => t('problems:validation.pattern', { replace: { pattern: String(v.params.pattern) } }) };
    default:
      return keywordReason(v);
  }
}

/** A schema failure in words: which part of the request, which field, what is allowed. */
function validationProblem(err: FastifyError): { problem: ProblemInput; wording: Wording } {
  const all = err.validation as unknown as AjvError[];
  // A union fails branch by branch before its anyOf: report the anyOf, which knows every branch.
  const first = all[0]!;
  const v = all.find((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath) ?? first;
  const where = err.validationContext ?? 'body';
  const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
  let field = path;
  let context: 'unknown' | 'required' | 'invalid' | 'whole';
  if (v.keyword === 'additionalProperties') {
    field = [path, String(v.params.additionalProperty)].filter(Boolean).join('.');
    context = 'unknown';
  } else if (v.keyword === 'required') {
    field = [path, String(v.params.missingProperty)].filter(Boolean).join('.');
    context = 'required';
  } else context = field ? 'invalid' : 'whole';
  const reason = explain(v, all);
  const wording: Wording = (t, lang) =>
    t('problems:VALIDATION_FAILED', {
      context,
      replace: {
        where: t(`problems:validation.where.${where}`, { defaultValue: where }),
        field,
        reason: context === 'invalid' || context === 'whole' ? sayReason(reason, t, lang) : '',
      },
    });
  return { problem: { status: 400, code: 'VALIDATION_FAILED', detail: wording(translator('en'), 'en'), field: field || undefined }, wording };
}

/** Fastify's own errors (JSON parse, body size, schema) mapped to stable codes and clear words. */
function fromFastify(err: FastifyError): { problem: ProblemInput; wording?: Wording } | null {
  if (err.validation) return validationProblem(err);
  const problem = ((): ProblemInput | null => {
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return { status: 400, code: 'MALFORMED_JSON', detail: `the body is not valid JSON: ${err.message}` };
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { status: 413, code: 'BODY_TOO_LARGE', detail: 'the body is larger than this server accepts (http.bodyLimitBytes)' };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return {
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
          detail: `this route does not take content type ${err.message.replace(/^.*?:\s*/, '') || '(none)'}; send the body as /docs shows for it (usually application/json)`,
        };
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return { status: 400, code: 'BAD_CONTENT_LENGTH', detail: 'Content-Length does not match the body' };
    }
    // Fastify's other client errors keep their own code; the catalog's status sentence speaks for them.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return { status: err.statusCode, code: (err.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, ''), detail: err.message };
    return null;
  })();
  return problem && { problem };
}

export function errorHandler(err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof AppError) return sendProblem(reply, req, { status: err.status, code: err.code, detail: err.detail, field: err.field, ...err.extra });
  const mapped = fromFastify(err as FastifyError);
  if (mapped) return sendProblem(reply, req, mapped.problem, mapped.wording);
  req.log.error({ err }, 'unhandled error');
  return sendProblem(reply, req, {
    status: 500,
    code: 'INTERNAL',
    detail: 'an internal error occurred; it has been logged with the request id',
    requestId: req.id,
  });
}
