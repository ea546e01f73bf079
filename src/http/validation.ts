import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const base: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false, discriminator: true };
const bodyAjv = () => addFormats(new Ajv({ ...base, coerceTypes: false }));

/**
 * Two validators: query strings and path parameters arrive as text and are coerced to their
 * schema types; JSON bodies are not coerced, so `{"name": 5}` is an error rather than "5".
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = bodyAjv();
  const text = addFormats(new Ajv({ ...base, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}

let shared: Ajv | undefined;
/** A route's body schema compiled for callers outside HTTP (importers), so a row passes exactly when the body would. */
export const compileBodySchema = (schema: object) => (shared ??= bodyAjv()).compile(schema);
