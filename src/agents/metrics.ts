/** Agent metrics, read at scrape time from what the service knows, so a removed agent loses its series. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AgentOut } from './service.js';

const NAMES = ['simpul_agent_up', 'simpul_agent_last_seen_timestamp_seconds', 'simpul_agent_backlog_batches', 'simpul_agent_dropped_samples_total'];

export function registerAgentMetrics(registry: Registry, agents: () => AgentOut[]): { unregister(): void } {
  const reg = [registry];
  const gauge = (name: string, help: string, value: (a: AgentOut) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['agent', 'opd'],
      registers: reg,
      collect() {
        this.reset();
        for (const a of agents()) {
          const v = value(a);
          if (v !== undefined) this.set({ agent: a.id, opd: a.opd }, v);
        }
      },
    });
  gauge('simpul_agent_up', '1 when the remote site agent was heard from within 3 of its poll intervals, else 0', (a) => (a.up ? 1 : 0));
  gauge('simpul_agent_last_seen_timestamp_seconds', 'When the agent last fetched its config or uploaded a batch', (a) =>
    a.lastSeenAt ? Date.parse(a.lastSeenAt) / 1000 : undefined,
  );
  gauge('simpul_agent_backlog_batches', 'Batches the agent had queued at its last upload (it is catching up when above 0)', (a) => a.backlogBatches);
  new Counter({
    name: 'simpul_agent_dropped_samples_total',
    help: 'Samples the agent dropped from its queue for age or size (the queue limits in its config), as it reported',
    labelNames: ['agent', 'opd'],
    registers: reg,
    collect() {
      this.reset();
      for (const a of agents()) this.inc({ agent: a.id, opd: a.opd }, a.droppedSamples);
    },
  });
  return { unregister: () => NAMES.forEach((n) => registry.removeSingleMetric(n)) };
}
