// The backup encryption key: 32 bytes in a file of its own (raw, or 64 hex characters), readable
// by its owner only. It never travels with a backup: the DRC keeps a copy apart (README runbook).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

export function loadBackupKey(path: string): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new KeyFileError(`backup key file '${path}' cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if ((st.mode & 0o077) !== 0) throw new KeyFileError(`backup key file '${path}' is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  const raw = readFileSync(path);
  if (raw.length === 32) return raw;
  const hex = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  throw new KeyFileError(`backup key file '${path}' must hold 32 bytes (raw, or 64 hex characters); it holds ${raw.length} bytes`);
}

/** Creates the key (mode 0600) when it does not exist yet; returns whether it did. */
export function ensureBackupKey(path: string): boolean {
  if (existsSync(path)) return false;
  writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return true;
}
