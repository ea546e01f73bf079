/**
 * The diagrams module: LAN diagram versions, cable surveys, compliance and its gauges (label
 * checks are the labels module's, on the context this one provides). The label grammar comes from the config (checked here, so a wrong one stops the start
 * with the offending key); lab mode uploads the example diagrams once.
 */
import { join } from 'node:path';
import type { ModuleDefinition, ModuleFactory } from '../module.js';
import { projectRoot } from '../common/paths.js';
import { compileGrammar, defaultGrammar } from '../labels/grammar.js';
import { seedLabDiagrams } from './lab-seed.js';
import { registerTopologyMetrics } from './metrics.js';
import { topologyRoutes } from './routes.js';
import { TopologyService } from './service.js';

const createTopology: ModuleFactory = (ctx) => {
  const t = ctx.config.topology;
  const grammar = ctx.config.labels.grammar ? compileGrammar(ctx.config.labels.grammar) : defaultGrammar();
  const svc = new TopologyService(ctx.store, ctx.need('ipam'), ctx.inventory, ctx.clock, {
    limits: { maxBytes: t.maxUploadBytes, maxInflatedBytes: t.maxInflatedBytes, maxPages: t.maxPages, maxNodes: t.maxNodes, maxLinks: t.maxLinks },
    deadlineDays: t.deadlineDays,
    keepOriginalMaxBytes: t.keepOriginalMaxBytes,
    maxSurveyBytes: t.maxSurveyBytes,
    grammar,
  });
  ctx.provide('topology', svc);
  registerTopologyMetrics(ctx.registry, svc, ctx.inventory, ctx.clock);
  return {
    name: 'topology',
    routes: topologyRoutes(svc),
    async start() {
      if (!ctx.config.lab) return;
      try {
        const seeded = seedLabDiagrams(svc, join(projectRoot(), 'topology'), new Set(ctx.inventory().opds.map((o) => o.code)));
        if (seeded.diagrams.length || seeded.surveys.length) ctx.log.info(seeded, 'lab diagrams and surveys uploaded from topology/');
      } catch (e) {
        ctx.log.error({ err: e }, 'lab diagrams not seeded');
      }
    },
  };
};

export const topologyModule: ModuleDefinition = {
  name: 'topology',
  requires: ['ipam', 'loadedInventory'],
  provides: ['topology'],
  create: createTopology,
};
