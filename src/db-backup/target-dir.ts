// A directory target: a share of the DRC mounted on this machine (NFS, SMB, a replicated disk).
import { copyFile, readdir, rename, rm, stat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { PARTIAL, TargetError, fsErrorKind, isBackupFile, type Target } from './target.js';

const wrap =
  (what: string) =>
  (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TargetError(fsErrorKind(code), `${what}: ${code ?? (e as Error).message}`);
  };

export function dirTarget(path: string): Target {
  return {
    label: `dir:${path}`,
    async put(localFile, name) {
      // a missing mount point is an unreachable DRC, not a directory to create on the local disk
      await stat(path).catch((e: unknown) => {
        throw new TargetError(
          'unreachable',
          `target directory ${path} is not there (${(e as NodeJS.ErrnoException).code ?? 'error'}): is the DRC share mounted?`,
        );
      });
      const tmp = join(path, name + PARTIAL);
      try {
        await copyFile(localFile, tmp);
        // the bytes are on the share's disk before the name says the backup is whole
        const fh = await open(tmp, 'r');
        await fh.sync().finally(() => fh.close());
        await rename(tmp, join(path, name));
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => {});
        wrap(`writing ${name} to ${path}`)(e);
      }
    },
    async get(name, localFile) {
      await copyFile(join(path, name), localFile).catch(wrap(`reading ${name} from ${path}`));
    },
    async list() {
      const names = await readdir(path).catch(wrap(`listing ${path}`));
      return names.filter(isBackupFile).sort();
    },
    async remove(name) {
      await rm(join(path, name)).catch(wrap(`removing ${name} from ${path}`));
    },
  };
}
