import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const base: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };

/**
 * Two validators: query strings and path parameters arrive as text and are coerced to their
 * schema types; JSON bodies are not coerced, so `{"name": 5}` is an error rather than "5".
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = addFormats(new Ajv({ ...base, coerceTypes: false }));
  const text = addFormats(new Ajv({ ...base, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}
