import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError } from '../config/load.js';
import { startDaemon, type Daemon } from '../daemon.js';
import { InventoryInvalid, formatProblems } from '../inventory/reload.js';
import type { Config } from '../config/schema.js';
import { LAB_DATA_DIR } from './data-dir.js';

/** Runs the daemon until SIGTERM/SIGINT; SIGHUP reloads the inventory. */
export async function runDaemon(config: Config, banner?: (d: Daemon) => string): Promise<void> {
  // Handlers go in before the daemon starts: Node's default for SIGHUP is to exit, and the HTTP
  // port answers (and gets signalled) before the modules have started. A SIGHUP that arrives
  // meanwhile is kept and applied once the daemon is up.
  let daemon: Daemon | undefined;
  let pendingReload = false;
  process.on('SIGHUP', () => (daemon ? daemon.reload() : (pendingReload = true)));
  try {
    daemon = await startDaemon(config);
  } catch (e) {
    if (e instanceof InventoryInvalid) fail(`inventory ${config.inventory} is invalid:\n${formatProblems(e.problems)}`);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is in use; set SIMPUL_PORT or port: in the config`);
    throw e;
  }
  const running = daemon;
  if (pendingReload) running.reload();
  if (banner) process.stdout.write(banner(running));
  let closing = false;
  const stop = (sig: string) => {
    if (closing) return;
    closing = true;
    running.app.log.info({ signal: sig }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function configOrExit(opts: { config?: string }, lab = false, defaults?: Record<string, unknown>): Config {
  try {
    return loadConfig({ file: opts.config, lab, defaults });
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
}

export async function serve(opts: { config?: string }): Promise<void> {
  const config = configOrExit(opts);
  await runDaemon(config, (d) => `simpul listening on ${d.url}\n`);
}

/** Lab mode: the example regency on an embedded SQLite under ./data/lab, with an admin token. */
export async function lab(opts: { config?: string }): Promise<void> {
  const config = configOrExit(opts, true, { dataDir: LAB_DATA_DIR, log: { level: 'warn' }, snmp: { intervalSeconds: 10 } });
  const generated = !config.adminToken;
  if (generated) config.adminToken = 'spl_lab_' + randomBytes(24).toString('base64url');
  await runDaemon(
    config,
    (d) =>
      [
        '',
        '  Simpul lab mode: the example regency on simulated devices',
        `  URL          ${d.url}`,
        `  Pages        ${d.url}/   (log in with one of these; new passwords at every start)`,
        ...d.labLogins.map((l) => `    ${l.role.padEnd(12)} ${(l.opd ?? 'NOC').padEnd(8)} user ${l.username.padEnd(8)} password ${l.password}`),
        `  API docs     ${d.url}/docs`,
        `  Admin token  ${config.adminToken}${generated ? '   (generated for this run; set SIMPUL_ADMIN_TOKEN to fix it)' : ''}`,
        `  Data         ${config.dataDir}`,
        '',
        `  try: curl -H "Authorization: Bearer ${config.adminToken}" ${d.url}/api/v1/opds`,
        '',
      ].join('\n') + '\n',
  );
}

export function fail(message: string): never {
  process.stderr.write(`simpul: ${message}\n`);
  process.exit(2);
}
