/**
 * Problem answers in the reader's language for the label and diagram routes: a BilingualError's
 * `detail` follows `Accept-Language` (Bahasa Indonesia unless English is asked for first), and
 * `message` keeps both. Everything else goes to the common handler unchanged.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { errorHandler, sendProblem } from '../http/problem.js';
import { AppError } from '../common/errors.js';
import { langFromAcceptLanguage } from '../i18n/i18n.js';
import { BilingualError, type Lang } from './messages.js';

/** Bahasa Indonesia unless English is preferred, as the pages are (the rest of the API defaults to English). */
export const langOf = (req: FastifyRequest): Lang => langFromAcceptLanguage(req.headers['accept-language']);

/** `tooLarge` turns Fastify's body-limit refusal into the domain's own bilingual 413. */
export function bilingualErrors(scope: FastifyInstance, tooLarge?: (req: FastifyRequest) => AppError): void {
  scope.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    let e: FastifyError | AppError = err;
    if (tooLarge && !(err instanceof AppError) && err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = tooLarge(req);
    if (e instanceof BilingualError) {
      const lang = langOf(req);
      reply.header('content-language', lang);
      return sendProblem(reply, req, { status: e.status, code: e.code, ...e.extra, detail: e.text[lang], field: e.field, lang });
    }
    return errorHandler(e, req, reply);
  });
}
