// Cable labels: checking labels and surveys against the grammar, in the context of an office's
// diagram (its devices and ports), which the diagrams module provides.
import type { ModuleDefinition } from '../module.js';
import { labelRoutes } from './routes.js';
import { LabelService } from './service.js';

export const labelsModule: ModuleDefinition = {
  name: 'labels',
  requires: ['topology'],
  provides: ['labels'],
  create(ctx) {
    const topology = ctx.need('topology');
    const labels = new LabelService((actor, opd) => topology.labelContext(actor, opd));
    ctx.provide('labels', labels);
    return { name: 'labels', routes: labelRoutes(labels) };
  },
};
