// Prometheus series of the routers, read from the reconciler at scrape time so a router removed
// from the inventory disappears from every series.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Reconciler, RouterState } from './reconciler.js';

const ROUTER_STATES = Object.keys({ unknown: 0, syncing: 0, 'in-sync': 0, drift: 0, degraded: 0, unreachable: 0 } satisfies Record<RouterState, 0>);

export function registerRouterMetrics(registry: Registry, reconciler: Reconciler): { observe(durationMs: number): void } {
  new Gauge({
    name: 'simpul_routeros_up',
    help: 'Whether the router answered its last sync (1) or not (0)',
    labelNames: ['router'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of reconciler.list()) if (r.lastSyncAt) this.set({ router: r.id }, r.state === 'unreachable' ? 0 : 1);
    },
  });
  new Gauge({
    name: 'simpul_routeros_state',
    help: "The router's sync state: 1 on the current state (unknown, syncing, in-sync, drift, degraded, unreachable), 0 on the others",
    labelNames: ['router', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of reconciler.list()) for (const state of ROUTER_STATES) this.set({ router: r.id, state }, r.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'simpul_routeros_drift_entries',
    help: 'Entries that differed from the desired state at the last read (0 once applied)',
    labelNames: ['router'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of reconciler.list()) this.set({ router: r.id }, r.drift);
    },
  });
  new Gauge({
    name: 'simpul_routeros_last_success_timestamp_seconds',
    help: 'When the router last matched its desired state (Unix time)',
    labelNames: ['router'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of reconciler.list()) if (r.lastSuccessAt) this.set({ router: r.id }, Date.parse(r.lastSuccessAt) / 1000);
    },
  });
  new Counter({
    name: 'simpul_routeros_sync_total',
    help: 'Sync attempts per router and result (ok, degraded, unreachable, refused)',
    labelNames: ['router', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      // every result from 0, so increase() sees a router's first failure and a panel of failures draws zeros
      for (const r of reconciler.list()) for (const [result, n] of Object.entries(r.syncs)) this.inc({ router: r.id, result }, n);
    },
  });
  new Gauge({
    name: 'simpul_router_inventory_mismatch',
    help: 'The router reports a different value than the inventory for this field (version, model): 1 while it does',
    labelNames: ['router', 'field'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of reconciler.list()) for (const m of r.inventoryMismatch) this.set({ router: r.id, field: m.field }, 1);
    },
  });
  new Gauge({
    name: 'simpul_router_dns_names',
    help: 'Blocked names the router holds in its adlists, as the router counts them (adlist mode only)',
    labelNames: ['router'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of reconciler.list()) if (r.dns?.mode === 'adlist' && r.dns.names !== null) this.set({ router: r.id }, r.dns.names);
    },
  });
  const duration = new Histogram({
    name: 'simpul_routeros_sync_duration_seconds',
    help: 'Time one router sync took (read, plan, apply, confirm)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return { observe: (ms) => duration.observe(ms / 1000) };
}
