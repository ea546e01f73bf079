// The audit log's module: reading and verifying the chain (every domain writes it through Store.write).
import type { ModuleDefinition } from '../module.js';
import { registerAuditMetrics } from './metrics.js';
import { auditRoutes } from './routes.js';
import { AuditService } from './service.js';

export const auditModule: ModuleDefinition = {
  name: 'audit',
  provides: ['audit'],
  create(ctx) {
    const audit = new AuditService(ctx.store);
    registerAuditMetrics(ctx.registry, audit);
    ctx.provide('audit', audit);
    return { name: 'audit', routes: auditRoutes };
  },
};
