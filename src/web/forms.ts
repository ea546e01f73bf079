import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Translate } from '../i18n/i18n.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Field name -> message in the person's language; `_form` for what belongs to no one field. */
export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; value: T; values: Record<string, string> } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Forms arrive as text: numbers are coerced, every error is collected (allErrors), fields the
 * schema does not name are dropped (a form may carry buttons and _csrf), and a blank field counts
 * as absent so "required" is what a person is told.
 */
const ajv = addFormats(new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, removeAdditional: true, strict: false, verbose: true }));

/**
 * A schema property may carry `'x-error': 'web:section.key'` to say in its own words what is
 * wrong (e.g. the username pattern); otherwise the message comes from `web:form.errors.<keyword>`.
 */
function message(e: ErrorObject, t: Translate): string {
  const own = (e.parentSchema as Record<string, unknown> | undefined)?.['x-error'];
  if (typeof own === 'string' && e.keyword !== 'required') return t(own, e.params);
  switch (e.keyword) {
    case 'required':
      return t('web:form.errors.required');
    case 'minLength':
      return (e.params as { limit: number }).limit <= 1 ? t('web:form.errors.required') : t('web:form.errors.minLength', e.params);
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'pattern':
    case 'format':
    case 'type':
      return t(`web:form.errors.${e.keyword}`, e.params);
    case 'const':
    case 'enum':
    case 'anyOf':
      return t('web:form.errors.choice');
    default:
      return t('web:form.errors.invalid');
  }
}

const fieldOf = (e: ErrorObject): string => {
  if (e.keyword === 'required') return String((e.params as { missingProperty: string }).missingProperty);
  return e.instancePath.split('/')[1] ?? '_form';
};

/** Text values to show back in the form (never passwords: the page leaves those empty). */
function echo(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && !/password|^_csrf$|^current$/i.test(k)) out[k] = v;
  return out;
}

/** Compiles a TypeBox object schema once into a validator that reports ALL field errors, translated. */
export function formValidator<S extends TSchema>(schema: S): (body: unknown, t: Translate) => FormResult<Static<S>> {
  const check: ValidateFunction = ajv.compile(schema);
  return (body, t) => {
    const raw = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) if (k !== '_csrf' && v !== '') data[k] = v;
    const values = echo(raw);
    if (check(data)) return { ok: true, value: data as Static<S>, values };
    const errors: FieldErrors = {};
    // The first error of a field is the one shown; a union's 'const' errors come before its 'anyOf'.
    for (const e of check.errors ?? []) errors[fieldOf(e)] ??= message(e, t);
    return { ok: false, errors, values };
  };
}

/** A service's AppError about one field (e.g. USERNAME_TAKEN on `username`) as form errors. */
export function fieldError(field: string | undefined, text: string): FieldErrors {
  return { [field ?? '_form']: text };
}
