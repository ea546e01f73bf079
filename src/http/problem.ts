import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.js';
import { CONTROL_CHARACTERS_DETAIL, TEXT_LINE_PATTERN, TEXT_LINES_PATTERN } from '../common/text.js';

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

export function sendProblem(reply: FastifyReply, req: FastifyRequest, p: ProblemInput): FastifyReply {
  // Extras first: one named `type` or `status` (a content type, say) must not replace RFC 9457's own fields.
  const body: Problem = {
    ...p,
    type: `urn:simpul:problem:${p.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[p.status] ?? 'Error',
    status: p.status,
    code: p.code,
    detail: p.detail,
    instance: req.url.split('?')[0],
  };
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="simpul"');
  return reply.status(p.status).type('application/problem+json; charset=utf-8').send(body);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const FORMAT_WORDS: Record<string, string> = {
  date: "a date (2026-12-31)",
  'date-time': "a date-time (2026-12-31T17:00:00+07:00)",
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  email: 'an e-mail address',
  uri: 'a URL',
};
const quote = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));

/** What an Ajv error means in words, naming what is allowed (the values of a union, the formats, plain text). */
function explain(v: AjvError, all: AjvError[]): string {
  const branches = all.filter((e) => e.instancePath === v.instancePath && e.keyword !== 'anyOf');
  switch (v.keyword) {
    case 'const':
    case 'anyOf':
    case 'enum': {
      const values = v.keyword === 'enum' ? (v.params.allowedValues as unknown[]) : branches.filter((e) => e.keyword === 'const').map((e) => e.params.allowedValue);
      if (values.length) return `must be one of ${values.map(quote).join(', ')}`;
      const formats = branches.filter((e) => e.keyword === 'format').map((e) => FORMAT_WORDS[String(e.params.format)] ?? String(e.params.format));
      if (formats.length) return `must be ${formats.join(' or ')}`;
      return v.message ?? 'is invalid';
    }
    case 'format':
      return `must be ${FORMAT_WORDS[String(v.params.format)] ?? `in format ${String(v.params.format)}`}`;
    case 'pattern':
      if (v.params.pattern === TEXT_LINE_PATTERN) return `${CONTROL_CHARACTERS_DETAIL}, on one line`;
      if (v.params.pattern === TEXT_LINES_PATTERN) return CONTROL_CHARACTERS_DETAIL;
      return `must match ${String(v.params.pattern)}`;
    default:
      return v.message ?? 'is invalid';
  }
}

/** Fastify's own errors (JSON parse, body size, schema) mapped to stable codes and clear words. */
function fromFastify(err: FastifyError): ProblemInput | null {
  if (err.validation) {
    const all = err.validation as unknown as AjvError[];
    // A union fails branch by branch before its anyOf: report the anyOf, which knows every branch.
    const first = all[0]!;
    const v = all.find((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath) ?? first;
    const where = err.validationContext ?? 'body';
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    let field = path;
    let detail: string;
    if (v.keyword === 'additionalProperties') {
      field = [path, String(v.params.additionalProperty)].filter(Boolean).join('.');
      detail = `${where}: unknown field '${field}'`;
    } else if (v.keyword === 'required') {
      field = [path, String(v.params.missingProperty)].filter(Boolean).join('.');
      detail = `${where}: field '${field}' is required`;
    } else detail = `${where}${field ? ` field '${field}'` : ''}: ${explain(v, all)}`;
    return { status: 400, code: 'VALIDATION_FAILED', detail, field: field || undefined };
  }
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
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return { status: err.statusCode, code: (err.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, ''), detail: err.message };
  return null;
}

export function errorHandler(err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof AppError)
    return sendProblem(reply, req, { status: err.status, code: err.code, detail: err.detail, field: err.field, ...err.extra });
  const mapped = fromFastify(err as FastifyError);
  if (mapped) return sendProblem(reply, req, mapped);
  req.log.error({ err }, 'unhandled error');
  return sendProblem(reply, req, { status: 500, code: 'INTERNAL', detail: 'an internal error occurred; it has been logged with the request id', requestId: req.id });
}
