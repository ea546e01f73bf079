import { Type, type StringOptions, type TSchema } from '@sinclair/typebox';
import { DeviceSchema, LinkSchema, OpdKinds, SiteSchema } from '../inventory/model.js';
import { TEXT_LINE_PATTERN, TEXT_LINES_PATTERN } from '../common/text.js';

/** Free text on one line (names, hostnames): no control characters. */
export const TextLine = (maxLength: number, minLength = 1, options: StringOptions = {}) =>
  Type.String({ ...options, minLength, maxLength, pattern: TEXT_LINE_PATTERN });
/** Free text that may have lines (purposes, reasons, justifications): no control characters but tab and line breaks. */
export const TextLines = (maxLength: number, minLength = 1, options: StringOptions = {}) =>
  Type.String({ ...options, minLength, maxLength, pattern: TEXT_LINES_PATTERN });

/** An end date: a date-time, or a plain date meaning the end of that day in the regency's zone. */
/** A value or null (a field that is always present in a reply, empty when unknown). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const DateOrDateTime = (description: string) =>
  Type.Unsafe<string>({ type: 'string', maxLength: 64, anyOf: [{ format: 'date' }, { format: 'date-time' }], description });

/** Shared reply schemas: fast-json-stringify drops every field not listed, so nothing leaks by accident. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const problemReplies = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  404: Type.Ref('Problem'),
};

const opdFields = {
  code: Type.String(),
  name: Type.String(),
  // A plain enum, not a union of literals: fast-json-stringify validates anyOf branches per value.
  kind: Type.Unsafe<string>({ type: 'string', enum: [...OpdKinds] }),
  head: Type.Optional(Type.String()),
};
export const OpdSummary = Type.Object({ ...opdFields, sites: Type.Integer(), devices: Type.Integer() });
export const DeviceOut = Type.Composite([DeviceSchema, Type.Object({ opd: Type.String() })], { additionalProperties: true });
export const SiteOut = Type.Composite([SiteSchema, Type.Object({ opd: Type.String() })], { additionalProperties: true });
export const OpdDetail = Type.Object({ ...opdFields, sites: Type.Array(SiteOut), devices: Type.Array(DeviceOut) });
export const LinkOut = Type.Composite([LinkSchema, Type.Object({ opds: Type.Array(Type.String()) })], { additionalProperties: true });

export const TokenOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  opd: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
