// Router config backups: fetch `/export` over SSH, mask secrets, keep each distinct version,
// pin host keys on first use and refuse a changed one until a noc-admin re-pins it.
import { createHash } from 'node:crypto';
import { canSeeOpd, requirePermission, systemActor, type Actor } from '../auth/actor.js';
import { AppError, badRequest, notFound } from '../common/errors.js';
import { Semaphore } from '../routeros/limiter.js';
import type { Store } from '../store/store.js';
import { changedLines, unifiedDiff } from './diff.js';
import { canonicalExport, comparableExport } from './export-text.js';
import { fetchCommand, FetchError, type FetchErrorKind, type SshTarget } from './fetch.js';
import { maskSecrets } from './mask.js';
import * as repo from './repository.js';

export interface BackupRouter {
  id: string;
  opd: string;
}

/** How to reach one router, or why it is not backed up. */
export type BackupTarget = { ssh: SshTarget; command: string } | { skip: string };

export interface BackupSettings {
  timeoutMs: number;
  maxBytes: number;
  concurrency: number;
}

export type BackupResult = 'changed' | 'unchanged' | 'skipped' | 'host_key_changed' | 'auth' | 'unreachable' | 'timeout' | 'too_large' | 'command';

export interface BackupOutcome {
  router: string;
  result: BackupResult;
  /** The version the router's config is at now (new or unchanged); null on failure. */
  version: number | null;
  error: string | null;
}

export interface BackupLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BackupDeps {
  store: Store;
  /** Keys the digests that stand in for masked secrets. */
  maskKey: Buffer;
  /** The routers of the current inventory. */
  routers(): Map<string, BackupRouter>;
  target(id: string): BackupTarget;
  settings: BackupSettings;
  log: BackupLog;
  /** Called after every attempt (metrics). */
  onOutcome?(o: BackupOutcome): void;
}

