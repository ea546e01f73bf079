/**
 * The diagrams module: LAN diagram versions, cable surveys, label validation, compliance and its
 * gauges. The label grammar comes from the config (checked here, so a wrong one stops the start
 * with the offending key); lab mode uploads the example diagrams once.
 */
import { join } from 'node:path';
import type { ModuleDefinition, ModuleFactory } from '../module.js';
import { projectRoot } from '../common/paths.js';
import { compileGrammar, defaultGrammar } from '../labels/grammar.js';
import { labelRoutes } from '../labels/routes.js';
import { LabelService } from '../labels/service.js';
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
  const labels = new LabelService((actor, opd) => svc.labelContext(actor, opd));
  ctx.provide('topology', svc);
  ctx.provide('labels', labels);
  registerTopologyMetrics(ctx.registry, svc, ctx.inventory, ctx.clock);
  const diagrams = topologyRoutes(svc);
  const labelApi = labelRoutes(labels);
  return {
    name: 'topology',
    routes: async (app, s) => {
      await diagrams(app, s);
      await labelApi(app, s);
    },
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
  provides: ['topology', 'labels'],
  create: createTopology,
};
