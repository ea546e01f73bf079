import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema, type Config } from '../config/schema.js';
import { fail } from './serve.js';

/** Where `simpul lab` (npm start) keeps its data unless SIMPUL_DATA_DIR says otherwise. */
export const LAB_DATA_DIR = './data/lab';
/** The database file in a data directory (the store's default name). */
const DB_FILE = 'simpul.db';

/**
 * The data directory a store command works on, whose database must already exist: the daemon
 * creates it, the CLI never does, so a command run in the wrong place (next to `npm start`, whose
 * data is in ./data/lab, with the default ./data) cannot leave an empty database behind and answer
 * from it. With the default directory and no database there but a lab one, the lab's is used, and
 * the command says so on stderr.
 */
export function existingDataDir(cfg: Pick<Config, 'dataDir'>, env: NodeJS.ProcessEnv = process.env): string {
  const has = (dir: string) => existsSync(join(dir, DB_FILE));
  const chosen = !!env.SIMPUL_DATA_DIR || cfg.dataDir !== ConfigSchema.properties.dataDir.default;
  const lab = !chosen && has(LAB_DATA_DIR);
  if (has(cfg.dataDir)) {
    if (lab)
      process.stderr.write(
        `simpul: using ${join(cfg.dataDir, DB_FILE)}; lab mode (npm start) keeps its own in ${LAB_DATA_DIR}: set SIMPUL_DATA_DIR=${LAB_DATA_DIR} to work on that one\n`,
      );
    return cfg.dataDir;
  }
  if (lab) {
    process.stderr.write(`simpul: no ${join(cfg.dataDir, DB_FILE)}; using lab mode's database in ${LAB_DATA_DIR} (set SIMPUL_DATA_DIR to choose)\n`);
    return LAB_DATA_DIR;
  }
  return fail(
    `no database at ${join(cfg.dataDir, DB_FILE)}${env.SIMPUL_DATA_DIR ? ' (from SIMPUL_DATA_DIR)' : ''}; the CLI works on the daemon's database and never creates one. ` +
      `Set SIMPUL_DATA_DIR (or dataDir: in the config) to the daemon's data directory: SIMPUL_DATA_DIR=${LAB_DATA_DIR} for lab mode (npm start); ` +
      'or start the daemon once (simpul serve) to create it',
  );
}
