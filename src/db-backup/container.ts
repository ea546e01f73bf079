/**
 * The backup file format, pure (no I/O). A file is:
 *
 *   "SIMPULDB"  8 bytes magic
 *   uint32 BE   length of the header JSON
 *   header      JSON { v: 1, alg: "aes-256-gcm", nonce (base64, 12 bytes), keyCheck, id, createdAt }
 *   ciphertext  AES-256-GCM of gzip(payload); magic + length + header are its additional data,
 *               so a changed header fails authentication like a changed byte of data
 *   tag         16 bytes GCM tag
 *
 * The payload is a sequence of parts, each `uint16 BE name length, name, uint64 BE size, bytes`:
 * `manifest.json` first, then `simpul.db`. The key never appears in the file.
 */
export const MAGIC = Buffer.from('SIMPULDB', 'ascii');
export const TAG_BYTES = 16;
export const NONCE_BYTES = 12;
/** A header larger than this is not one of ours (it is read before anything is authenticated). */
const MAX_HEADER = 4096;

export interface FileHeader {
  v: 1;
  alg: 'aes-256-gcm';
  nonce: string;
  /** HMAC of a fixed text under the key, 8 bytes hex: tells a wrong key from a changed file. */
  keyCheck: string;
  id: string;
  createdAt: string;
}

export class FormatError extends Error {
  constructor(
    /** Stable reason a restore test names: truncated, not-a-backup, corrupt-or-wrong-key, ... */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'FormatError';
  }
}

/** Magic, length and header: the file's first bytes and the cipher's additional data. */
export function encodeHeader(h: FileHeader): Buffer {
  const json = Buffer.from(JSON.stringify(h), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, len, json]);
}

/** Reads the header from the start of a file; `bytes` is how many bytes it took. */
export function decodeHeader(buf: Buffer): { header: FileHeader; bytes: number } {
  if (buf.length < MAGIC.length + 4) throw new FormatError('truncated', `the file is ${buf.length} bytes long, shorter than a backup header`);
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw new FormatError('not-a-backup', 'the file does not start with SIMPULDB: not a Simpul database backup');
  const len = buf.readUInt32BE(MAGIC.length);
  if (len > MAX_HEADER) throw new FormatError('corrupt', `header length ${len} is implausible`);
  const end = MAGIC.length + 4 + len;
  if (buf.length < end) throw new FormatError('truncated', 'the file ends inside its header');
  let h: FileHeader;
  try {
    h = JSON.parse(buf.subarray(MAGIC.length + 4, end).toString('utf8')) as FileHeader;
  } catch {
    throw new FormatError('corrupt', 'the header is not JSON');
  }
  if (
    h.v !== 1 ||
    h.alg !== 'aes-256-gcm' ||
    typeof h.nonce !== 'string' ||
    Buffer.from(h.nonce, 'base64').length !== NONCE_BYTES ||
    typeof h.id !== 'string' ||
    typeof h.keyCheck !== 'string'
  )
    throw new FormatError('corrupt', `unsupported header (version ${String(h.v)}, algorithm ${String(h.alg)})`);
  return { header: h, bytes: end };
}

/** The framing before a part's bytes. */
export function partHeader(name: string, size: number): Buffer {
  const n = Buffer.from(name, 'utf8');
  const b = Buffer.alloc(2 + n.length + 8);
  b.writeUInt16BE(n.length, 0);
  n.copy(b, 2);
  b.writeBigUInt64BE(BigInt(size), 2 + n.length);
  return b;
}

export interface PartSink {
  /** A part begins; returns where its bytes go. */
  begin(name: string, size: number): void;
  data(chunk: Buffer): void;
  end(): void;
}

/**
 * Splits a payload stream into parts as chunks arrive (any chunk boundaries), so a 1 GiB database
 * is never held in memory. `finish()` throws if the payload ended inside a part.
 */
export class PartParser {
  private pending = Buffer.alloc(0);
  private remaining = -1;
  private parts = 0;

  constructor(
    private readonly sink: PartSink,
    private readonly maxParts = 8,
  ) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length) {
      if (this.remaining > 0) {
        const take = buf.subarray(0, Math.min(buf.length, this.remaining));
        this.sink.data(take);
        this.remaining -= take.length;
        buf = buf.subarray(take.length);
        if (this.remaining === 0) this.close();
        continue;
      }
      if (buf.length < 2) break;
      const nameLen = buf.readUInt16BE(0);
      if (buf.length < 2 + nameLen + 8) break;
      if (++this.parts > this.maxParts) throw new FormatError('corrupt', `more than ${this.maxParts} parts`);
      const name = buf.subarray(2, 2 + nameLen).toString('utf8');
      const size = buf.readBigUInt64BE(2 + nameLen);
      if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('corrupt', `part '${name}' claims an impossible size`);
      this.sink.begin(name, Number(size));
      this.remaining = Number(size);
      buf = buf.subarray(2 + nameLen + 8);
      if (this.remaining === 0) this.close();
    }
    this.pending = Buffer.from(buf);
  }

  finish(): void {
    if (this.remaining > 0 || this.pending.length) throw new FormatError('truncated', 'the payload ends inside a part');
  }

  private close(): void {
    this.remaining = -1;
    this.sink.end();
  }
}
