/** Uploaded bytes to text: size cap first, then strict UTF-8, and no binary control characters. */
import { DEFAULT_LIMITS, DiagramError, type DiagramLimits } from './model.js';

/** Decode an upload as UTF-8 text, refusing oversized or binary input. */
export function decodeUpload(input: Uint8Array | string, limits: DiagramLimits = DEFAULT_LIMITS): string {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > limits.maxBytes) throw new DiagramError(413, 'DIAGRAM_TOO_LARGE', { size, max: limits.maxBytes });
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new DiagramError(415, 'DIAGRAM_NOT_TEXT');
    }
  }
  // NUL and most C0 controls never occur in XML or YAML text; their presence means binary data.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000E-\u001A]/.test(text)) throw new DiagramError(415, 'DIAGRAM_NOT_TEXT');
  return text.replace(/^\uFEFF/, '');
}
