// RouterOS API wire format, shared by the client compatibility layer and the lab simulator: a
// sentence is a sequence of words, each prefixed by its length in bytes, ended by a zero-length
// word. Words are handled as latin1 strings so one char is one byte and lengths stay exact.

export class WireError extends Error {
  override readonly name = 'WireError';
}

/** The five length-prefix sizes of the RouterOS API (1 to 5 bytes). */
export function encodeLength(len: number): Buffer {
  if (!Number.isInteger(len) || len < 0 || len > 0xffffffff) throw new WireError(`bad word length ${len}`);
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x4000) return Buffer.from([(len >> 8) | 0x80, len & 0xff]);
  if (len < 0x200000) return Buffer.from([(len >> 16) | 0xc0, (len >> 8) & 0xff, len & 0xff]);
  if (len < 0x10000000) return Buffer.from([(len >>> 24) | 0xe0, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff]);
  return Buffer.from([0xf0, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff]);
}

/**
 * Reads a length prefix at `offset`. Returns [prefixBytes, length], or undefined when the buffer
 * does not hold the whole prefix yet. Control bytes 0xF8..0xFF are reserved and rejected.
 */
export function decodeLength(buf: Buffer, offset = 0): [number, number] | undefined {
  const b = buf[offset];
  if (b === undefined) return undefined;
  const size = b < 0x80 ? 1 : b < 0xc0 ? 2 : b < 0xe0 ? 3 : b < 0xf0 ? 4 : b === 0xf0 ? 5 : 0;
  if (size === 0) throw new WireError(`reserved control byte 0x${b.toString(16)}`);
  if (buf.length - offset < size) return undefined;
  if (size === 1) return [1, b];
  if (size === 5) return [5, buf.readUInt32BE(offset + 1)];
  let len = b & (0xff >> size);
  for (let i = 1; i < size; i++) len = len * 256 + (buf[offset + i] ?? 0);
  return [size, len];
}

export function encodeWord(word: string): Buffer {
  const bytes = Buffer.from(word, 'latin1');
  return Buffer.concat([encodeLength(bytes.length), bytes]);
}

export function encodeSentence(words: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const w of words) parts.push(encodeWord(w));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/**
 * Incremental sentence decoder: feed it socket chunks split anywhere, get whole sentences back.
 * `maxWordBytes` bounds memory against hostile or broken peers.
 */
export class SentenceDecoder {
  private chunks: Buffer[] = [];
  private have = 0;
  /** Bytes needed before parsing can progress; avoids re-concatenating a large partial word. */
  private need = 1;
  private words: string[] = [];

  constructor(private readonly maxWordBytes = 16 * 1024 * 1024) {}

  push(chunk: Buffer): string[][] {
    this.chunks.push(chunk);
    this.have += chunk.length;
    if (this.have < this.need) return [];
    const buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.have);
    const out: string[][] = [];
    let off = 0;
    let need = 1;
    for (;;) {
      const head = decodeLength(buf, off);
      if (!head) break;
      const [size, len] = head;
      if (len > this.maxWordBytes) throw new WireError(`word of ${len} bytes exceeds the ${this.maxWordBytes}-byte limit`);
      if (buf.length - off - size < len) {
        need = size + len;
        break;
      }
      off += size;
      if (len === 0) {
        if (this.words.length > 0) out.push(this.words);
        this.words = [];
        continue;
      }
      this.words.push(buf.toString('latin1', off, off + len));
      off += len;
    }
    const rest = buf.subarray(off);
    this.chunks = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.have = rest.length;
    this.need = Math.max(need, rest.length + 1);
    return out;
  }
}
