import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { openStore } from '../daemon.js';
import { AppError } from '../common/errors.js';
import type { Actor } from '../auth/actor.js';
import { SessionService } from '../auth/sessions.js';
import { UserService } from '../auth/users.js';
import { configOrExit, fail } from './serve.js';
import { existingDataDir } from './data-dir.js';

/** Someone with a shell on the host and the data directory is the NOC admin (as for `simpul token`). */
const cliActor = (): Actor => ({ id: `cli:${userInfo().username}`, role: 'noc-admin', opd: null });

async function withUsers<T>(opts: { config?: string }, fn: (users: UserService) => T | Promise<T>): Promise<T> {
  const cfg = configOrExit(opts);
  cfg.dataDir = existingDataDir(cfg);
  const store = openStore(cfg);
  try {
    return await fn(new UserService(store, new SessionService(store, cfg.auth.session), cfg.auth.login));
  } catch (e) {
    if (e instanceof AppError) fail(`${e.code}: ${e.detail}`);
    throw e;
  } finally {
    store.db.close();
  }
}

/** A password from stdin (first line), never from argv where `ps` and shell history would show it. */
function passwordFromStdin(): string {
  const line = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (!line) fail('--password-stdin: no password on standard input');
  return line;
}

export async function userCreate(
  username: string,
  opts: { config?: string; role: string; opd?: string; name?: string; email?: string; lang?: string; passwordStdin?: boolean },
): Promise<void> {
  await withUsers(opts, async (users) => {
    const r = await users.create(cliActor(), {
      username,
      displayName: opts.name ?? username,
      email: opts.email ?? null,
      role: opts.role,
      opd: opts.opd ?? null,
      language: opts.lang ?? 'id',
      password: opts.passwordStdin ? passwordFromStdin() : undefined,
    });
    process.stdout.write(r.password ? `${r.password}\n` : '');
    process.stderr.write(
      `account ${r.user.username} (${r.user.role}${r.user.opd ? ' of ' + r.user.opd : ''}) created${r.password ? '; the password above is shown only this once' : ''}\n`,
    );
  });
}

export async function userList(opts: { config?: string }): Promise<void> {
  await withUsers(opts, (users) => {
    for (const u of users.list(cliActor())) {
      const state = u.disabledAt ? 'disabled' : u.lockedUntil && u.lockedUntil > new Date().toISOString() ? `locked until ${u.lockedUntil}` : 'active';
      process.stdout.write(`${u.username.padEnd(20)} ${u.role.padEnd(12)} ${(u.opd ?? '-').padEnd(12)} ${state.padEnd(10)} ${u.displayName}\n`);
    }
  });
}

export async function userDisable(username: string, opts: { config?: string }): Promise<void> {
  await withUsers(opts, (users) => process.stdout.write(`disabled ${users.disable(cliActor(), username).username}; its sessions have ended\n`));
}

export async function userEnable(username: string, opts: { config?: string }): Promise<void> {
  await withUsers(opts, (users) => process.stdout.write(`enabled ${users.enable(cliActor(), username).username}\n`));
}

export async function userUnlock(username: string, opts: { config?: string }): Promise<void> {
  await withUsers(opts, (users) => process.stdout.write(`unlocked ${users.unlock(cliActor(), username).username}\n`));
}

export async function userResetPassword(username: string, opts: { config?: string; passwordStdin?: boolean }): Promise<void> {
  await withUsers(opts, async (users) => {
    const r = await users.resetPassword(cliActor(), username, opts.passwordStdin ? passwordFromStdin() : undefined);
    process.stdout.write(r.password ? `${r.password}\n` : '');
    process.stderr.write(
      `new password set for ${r.user.username}; its sessions have ended${r.password ? '; the password above is shown only this once' : ''}\n`,
    );
  });
}
