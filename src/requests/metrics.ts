import { Gauge, type Registry } from 'prom-client';
import type { RequestService } from './service.js';

/** Requests by type and state, counted at scrape time. */
export function registerRequestMetrics(registry: Registry, requests: RequestService): void {
  new Gauge({
    name: 'simpul_requests',
    help: 'Requests by type and state',
    labelNames: ['type', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of requests.counts()) this.set({ type: r.type, state: r.state }, r.n);
    },
  });
}
