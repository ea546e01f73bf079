#!/usr/bin/env node
/**
 * `simpul-agent`: Simpul's remote site agent. `enroll` trades the NOC's one-time code for the
 * agent's secret; `run` polls the site's devices and reports to Simpul. It never listens on a port.
 */
import { Command } from 'commander';
import { AGENT_VERSION, enroll, jsonLog, runAgent } from './agent.js';
import { loadAgentConfig } from './config.js';
import { AgentRefusedError } from './uploader.js';

/** Exit status when Simpul refuses the agent: the systemd unit does not restart on it (RestartPreventExitStatus). */
const EX_REFUSED = 78;

const fail = (e: unknown, code = 1): never => {
  process.stderr.write(`simpul-agent: ${(e as Error).message}\n`);
  process.exit(code);
};

const program = new Command('simpul-agent')
  .description("Simpul's remote site agent: polls a site's switches over SNMP and reports to Simpul")
  .version(AGENT_VERSION);

program
  .command('enroll')
  .description('enroll with the one-time code from `simpul agent enroll <id>` on the NOC side; keeps the secret in <dataDir>/identity.json (0600)')
  .requiredOption('-c, --config <file>', 'the agent config file (YAML)')
  .requiredOption('--code <code>', 'the one-time enrollment code')
  .action(async (o: { config: string; code: string }) => {
    try {
      const config = loadAgentConfig(o.config);
      await enroll(config, o.code);
      process.stdout.write(`enrolled as ${config.agentId}; start it with: simpul-agent run --config ${o.config}\n`);
    } catch (e) {
      fail(e);
    }
  });

program
  .command('run')
  .description('poll the devices Simpul assigns to this agent and upload what was read')
  .requiredOption('-c, --config <file>', 'the agent config file (YAML)')
  .action(async (o: { config: string }) => {
    let agent;
    try {
      agent = runAgent(loadAgentConfig(o.config));
    } catch (e) {
      return fail(e);
    }
    const shutdown = (signal: string) => {
      jsonLog('info', 'stopping', { signal });
      void agent.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    await agent.done.catch((e: unknown) => {
      jsonLog('error', (e as Error).message);
      process.exit(e instanceof AgentRefusedError ? EX_REFUSED : 1);
    });
  });

await program.parseAsync();
