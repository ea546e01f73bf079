/**
 * Uploads sent as a browser form (`multipart/form-data` with one file field), for routes that
 * otherwise take the raw file as the body. The file is streamed, never held by the form layer,
 * with the route's own size limit; a form with no file or with two is refused with what to do.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/errors.js';

/** Boundaries and part headers around the file: a form may exceed the file limit by this much. */
export const FORM_OVERHEAD_BYTES = 64 * 1024;

export const isMultipart = (req: FastifyRequest): boolean => /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');

/** Adds the multipart parser to a scope; the file size is checked by `oneFile` (the route's limit). */
export async function acceptForms(scope: FastifyInstance): Promise<void> {
  // Busboy's own caps stop a form made of thousands of tiny parts; the file's size is ours to judge.
  await scope.register(multipart, { limits: { files: 3, fields: 20, fieldSize: 64 * 1024, parts: 40, headerPairs: 100 }, throwFileSizeLimit: false });
}

export interface FormErrors {
  noFile: () => Error;
  twoFiles: () => Error;
  tooLarge: () => Error;
}

export interface FormFile {
  /** As the browser named it (not trusted: callers clean it before showing or storing it). */
  filename: string;
  mimetype: string;
  /** Text fields sent before the file (browsers send fields in the form's order). */
  fields: Record<string, string>;
  /**
   * The file's bytes. The iteration ends only once the rest of the form was read and held no
   * second file, so a caller that acts when the iteration completes never acts on half a form.
   */
  chunks: AsyncIterable<Buffer>;
}

/** Stop reading a refused body: answer at once and do not reuse the connection. */
export function abandonBody(req: FastifyRequest, reply: FastifyReply): void {
  reply.header('connection', 'close');
  req.raw.unpipe();
  req.raw.resume();
}

type Parts = AsyncIterator<Awaited<ReturnType<FastifyRequest['file']>> & object>;

async function* chunksOf(first: NonNullable<Awaited<ReturnType<FastifyRequest['file']>>>, rest: Parts, max: number, e: FormErrors): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const c of first.file as AsyncIterable<Buffer>) {
    total += c.length;
    if (total > max) throw e.tooLarge();
    yield c;
  }
  for (;;) {
    const { value: part, done } = await rest.next();
    if (done) return;
    if (part.type !== 'file') continue;
    // A second file input left empty by the browser is no file.
    const bytes = await drain(part.file as AsyncIterable<Buffer>);
    if (part.filename || bytes > 0) throw e.twoFiles();
  }
}

async function drain(s: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const c of s) n += c.length;
  return n;
}

/**
 * The one file of a multipart form, with the text fields before it. Errors from `e` are thrown from
 * this call (no file) or from the iteration (too large, a second file); either way the rest of
 * the body is abandoned.
 */
export async function oneFile(req: FastifyRequest, reply: FastifyReply, max: number, e: FormErrors): Promise<FormFile> {
  const refuse = (err: Error): never => {
    abandonBody(req, reply);
    throw err;
  };
  if (Number(req.headers['content-length'] ?? 0) > max + FORM_OVERHEAD_BYTES) refuse(e.tooLarge());
  const parts = req.parts()[Symbol.asyncIterator]() as Parts;
  const fields: Record<string, string> = {};
  try {
    for (;;) {
      const { value: part, done } = await parts.next();
      if (done) return refuse(e.noFile());
      if (part.type !== 'file') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      // A file input left empty arrives as a part with no file name (and no bytes).
      if (!part.filename) {
        await drain(part.file as AsyncIterable<Buffer>);
        continue;
      }
      const chunks = chunksOf(part, parts, max, e);
      return {
        filename: part.filename,
        mimetype: part.mimetype,
        fields,
        chunks: (async function* () {
          try {
            yield* chunks;
          } catch (err) {
            refuse(clientError(err));
          }
        })(),
      };
    }
  } catch (err) {
    return refuse(clientError(err));
  }
}

/** A form busboy cannot read (cut short, bad boundary) is the sender's mistake: 400, never 500. */
function clientError(err: unknown): Error {
  const status = (err as { statusCode?: number }).statusCode ?? (err as { status?: number }).status;
  if (err instanceof Error && status !== undefined && status >= 400 && status < 500) return err;
  return new AppError(
    400,
    'FORM_MALFORMED',
    `the form could not be read (${err instanceof Error ? err.message : String(err)}); send it again as multipart/form-data with one file field`,
  );
}

/** The whole file in memory (diagrams and surveys are parsed whole; their limit is small). */
export async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out);
}
