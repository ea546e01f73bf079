/**
 * Streams a snapshot into an encrypted backup file and back: gzip then AES-256-GCM on the way in;
 * on the way out the whole file is authenticated first and only then decompressed, so nothing a
 * stranger could have changed is ever parsed. Neither direction holds the database in memory.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, open, stat, writeFile } from 'node:fs/promises';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { decodeHeader, encodeHeader, FormatError, NONCE_BYTES, PartParser, partHeader, TAG_BYTES, type FileHeader } from './container.js';

export const MANIFEST_PART = 'manifest.json';
export const DB_PART = 'simpul.db';

export const keyCheck = (key: Buffer): string => createHmac('sha256', key).update('simpul db-backup key check').digest().subarray(0, 8).toString('hex');

export async function sha256File(path: string): Promise<{ size: number; sha256: string }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of createReadStream(path)) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { size, sha256: h.digest('hex') };
}

/** Writes `out`: header, gzip(manifest part + database part) encrypted, tag. */
export async function packBackup(o: {
  key: Buffer;
  id: string;
  createdAt: string;
  manifest: Buffer;
  dbFile: string;
  dbSize: number;
  out: string;
}): Promise<{ size: number }> {
  const nonce = randomBytes(NONCE_BYTES);
  const header: FileHeader = { v: 1, alg: 'aes-256-gcm', nonce: nonce.toString('base64'), keyCheck: keyCheck(o.key), id: o.id, createdAt: o.createdAt };
  const head = encodeHeader(header);
  const cipher = createCipheriv('aes-256-gcm', o.key, nonce);
  cipher.setAAD(head);
  async function* payload() {
    yield partHeader(MANIFEST_PART, o.manifest.length);
    yield o.manifest;
    yield partHeader(DB_PART, o.dbSize);
    let n = 0;
    for await (const c of createReadStream(o.dbFile, { highWaterMark: 1 << 20 })) {
      n += (c as Buffer).length;
      yield c as Buffer;
    }
    // the snapshot is a private file: a size change here is a bug, not a race to tolerate
    if (n !== o.dbSize) throw new Error(`snapshot changed while packing (${n} bytes read, ${o.dbSize} expected)`);
  }
  await writeFile(o.out, head, { flag: 'wx', mode: 0o600 });
  await pipeline(Readable.from(payload()), createGzip({ level: 6 }), cipher, createWriteStream(o.out, { flags: 'a' }));
  await appendFile(o.out, cipher.getAuthTag());
  return { size: (await stat(o.out)).size };
}

export interface Unpacked {
  header: FileHeader;
  manifestText: string;
  /** Size and sha256 of each part as read from the file. */
  parts: Record<string, { size: number; sha256: string }>;
}

/**
 * Authenticates `file` with `key`, then writes its database part to `dbOut`. Throws FormatError
 * naming why: wrong-key, truncated (shorter than `expectedSize`), tampered, corrupt, not-a-backup.
 */
export async function unpackBackup(file: string, key: Buffer, dbOut: string, expectedSize?: number): Promise<Unpacked> {
  const size = (await stat(file)).size;
  const fh = await open(file, 'r');
  let headBuf: Buffer;
  try {
    headBuf = Buffer.alloc(Math.min(size, 4096 + 12));
    await fh.read(headBuf, 0, headBuf.length, 0);
  } finally {
    await fh.close();
  }
  const { header, bytes } = decodeHeader(headBuf);
  if (header.keyCheck !== keyCheck(key))
    throw new FormatError('wrong-key', 'the backup was encrypted with another key than the configured one (backup.database.keyFile)');
  if (expectedSize !== undefined && size < expectedSize) throw new FormatError('truncated', `the file is ${size} bytes, ${expectedSize} were written`);
  if (size < bytes + TAG_BYTES) throw new FormatError('truncated', 'the file ends before its authentication tag');
  const tag = Buffer.alloc(TAG_BYTES);
  const th = await open(file, 'r');
  try {
    await th.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await th.close();
  }
  const body = () => createReadStream(file, { start: bytes, end: size - TAG_BYTES - 1, highWaterMark: 1 << 20 });
  const decipher = () => {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'base64'));
    d.setAAD(headBuf.subarray(0, bytes));
    d.setAuthTag(tag);
    return d;
  };

  // Pass 1: authenticate only (plaintext discarded).
  try {
    await pipeline(body(), decipher(), new Writable({ write: (_c, _e, cb) => cb() }));
  } catch {
    throw new FormatError(
      expectedSize !== undefined && size !== expectedSize ? 'truncated' : 'tampered',
      expectedSize !== undefined && size !== expectedSize
        ? `the file is ${size} bytes, ${expectedSize} were written, and it fails authentication`
        : 'the file fails authentication (AES-GCM tag): it was changed or cut short after it was written',
    );
  }

  // Pass 2: decrypt, decompress, split into parts; the database part goes to dbOut.
  const parts: Unpacked['parts'] = {};
  let manifest = '';
  let current: { name: string; size: number; hash: ReturnType<typeof createHash>; chunks?: Buffer[] } | null = null;
  const db = createWriteStream(dbOut, { flags: 'wx', mode: 0o600 });
  const pending: Promise<void>[] = [];
  const parser = new PartParser({
    begin(name, sz) {
      if (parts[name] || current?.name === name) throw new FormatError('corrupt', `part '${name}' appears twice`);
      current = { name, size: sz, hash: createHash('sha256'), chunks: name === MANIFEST_PART ? [] : undefined };
      if (name === MANIFEST_PART && sz > 16 << 20) throw new FormatError('corrupt', 'the manifest is implausibly large');
    },
    data(chunk) {
      current!.hash.update(chunk);
      if (current!.chunks) current!.chunks.push(Buffer.from(chunk));
      else if (current!.name === DB_PART && !db.write(chunk)) pending.push(new Promise((r) => db.once('drain', r)));
    },
    end() {
      const c = current!;
      parts[c.name] = { size: c.size, sha256: c.hash.digest('hex') };
      if (c.chunks) manifest = Buffer.concat(c.chunks).toString('utf8');
      current = null;
    },
  });
  try {
    await pipeline(
      body(),
      decipher(),
      createGunzip(),
      new Transform({
        transform(chunk: Buffer, _e, cb) {
          try {
            parser.push(chunk);
          } catch (e) {
            return cb(e as Error);
          }
          // back-pressure from the database file
          void Promise.all(pending.splice(0)).then(() => cb(), cb);
        },
        flush(cb) {
          try {
            parser.finish();
            cb();
          } catch (e) {
            cb(e as Error);
          }
        },
      }),
      new Writable({ write: (_c, _e, cb) => cb() }),
    );
  } catch (e) {
    db.destroy();
    if (e instanceof FormatError) throw e;
    throw new FormatError('corrupt', `the authenticated payload does not unpack: ${(e as Error).message}`);
  }
  await new Promise<void>((resolve, reject) => db.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (!manifest) throw new FormatError('corrupt', 'the file holds no manifest');
  return { header, manifestText: manifest, parts };
}
