import { userInfo } from 'node:os';
import { loadInventory } from '../inventory/load.js';
import { openStore } from '../daemon.js';
import { formatProblems, InventoryInvalid } from '../inventory/reload.js';
import type { InventoryProblem } from '../inventory/model.js';
import { apiRequest } from './api-client.js';
import { TokenService } from '../auth/tokens.js';
import { AuditService } from '../audit/service.js';
import { AppError } from '../common/errors.js';
import type { Actor } from '../auth/actor.js';
import { configOrExit, fail } from './serve.js';
import { existingDataDir } from './data-dir.js';

/** Someone with a shell on the host and the data directory is the NOC admin. */
const cliActor = (): Actor => ({ id: `cli:${userInfo().username}`, role: 'noc-admin', opd: null });

function withStore<T>(opts: { config?: string }, fn: (s: ReturnType<typeof openStore>, cfg: ReturnType<typeof configOrExit>) => T): T {
  const cfg = configOrExit(opts);
  cfg.dataDir = existingDataDir(cfg);
  const store = openStore(cfg);
  try {
    return fn(store, cfg);
  } catch (e) {
    if (e instanceof AppError) fail(`${e.code}: ${e.detail}`);
    if (e instanceof InventoryInvalid) fail(`inventory is invalid:\n${formatProblems(e.problems)}`);
    throw e;
  } finally {
    store.db.close();
  }
}

export function inventoryCheck(dir: string | undefined, opts: { config?: string }): void {
  const target = dir ?? configOrExit(opts).inventory;
  const { inventory, problems, files } = loadInventory(target);
  if (!inventory) {
    process.stderr.write(`${formatProblems(problems)}\n${problems.length} problem(s) in ${target}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `${target}: ${files} files, ${inventory.opds.length} OPDs, ${inventory.sites.length} sites, ${inventory.devices.length} devices, ${inventory.links.length} links: OK\n`,
  );
}

/** `simpul inventory sync`: the running daemon loads its inventory now (as on SIGHUP), so every module hears it. */
export async function inventorySync(): Promise<void> {
  const r = await apiRequest('/api/v1/inventory/reload', { method: 'POST' });
  const body = r.body as { code?: string; detail?: string; problems?: InventoryProblem[] };
  if (r.status === 422 && body.problems) fail(`inventory is invalid; the daemon keeps the previous one:\n${formatProblems(body.problems)}`);
  if (r.status !== 200) fail(body?.detail ? `${body.code}: ${body.detail}` : `the daemon answered ${r.status}`);
  process.stdout.write(JSON.stringify(body, null, 2) + '\n');
}

export function tokenCreate(opts: { config?: string; role: string; opd?: string; name?: string; expiresIn?: string }): void {
  withStore(opts, (store, cfg) => {
    const tokens = new TokenService(store, { defaultTtlDays: cfg.auth.defaultTokenTtlDays });
    const days = opts.expiresIn === undefined ? undefined : Number(opts.expiresIn);
    if (days !== undefined && !(Number.isInteger(days) && days >= 0)) fail('--expires-in must be a whole number of days (0 = never)');
    const t = tokens.create(cliActor(), {
      name: opts.name ?? `${opts.role}${opts.opd ? ' ' + opts.opd : ''}`,
      role: opts.role,
      opd: opts.opd,
      expiresInDays: days,
    });
    process.stdout.write(`${t.token}\n`);
    process.stderr.write(`token ${t.id} (${t.role}${t.opd ? ' of ' + t.opd : ''}) expires ${t.expiresAt ?? 'never'}; it is shown only this once\n`);
  });
}

export function tokenList(opts: { config?: string }): void {
  withStore(opts, (store, cfg) => {
    const tokens = new TokenService(store, { defaultTtlDays: cfg.auth.defaultTokenTtlDays });
    for (const t of tokens.list(cliActor()))
      process.stdout.write(
        `${t.id}  ${t.role.padEnd(12)} ${(t.opd ?? '-').padEnd(12)} ${t.revokedAt ? 'revoked' : t.expiresAt ? 'expires ' + t.expiresAt : 'no expiry'}  ${t.name}\n`,
      );
  });
}

export function tokenRevoke(id: string, opts: { config?: string }): void {
  withStore(opts, (store, cfg) => {
    const t = new TokenService(store, { defaultTtlDays: cfg.auth.defaultTokenTtlDays }).revoke(cliActor(), id);
    process.stdout.write(`revoked ${t.id} at ${t.revokedAt}\n`);
  });
}

export function auditVerify(opts: { config?: string }): void {
  withStore(opts, (store) => {
    const r = new AuditService(store).verify();
    if (r.ok) process.stdout.write(`audit log intact: ${r.entries} entries, head ${r.head}\n`);
    else {
      process.stderr.write(`audit log BROKEN at entry ${r.firstBroken!.seq}: ${r.firstBroken!.reason} (${r.entries} entries before it verify)\n`);
      process.exitCode = 1;
    }
  });
}
