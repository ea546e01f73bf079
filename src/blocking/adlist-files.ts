// The hosts files routers fetch (RouterOS 7.15+ `/ip/dns/adlist`): one file per list version,
// written once into the data directory and streamed to every router that asks (OPDs with the same
// list share it). The version is a hash of the names, so its ETag names exactly the body; a router
// downloading while the list changes keeps reading its own file (files no OPD uses any more are
// unlinked, never rewritten).
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EffectiveBlocklist, EffectiveDomain } from './effective.js';

export interface AdlistVersion {
  opd: string;
  /** Hash of the names: the file's ETag and the suffix of its name. */
  version: string;
  /** Names in the file. */
  names: number;
  path: string;
}

/** The names a hosts file carries: exact names only (a wildcard stays a static entry with match-subdomain). */
export const hostsNames = (domains: readonly EffectiveDomain[]): string[] => domains.filter((d) => !d.subdomains).map((d) => d.name);

/** The list version of these names: the first 20 hex of a SHA-256 over them in order. */
export function listVersion(names: readonly string[]): string {
  const h = createHash('sha256');
  const CHUNK = 10_000;
  for (let i = 0; i < names.length; i += CHUNK) h.update(names.slice(i, i + CHUNK).join('\n') + '\n');
  return h.digest('hex').slice(0, 20);
}

export class AdlistFiles {
  /** Per domains array (the service hands out the same array while a list is unchanged): its version. */
  private readonly known = new WeakMap<readonly EffectiveDomain[], { version: string; count: number }>();
  private readonly current = new Map<string, AdlistVersion>();

  constructor(
    private readonly dir: string,
    private readonly source: (opd: string) => EffectiveBlocklist,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // files of an earlier run are rebuilt on demand: a crash may have left a partial temp file
    for (const f of readdirSync(dir)) unlinkSync(join(dir, f));
  }

  /** The OPD's list now: built once per version, the previous version's file unlinked. */
  version(opd: string): AdlistVersion {
    const domains = this.source(opd).domains;
    let k = this.known.get(domains);
    if (!k) {
      const names = hostsNames(domains);
      k = { version: listVersion(names), count: names.length };
      this.known.set(domains, k);
    }
    const have = this.current.get(opd);
    if (have?.version === k.version) return have;
    const path = this.build(k.version, () => hostsNames(domains));
    const now = { opd, version: k.version, names: k.count, path };
    this.current.set(opd, now);
    if (have && ![...this.current.values()].some((v) => v.path === have.path)) unlinkSync(have.path);
    return now;
  }

  /** The file of this version, written unless another OPD's list already has it. */
  private build(version: string, list: () => readonly string[]): string {
    const path = join(this.dir, `${version}.hosts`);
    if (existsSync(path)) return path;
    const names = list();
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `# Simpul block list, version ${version}: ${names.length} names\n`);
      const CHUNK = 10_000;
      for (let i = 0; i < names.length; i += CHUNK)
        writeSync(
          fd,
          names
            .slice(i, i + CHUNK)
            .map((n) => `0.0.0.0 ${n}\n`)
            .join(''),
        );
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return path;
  }
}
