/**
 * Simulated 48-port switches (src/lab SimulatedSwitch, net-snmp agents) in a child process on
 * 127.0.0.1, so their CPU is neither on the poller's event loop nor in its process' CPU time.
 * Used by tests of the poller under load and by bench/snmp.ts.
 *
 *   const agents = await startAgents({ count: 4 }); ... agents.ports ... await agents.stop();
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SimulatedSwitch, type SimV3User } from '../../src/lab/snmp/switch.js';

export interface AgentsOptions {
  count: number;
  /** Switch numbers start here (names, aliases and traffic differ per switch). */
  offset?: number;
  community?: string;
  v3User?: SimV3User;
}

export interface Agents {
  ports: number[];
  stop(): Promise<void>;
}

export const PORTS_PER_SWITCH = 48;

export async function startAgents(opts: AgentsOptions): Promise<Agents> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`SNMP agent process exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l) as number[]));
  });
  return {
    ports,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Child side: start the switches, print their UDP ports, serve until stdin closes. */
async function serve(opts: AgentsOptions): Promise<void> {
  const sims: SimulatedSwitch[] = [];
  for (let i = 0; i < opts.count; i++) {
    const n = (opts.offset ?? 0) + i;
    sims.push(
      await SimulatedSwitch.start({
        name: `sw${n}`,
        community: opts.community ?? 'public',
        ...(opts.v3User ? { v3Users: [opts.v3User] } : {}),
        ports: Array.from({ length: PORTS_PER_SWITCH }, (_, p) => ({
          ifIndex: p + 1,
          name: `Gi1/0/${p + 1}`,
          alias: p === 0 ? 'uplink' : `desk ${n}-${p + 1}`,
          speedMbps: 1000,
          inBps: 1e6 + ((n * 7 + p * 13) % 97) * 1e5,
          outBps: 5e5 + ((n * 11 + p * 3) % 89) * 1e5,
          operUp: p % 5 !== 4,
          errorsPerSec: p % 17 === 0 ? 0.2 : 0,
        })),
      }),
    );
  }
  process.stdout.write(`${JSON.stringify(sims.map((s) => s.port))}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await Promise.all(sims.map((s) => s.close()));
    process.exit(0);
  });
}

if (process.argv[1] === import.meta.filename) await serve(JSON.parse(process.argv[2] as string) as AgentsOptions);
