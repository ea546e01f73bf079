/**
 * Lines of an uploaded list without holding the file: bytes are split on '\n' as they arrive, a
 * line longer than the cap is dropped as it streams (only its first bytes are kept, for nothing),
 * and each line is decoded strictly so invalid UTF-8 is reported rather than turned into '?'.
 */
import { AppError } from '../common/errors.js';

export interface RawLine {
  /** 1-based line number. */
  n: number;
  text: string | null;
  /** Set when text is null. */
  error?: { code: string; reason: string };
}

export interface ReadLimits {
  maxLineBytes: number;
  maxBytes: number;
}

export const tooLarge = (max: number) =>
  new AppError(413, 'IMPORT_TOO_LARGE', `the list is larger than ${max} bytes (blocking.maxImportBytes); split it into several sources or raise the limit`);

/** Batches of lines, one batch per chunk read, so the caller works (and yields) per batch. */
export async function* readLines(src: AsyncIterable<Buffer | string>, limits: ReadLimits): AsyncGenerator<RawLine[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let parts: Buffer[] = [];
  let partLen = 0;
  let overflow = false;
  let total = 0;
  let n = 0;
  const finish = (out: RawLine[]) => {
    n++;
    if (overflow) out.push({ n, text: null, error: { code: 'LINE_TOO_LONG', reason: `line is longer than ${limits.maxLineBytes} bytes` } });
    else {
      let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partLen);
      if (buf.length && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
      try {
        out.push({ n, text: decoder.decode(buf) });
      } catch {
        out.push({ n, text: null, error: { code: 'INVALID_UTF8', reason: 'the line is not valid UTF-8 (binary data or another encoding)' } });
      }
    }
    parts = [];
    partLen = 0;
    overflow = false;
  };
  const keep = (seg: Buffer) => {
    if (overflow) return;
    if (partLen + seg.length > limits.maxLineBytes) {
      overflow = true;
      parts = [];
      partLen = 0;
    } else if (seg.length) {
      // Copy: the chunk's memory is released once its lines are done.
      parts.push(Buffer.from(seg));
      partLen += seg.length;
    }
  };
  for await (const c of src) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : c;
    total += chunk.length;
    if (total > limits.maxBytes) throw tooLarge(limits.maxBytes);
    const out: RawLine[] = [];
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) break;
      keep(chunk.subarray(pos, nl));
      finish(out);
      pos = nl + 1;
    }
    keep(chunk.subarray(pos));
    if (out.length) yield out;
  }
  if (partLen || overflow) {
    const out: RawLine[] = [];
    finish(out);
    yield out;
  }
}