const RESULT_OF: Record<FetchErrorKind, BackupResult> = {
  'host-key-changed': 'host_key_changed',
  auth: 'auth',
  unreachable: 'unreachable',
  timeout: 'timeout',
  'too-large': 'too_large',
  command: 'command',
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class BackupService {
  private readonly limiter: Semaphore;
  private readonly running = new Map<string, Promise<BackupOutcome>>();

  constructor(private readonly deps: BackupDeps) {
    this.limiter = new Semaphore(deps.settings.concurrency);
  }

  /** The router if the actor may see it, else 404 (another OPD's router does not exist for it). */
  router(actor: Actor, id: string): BackupRouter {
    requirePermission(actor, 'read');
    const r = this.deps.routers().get(id);
    if (!r || !canSeeOpd(actor, r.opd)) throw notFound('router', id);
    return r;
  }

  status(actor: Actor, id: string) {
    const r = this.router(actor, id);
    const db = this.deps.store.db;
    const key = repo.getHostKey(db, r.id);
    return {
      router: r.id,
      hostKey: {
        fingerprint: key?.fingerprint ?? null,
        pinnedAt: key?.pinnedAt ?? null,
        pinnedBy: key?.pinnedBy ?? null,
        refusedFingerprint: key?.offeredFingerprint ?? null,
        refusedAt: key?.offeredAt ?? null,
      },
      lastCheck: repo.getCheck(db, r.id) ?? null,
    };
  }

  versions(actor: Actor, id: string) {
    const r = this.router(actor, id);
    return { ...this.status(actor, r.id), versions: repo.listVersions(this.deps.store.db, r.id).map(publicVersion) };
  }

  version(actor: Actor, id: string, v: number) {
    const r = this.router(actor, id);
    const row = repo.getVersion(this.deps.store.db, r.id, v);
    if (!row) throw notFound('backup version', `${r.id}/${v}`);
    return { ...publicVersion(row), content: row.content };
  }

  diff(actor: Actor, id: string, a: number, b: number): string {
    const r = this.router(actor, id);
    const db = this.deps.store.db;
    const va = repo.getVersion(db, r.id, a);
    if (!va) throw notFound('backup version', `${r.id}/${a}`);
    const vb = repo.getVersion(db, r.id, b);
    if (!vb) throw notFound('backup version', `${r.id}/${b}`);
    const text = unifiedDiff(
      { label: `${r.id}/v${a}`, header: va.takenAt, text: comparableExport(va.content) },
      { label: `${r.id}/v${b}`, header: vb.takenAt, text: comparableExport(vb.content) },
    );
    if (text === null) throw new AppError(422, 'DIFF_TOO_LARGE', `the versions differ too much to diff in time; read versions ${a} and ${b} whole instead`);
    return text;
  }

  /** On demand (needs 'operate'): backs the router up now, or joins the backup already running. */
  requestBackup(actor: Actor, id: string): Promise<BackupOutcome> {
    requirePermission(actor, 'operate');
    const r = this.router(actor, id);
    return this.backup(r.id, actor);
  }

  /**
   * Re-pins a router's host key (noc-admin): to `fingerprint` when given (checked on the router's
   * console), else trusts the next key the router presents.
   */
  resetHostKey(actor: Actor, id: string, fingerprint: string | undefined) {
    requirePermission(actor, 'admin');
    const r = this.router(actor, id);
    if (fingerprint !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint))
      throw badRequest('BAD_FINGERPRINT', "fingerprint must look like 'SHA256:' and 43 base64 characters, as `ssh-keygen -lf` prints it", 'fingerprint');
    this.deps.store.write(actor, (tx) => {
      const before = repo.getHostKey(tx.db, r.id);
      repo.pinHostKey(tx, r.id, fingerprint ?? null);
      tx.audit({
        action: 'backup.host_key.reset',
        objectType: 'router',
        objectId: r.id,
        opd: r.opd,
        before: before ?? null,
        after: { fingerprint: fingerprint ?? null },
      });
    });
    this.deps.log.warn({ router: r.id, fingerprint: fingerprint ?? null, by: actor.id }, 'router SSH host key re-pinned');
    return this.status(actor, r.id);
  }

  /** Every router of the inventory, at most `concurrency` at once; one failure never stops the others. */
  async backupAll(actor: Actor = systemActor('backup')): Promise<BackupOutcome[]> {
    return Promise.all([...this.deps.routers().keys()].map((id) => this.backup(id, actor)));
  }

  backup(id: string, actor: Actor = systemActor('backup')): Promise<BackupOutcome> {
    const running = this.running.get(id);
    if (running) return running;
    const p = this.limiter
      .run(() => this.run(id, actor))
      .catch((e: unknown): BackupOutcome => {
        this.deps.log.error({ err: e, router: id }, 'backup failed unexpectedly');
        return { router: id, result: 'command', version: null, error: (e as Error).message };
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, p);
    return p.then((o) => {
      this.deps.onOutcome?.(o);
      return o;
    });
  }

  private async run(id: string, actor: Actor): Promise<BackupOutcome> {
    const { store, log } = this.deps;
    const router = this.deps.routers().get(id);
    if (!router) return { router: id, result: 'skipped', version: null, error: 'not a router of the inventory' };
    let target: BackupTarget;
    try {
      target = this.deps.target(id);
    } catch (e) {
      target = { skip: e instanceof AppError ? e.detail : (e as Error).message };
    }
    if ('skip' in target) {
      store.write(actor, (tx) => repo.recordCheck(tx, id, 'skipped', target.skip));
      return { router: id, result: 'skipped', version: null, error: target.skip };
    }
    const pinned = repo.getHostKey(store.db, id)?.fingerprint ?? null;
    let output: string;
    let fingerprint: string;
    try {
      ({ output, fingerprint } = await fetchCommand(target.ssh, target.command, { pinned, ...this.deps.settings }));
      if (output.trim() === '') throw new FetchError('command', `'${target.command}' printed nothing`, fingerprint);
    } catch (e) {
      if (!(e instanceof FetchError)) throw e;
      return this.failed(router, actor, e);
    }
    const masked = maskSecrets(canonicalExport(output), this.deps.maskKey).text;
    const comparable = comparableExport(masked);
    const hash = sha256(comparable);
    // the line diff can take a while on a big export: done before the write lock is taken
    const previous = repo.latestVersion(store.db, id);
    const diffed =
      previous && previous.hash !== hash ? { version: previous.version, lines: changedLines(comparableExport(previous.content), comparable) } : null;
    return store.write(actor, (tx) => {
      if (pinned === null) {
        repo.pinHostKey(tx, id, fingerprint);
        tx.audit({ action: 'backup.host_key.pinned', objectType: 'router', objectId: id, opd: router.opd, after: { fingerprint } });
      }
      repo.recordCheck(tx, id, 'ok', null);
      const latest = repo.latestVersion(tx.db, id);
      if (latest?.hash === hash) {
        repo.touchVersion(tx, id, latest.version, tx.now);
        return { router: id, result: 'unchanged', version: latest.version, error: null };
      }
      // another process may have stored a version meanwhile: count against the one that is latest now
      const lines = !latest ? null : diffed?.version === latest.version ? diffed.lines : changedLines(comparableExport(latest.content), comparable);
      const version = (latest?.version ?? 0) + 1;
      const size = Buffer.byteLength(masked);
      repo.insertVersion(tx, id, {
        version,
        takenAt: tx.now,
        hash,
        size,
        linesAdded: lines?.added ?? null,
        linesRemoved: lines?.removed ?? null,
        content: masked,
      });
      tx.audit({
        action: 'backup.stored',
        objectType: 'router',
        objectId: id,
        opd: router.opd,
        after: { version, hash, size, linesAdded: lines?.added ?? null, linesRemoved: lines?.removed ?? null },
      });
      log.info({ router: id, version, size }, 'router config backup stored');
      return { router: id, result: 'changed', version, error: null };
    });
  }

  private failed(router: BackupRouter, actor: Actor, e: FetchError): BackupOutcome {
    const { store, log } = this.deps;
    const result = RESULT_OF[e.kind];
    store.write(actor, (tx) => {
      repo.recordCheck(tx, router.id, result, e.message);
      if (e.kind !== 'host-key-changed' || !e.fingerprint) return;
      const key = repo.getHostKey(tx.db, router.id);
      // one audit entry per new refused key, not one per retry
      if (key?.offeredFingerprint === e.fingerprint) return;
      repo.recordOfferedKey(tx, router.id, e.fingerprint);
      tx.audit({
        action: 'backup.host_key.refused',
        objectType: 'router',
        objectId: router.id,
        opd: router.opd,
        before: { fingerprint: key?.fingerprint ?? null },
        after: { fingerprint: e.fingerprint },
      });
    });
    if (e.kind === 'host-key-changed')
      log.error(
        { router: router.id, presented: e.fingerprint },
        'ROUTER SSH HOST KEY CHANGED: backup refused until a noc-admin re-pins it (POST /api/v1/routers/{id}/host-key/reset)',
      );
    else log.warn({ router: router.id, result, err: e.message }, 'router config backup failed');
    return { router: router.id, result, version: null, error: e.message };
  }
}

function publicVersion(v: repo.VersionRow) {
  return {
    version: v.version,
    takenAt: v.takenAt,
    lastSeenAt: v.lastSeenAt,
    size: v.size,
    hash: v.hash,
    linesAdded: v.linesAdded,
    linesRemoved: v.linesRemoved,
    changedLines: v.linesAdded === null || v.linesRemoved === null ? null : v.linesAdded + v.linesRemoved,
  };
}
