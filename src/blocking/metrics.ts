import { Gauge, type Registry } from 'prom-client';
import type { BlockingService } from './service.js';

/** Block list gauges, read at scrape time: a removed category or an OPD without exceptions leaves no series. */
export function registerBlockingMetrics(registry: Registry, svc: BlockingService): void {
  new Gauge({
    name: 'simpul_blocklist_entries',
    help: 'Entries in each block list category (all sources)',
    labelNames: ['category'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of svc.countsByCategory()) this.set({ category: r.category }, r.n);
    },
  });
  new Gauge({
    name: 'simpul_opd_exceptions',
    help: 'Active unblock exceptions per OPD',
    labelNames: ['opd'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of svc.activeCounts()) this.set({ opd: r.opd }, r.n);
    },
  });
}
