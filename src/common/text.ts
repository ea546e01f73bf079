/**
 * Free text people type (names, purposes, reasons, justifications): control characters are refused
 * everywhere (NUL, escape, C1), except tab and line breaks where a text may have lines. One
 * definition for the API schemas (as a pattern) and for paths that bypass them (the CLI).
 */

// C0 without tab, LF and CR; DEL; C1.
const LINES_CLASS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f';
const LINE_CLASS = '\\u0000-\\u001f\\u007f-\\u009f';

/** JSON-schema patterns (Ajv compiles them with the `u` flag). */
export const TEXT_LINE_PATTERN = `^[^${LINE_CLASS}]*$`;
export const TEXT_LINES_PATTERN = `^[^${LINES_CLASS}]*$`;

const LINE = new RegExp(`[${LINE_CLASS}]`, 'u');
const LINES = new RegExp(`[${LINES_CLASS}]`, 'u');

export const CONTROL_CHARACTERS_DETAIL = 'must not contain control characters (such as NUL or escape); type plain text';

/** The first control character's offset, or -1; `multiline` allows tab, LF and CR. */
export function controlCharacterAt(text: string, multiline = false): number {
  const m = (multiline ? LINES : LINE).exec(text);
  return m ? m.index : -1;
}
