import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** Loads the audit HMAC key, creating it (mode 0600) on first start. */
export function loadAuditKey(path: string): Buffer {
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`audit key file '${path}' is not 64 hex characters; restore it from backup`);
  return Buffer.from(hex, 'hex');
}
