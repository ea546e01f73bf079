/**
 * Remote site agents in the daemon: the inventory's `agents:` and the devices each polls (the SNMP
 * module does not poll those), enrollment and agent routes, and the agents' batches folded into
 * the SNMP poller's state, so their devices show in the backbone, interfaces, LLDP and /metrics
 * as centrally polled ones do.
 */
import { systemActor } from '../auth/actor.js';
import type { Inventory } from '../inventory/model.js';
import type { ModuleDefinition, ModuleFactory } from '../module.js';
import { pollPlan } from '../snmp/inventory.js';
import type { PollTarget } from '../snmp/session.js';
import { registerAgentMetrics } from './metrics.js';
import { agentRoutes } from './routes.js';
import { AgentService } from './service.js';

const createAgents: ModuleFactory = (ctx) => {
  const snmp = ctx.need('snmp'); // its poller holds the devices agents poll
  const log = ctx.log.child({ module: 'agents' });
  let byAgent = new Map<string, PollTarget[]>();
  const apply = (inv: Inventory): void => {
    const plan = pollPlan(inv, { endpoint: (d) => ctx.endpoint(d, 'snmp'), credentials: (n) => ctx.credentials(n), defaults: ctx.config.snmp });
    byAgent = new Map();
    for (const t of plan.targets) if (t.agent !== undefined) byAgent.set(t.agent, [...(byAgent.get(t.agent) ?? []), t]);
    log.info({ agents: inv.agents?.length ?? 0, devices: [...byAgent.values()].flat().length }, 'agents and their devices set');
  };
  apply(ctx.inventory());
  ctx.onInventory(apply);

  const service = new AgentService({
    store: ctx.store,
    clock: ctx.clock,
    poller: snmp.poller,
    agents: () => ctx.inventory().agents ?? [],
    targets: (id) => byAgent.get(id) ?? [],
    devices: (id) =>
      ctx
        .inventory()
        .devices.filter((d) => d.agent === id)
        .map((d) => d.id),
    defaultPollIntervalSeconds: ctx.config.snmp.intervalSeconds,
    queue: { maxAgeSeconds: ctx.config.agents.queueMaxAgeSeconds, maxBytes: ctx.config.agents.queueMaxBytes },
  });
  service.recordConfigs();
  ctx.onInventory(() => service.recordConfigs());
  const metrics = registerAgentMetrics(ctx.registry, () => service.list(systemActor('metrics')));
  return {
    name: 'agents',
    routes: agentRoutes(service),
    stop: async () => metrics.unregister(),
  };
};

export const agentsModule: ModuleDefinition = { name: 'agents', requires: ['snmp', 'loadedInventory'], uses: ['lab'], create: createAgents };
