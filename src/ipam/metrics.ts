import { Gauge, type Registry } from 'prom-client';
import type { IpamService } from './service.js';

/** IPAM gauges, read at scrape time from the in-memory indexes (never a table scan). */
export function registerIpamMetrics(registry: Registry, ipam: IpamService): void {
  new Gauge({
    name: 'simpul_ipam_pool_addresses',
    help: 'Addresses in each pool by state (allocated, quarantined, reserved, free)',
    labelNames: ['pool', 'family', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { pool, family, u } of ipam.poolGauges())
        for (const state of ['allocated', 'quarantined', 'reserved', 'free'] as const) this.set({ pool, family: String(family), state }, u.approx[state]);
    },
  });
  new Gauge({
    name: 'simpul_ipam_pool_utilization_ratio',
    help: 'Share of each pool that is allocated, quarantined or reserved (0 to 1)',
    labelNames: ['pool', 'family'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { pool, family, u } of ipam.poolGauges()) this.set({ pool, family: String(family) }, u.approx.usedRatio);
    },
  });
}
