// Lab routers keep their SSH host keys with the lab's data: the daemon pins each router's key in
// the same data directory, so a key drawn afresh at every start would look like a replaced router
// (host_key_changed, 409 on backups) after each restart. Only a real change should alarm.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { generateHostKey } from './ssh.js';

/** Where lab routers' host keys live, under the daemon's data directory. */
export const labHostKeyDir = (dataDir: string): string => join(dataDir, 'lab-host-keys');

/**
 * The router's host key from `<dir>/<deviceId>.key` (mode 0600), made on first use. A file that is
 * not a private key ssh2 can read is replaced, with a warning: the router's key then changes once.
 */
export function labHostKey(dir: string, deviceId: string, warn: (message: string) => void): string {
  const file = join(dir, `${deviceId}.key`);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const key = ssh2.utils.parseKey(text);
    if (!(key instanceof Error) && key.isPrivateKey()) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return text;
    }
    warn(`lab router ${deviceId}: host key file ${file} is not a private key ssh2 can read; replaced with a new key, so this router's host key changes once`);
  }
  const key = generateHostKey();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // written aside and renamed, so a crash never leaves a half-written key behind
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, key, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  return key;
}
