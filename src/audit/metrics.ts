import { Gauge, type Registry } from 'prom-client';
import type { AuditService } from './service.js';

export function registerAuditMetrics(registry: Registry, audit: AuditService): void {
  new Gauge({
    name: 'simpul_audit_entries',
    help: 'Entries in the audit log (a drop means entries were deleted)',
    registers: [registry],
    collect() {
      this.set(audit.count());
    },
  });
}
