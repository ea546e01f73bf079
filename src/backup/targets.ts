// Which command and credentials back up one inventory router.
import type { Device } from '../inventory/model.js';
import type { Endpoint } from '../module.js';
import type { BackupTarget } from './service.js';

/**
 * RouterOS 7 hides secrets in `/export` unless asked (`show-sensitive`); RouterOS 6 shows them
 * unless asked not to (`hide-sensitive`). Either way Simpul masks them before storing.
 */
export function exportCommand(version: string | undefined, showSensitive: boolean, terse: boolean): string {
  const major = Number.parseInt(version ?? '7', 10);
  const words = ['/export'];
  if (major >= 7 && showSensitive) words.push('show-sensitive');
  if (major < 7 && !showSensitive) words.push('hide-sensitive');
  if (terse) words.push('terse');
  return words.join(' ');
}

export interface TargetOptions {
  endpoint: Endpoint | null;
  /** The router's credential: username, and password or privateKey (OpenSSH format, with passphrase if encrypted). */
  credentials: Record<string, string>;
  showSensitive: boolean;
  terse: boolean;
}

export function backupTarget(d: Device, o: TargetOptions): BackupTarget {
  if (!d.routeros) return { skip: 'no routeros: section in the inventory' };
  if (!o.endpoint) return { skip: 'no SSH endpoint for this router' };
  const { username, password, privateKey, passphrase } = o.credentials;
  if (!username) return { skip: `credential '${d.routeros.credentials}' has no username` };
  if (!privateKey && !password) return { skip: `credential '${d.routeros.credentials}' has neither password nor privateKey` };
  return {
    ssh: {
      host: o.endpoint.host,
      port: o.endpoint.port,
      username,
      ...(privateKey ? { privateKey } : { password }),
      ...(privateKey && passphrase ? { passphrase } : {}),
    },
    command: exportCommand(d.routeros.version, o.showSensitive, o.terse),
  };
}
