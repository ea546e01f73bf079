import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.js';

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
  type?: string;
  [extra: string]: unknown;
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, p: ProblemInput): FastifyReply {
  const body: Problem = {
    type: p.type ?? `urn:simpul:problem:${p.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[p.status] ?? 'Error',
    ...p,
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

/** Fastify's own errors (JSON parse, body size, schema) mapped to stable codes and clear words. */
function fromFastify(err: FastifyError): ProblemInput | null {
  if (err.validation) {
    const v = err.validation[0] as unknown as AjvError;
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
    } else detail = `${where}${field ? ` field '${field}'` : ''}: ${v.message ?? 'is invalid'}`;
    return { status: 400, code: 'VALIDATION_FAILED', detail, field: field || undefined };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'MALFORMED_JSON', detail: `the body is not valid JSON: ${err.message}` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'BODY_TOO_LARGE', detail: 'the body is larger than this server accepts (http.bodyLimitBytes)' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: `content type not accepted here: ${err.message}` };
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
