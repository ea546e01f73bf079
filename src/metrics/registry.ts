import { collectDefaultMetrics, Histogram, Registry, Counter, Gauge } from 'prom-client';

/** One registry per daemon (tests run several daemons in one process). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpMetrics(registry: Registry) {
  return {
    duration: new Histogram({
      name: 'simpul_http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export function inventoryMetrics(registry: Registry) {
  return {
    reloads: new Counter({
      name: 'simpul_inventory_reloads_total',
      help: 'Inventory loads (start and SIGHUP) by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    objects: new Gauge({
      name: 'simpul_inventory_objects',
      help: 'Objects in the loaded inventory by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}
