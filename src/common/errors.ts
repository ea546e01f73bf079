/**
 * The one error type services throw. The HTTP layer turns it into an RFC 9457
 * problem+json answer; the CLI prints `detail`. `code` is stable: scripts match on it.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, detail: string, field?: string, extra?: Record<string, unknown>) => new AppError(400, code, detail, field, extra);
export const notFound = (what: string, id: string) => new AppError(404, 'NOT_FOUND', `${what} '${id}' does not exist or is not visible to you`);
export const conflict = (code: string, detail: string, extra?: Record<string, unknown>) => new AppError(409, code, detail, undefined, extra);
export const forbidden = (detail: string) => new AppError(403, 'FORBIDDEN', detail);

/** Importers list this many bad lines in their report and only count the rest (a 100,000-line mistake is one fix). */
export const MAX_LISTED_ERRORS = 100;
