// Where backups go: the DRC, as a mounted directory or over SFTP. Every write lands under a
// temporary name first and is renamed when complete, so a listing never shows half a backup.

export type TargetErrorKind = 'unreachable' | 'full' | 'host-key-changed' | 'auth' | 'timeout' | 'missing' | 'io';

export class TargetError extends Error {
  constructor(
    readonly kind: TargetErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

export interface Target {
  /** For people and logs: `dir:/mnt/drc` or `sftp://user@host:22/path`. */
  readonly label: string;
  /** Copies `localFile` to `name` (via a temporary name, renamed when complete). */
  put(localFile: string, name: string): Promise<void>;
  /** Copies `name` from the target to `localFile`. */
  get(name: string, localFile: string): Promise<void>;
  /** Backup files there (temporary names excluded). */
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
}

/** Temporary names carry this suffix; `list` never returns them. */
export const PARTIAL = '.partial';
/** Backup file names: `simpul-<id>.sdbk`. */
export const backupFileName = (id: string) => `simpul-${id}.sdbk`;
export const isBackupFile = (name: string) => /^simpul-[0-9A-Za-z-]+\.sdbk$/.test(name);

/** Maps a filesystem error code to what the operator has to fix. */
export function fsErrorKind(code: string | undefined): TargetErrorKind {
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return 'full';
  if (code === 'ENOENT') return 'missing';
  if (code === 'ENOTCONN' || code === 'EHOSTDOWN' || code === 'ESTALE' || code === 'EIO') return 'unreachable';
  return 'io';
}
