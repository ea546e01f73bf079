/**
 * Lines of an uploaded list without holding the file: bytes are split on '\n' as they are pushed,
 * a line longer than the cap is dropped as it streams (none of it is kept), and each line is
 * decoded strictly so invalid UTF-8 is reported rather than turned into '?'. LineSplitter is the
 * push form the import thread feeds as chunks arrive; readLines the same over a stream.
 */
import { isAscii } from 'node:buffer';
import { AppError } from '../common/errors.js';

export interface LineError {
  code: string;
  reason: string;
}

/** Receives each line with its 1-based number: its text, or null and why it cannot be read. */
export type LineSink = (n: number, text: string | null, error?: LineError) => void;

export const tooLarge = (max: number) =>
  new AppError(413, 'IMPORT_TOO_LARGE', `the list is larger than ${max} bytes (blocking.maxImportBytes); split it into several sources or raise the limit`);

export interface RawLine {
  /** 1-based line number. */
  n: number;
  text: string | null;
  /** Set when text is null. */
  error?: LineError;
}

/** The pull form over a stream of chunks: a batch of lines per chunk, 413 past `maxBytes`. */
export async function* readLines(src: AsyncIterable<Buffer | string>, limits: { maxLineBytes: number; maxBytes: number }): AsyncGenerator<RawLine[]> {
  let batch: RawLine[] = [];
  const splitter = new LineSplitter(limits.maxLineBytes, (n, text, error) => batch.push(error ? { n, text, error } : { n, text }));
  let total = 0;
  for await (const c of src) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : c;
    total += chunk.length;
    if (total > limits.maxBytes) throw tooLarge(limits.maxBytes);
    splitter.push(chunk);
    if (batch.length) yield batch;
    batch = [];
  }
  splitter.end();
  if (batch.length) yield batch;
}

const INVALID_UTF8: LineError = { code: 'INVALID_UTF8', reason: 'the line is not valid UTF-8 (binary data or another encoding)' };

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  private readonly tooLong: LineError;
  private parts: Uint8Array[] = [];
  private partLen = 0;
  private overflow = false;
  private n = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {
    this.tooLong = { code: 'LINE_TOO_LONG', reason: `line is longer than ${maxLineBytes} bytes` };
  }

  /** The last line number given to the sink. */
  get lines(): number {
    return this.n;
  }

  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const first = buf.indexOf(0x0a);
    if (first === -1) return this.keep(buf);
    this.keep(buf.subarray(0, first));
    this.finish();
    const last = buf.lastIndexOf(0x0a);
    if (last > first) this.whole(buf.subarray(first + 1, last));
    this.keep(buf.subarray(last + 1));
  }

  /** The last line, when the file does not end with '\n'. */
  end(): void {
    if (this.partLen || this.overflow) this.finish();
  }

  /** Complete lines (the newlines between them, not around them). Plain ASCII, the usual case, is decoded in one go. */
  private whole(region: Buffer): void {
    if (!isAscii(region)) {
      let pos = 0;
      for (let nl = region.indexOf(0x0a); nl !== -1; nl = region.indexOf(0x0a, pos)) {
        this.keep(region.subarray(pos, nl));
        this.finish();
        pos = nl + 1;
      }
      this.keep(region.subarray(pos));
      return this.finish();
    }
    // One byte per character: a line's length is its size in bytes.
    for (const line of region.toString('latin1').split('\n')) {
      this.n++;
      if (line.length > this.maxLineBytes) this.sink(this.n, null, this.tooLong);
      else this.sink(this.n, line.endsWith('\r') ? line.slice(0, -1) : line);
    }
  }

  private keep(seg: Uint8Array): void {
    if (this.overflow) return;
    if (this.partLen + seg.length > this.maxLineBytes) {
      this.overflow = true;
      this.parts = [];
      this.partLen = 0;
    } else if (seg.length) {
      // Copy: the chunk's memory is released once its lines are done.
      this.parts.push(Buffer.from(seg));
      this.partLen += seg.length;
    }
  }

  private finish(): void {
    this.n++;
    if (this.overflow) this.sink(this.n, null, this.tooLong);
    else {
      let buf: Uint8Array = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partLen);
      if (buf.length && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
      let text: string | null = null;
      try {
        text = this.decoder.decode(buf);
      } catch {
        this.sink(this.n, null, INVALID_UTF8);
      }
      if (text !== null) this.sink(this.n, text);
    }
    this.parts = [];
    this.partLen = 0;
    this.overflow = false;
  }
}
