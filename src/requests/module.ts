// Requests from the offices (IP blocks, unblocking): the queue and its decisions. The request types
// are registered by the domains that fulfil them (ipam, blocking).
import type { ModuleDefinition } from '../module.js';
import { registerRequestMetrics } from './metrics.js';
import { requestRoutes } from './routes.js';
import { RequestService } from './service.js';

export const requestsModule: ModuleDefinition = {
  name: 'requests',
  provides: ['requests'],
  create(ctx) {
    const requests = new RequestService(ctx.store);
    registerRequestMetrics(ctx.registry, requests);
    ctx.provide('requests', requests);
    return { name: 'requests', routes: requestRoutes };
  },
};
