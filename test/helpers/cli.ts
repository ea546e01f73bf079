import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './daemon.js';

const MAIN = join(ROOT, 'src/cli/main.ts');
/** tsx by path, so a command can run in another directory (`cwd`) than the project's. */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Runs the real `simpul` command (through tsx, so tests need no build step). */
export function simpul(args: string[], env: Record<string, string> = {}, cwd = ROOT): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The real `simpul` command run asynchronously, for commands that talk to a daemon living in the
 * test's own process (a synchronous spawn would block the daemon from answering).
 */
export function simpulAsync(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('exit', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

/** Starts `simpul <args>` as a daemon process and resolves once it prints its URL. */
export async function simpulDaemon(
  args: string[],
  env: Record<string, string>,
  cwd = ROOT,
): Promise<{ proc: ChildProcess; url: string; output: () => string; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`daemon did not start:\n${out}`)), 30_000);
    const check = () => {
      // the banner, printed once the daemon (modules and signal handlers) is up; not Fastify's own log line
      const m = /(?:listening on|URL) +(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) clearTimeout(t), resolve(m[1]!);
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => (clearTimeout(t), reject(new Error(`daemon exited ${code}:\n${out}`))));
  });
  return {
    proc,
    url,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
