/**
 * Prometheus collectors for SNMP polling and backbone links. Values are read from the
 * poller at scrape time (collect callbacks; the per-interface families in exposition.ts), so
 * series of a removed device or link vanish with it instead of lingering as stale label sets.
 */
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import { backboneHealth, type BackboneLink } from './backbone.js';
import { InterfaceExposition } from './exposition.js';
import type { Poller, SampleRejectReason } from './poller.js';
import { POLL_ERROR_REASONS } from './session.js';

export interface SnmpMetricsOptions {
  /** The inventory's backbone links, read at every scrape. */
  links?: () => BackboneLink[];
}

export interface SnmpMetrics {
  /** Remove the collectors from the registry and stop observing the poller. */
  unregister(): void;
}

/**
 * Every reason a poll error or a rejected sample can have (the compiler keeps these lists whole).
 * Each polled device exports every reason from 0, so `increase()` and `rate()` see the first
 * error, and a healthy network draws zeros instead of an empty panel: devices x reasons, bounded.
 */
const REJECT_REASONS = Object.keys({ above_speed: 0, wrong_type: 0 } satisfies Record<SampleRejectReason, 0>);

/** A device's counts by reason, every known reason present (0 until it happens). */
const byReason = (known: readonly string[], counts: Record<string, number>): [string, number][] =>
  Object.entries({ ...Object.fromEntries(known.map((r) => [r, 0])), ...counts });

export function registerSnmpMetrics(registry: Registry, poller: Poller, opts: SnmpMetricsOptions = {}): SnmpMetrics {
  const names: string[] = [];
  const reg = [registry];
  const track = <T>(name: string, m: T): T => {
    names.push(name);
    return m;
  };

  // the per-interface families, written as text (exposition.ts); registered first, where they always were
  for (const m of new InterfaceExposition(poller, opts.links).metrics()) {
    registry.registerMetric(m as unknown as Metric);
    names.push(m.name);
  }
  track(
    'simpul_device_up',
    new Gauge({
      name: 'simpul_device_up',
      help: '1 when the device answered its last SNMP poll (state up or degraded), else 0',
      labelNames: ['device', 'opd'] as const,
      registers: reg,
      collect() {
        this.reset();
        for (const d of poller.devicesState()) this.set({ device: d.id, opd: d.opd ?? '' }, d.state === 'up' || d.state === 'degraded' ? 1 : 0);
      },
    }),
  );
  track(
    'simpul_snmp_poll_errors_total',
    new Counter({
      name: 'simpul_snmp_poll_errors_total',
      help: 'SNMP poll errors by device and reason (timeout, error_status, non_increasing_oid, ...); every reason from 0 for each polled device',
      labelNames: ['device', 'reason'] as const,
      registers: reg,
      collect() {
        this.reset();
        for (const d of poller.devicesState()) for (const [reason, n] of byReason(POLL_ERROR_REASONS, d.errors)) this.inc({ device: d.id, reason }, n);
      },
    }),
  );
  track(
    'simpul_snmp_rejected_samples_total',
    new Counter({
      name: 'simpul_snmp_rejected_samples_total',
      help: 'Interface samples rejected as impossible, by device and reason (above_speed, wrong_type); every reason from 0 for each polled device',
      labelNames: ['device', 'reason'] as const,
      registers: reg,
      collect() {
        this.reset();
        for (const d of poller.devicesState()) for (const [reason, n] of byReason(REJECT_REASONS, d.rejected)) this.inc({ device: d.id, reason }, n);
      },
    }),
  );
  const duration = track(
    'simpul_snmp_poll_duration_seconds',
    new Histogram({
      name: 'simpul_snmp_poll_duration_seconds',
      help: 'Duration of one device poll (system group, interface tables, LLDP when changed)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: reg,
    }),
  );
  const unsubscribe = poller.onPoll((r) => duration.observe(r.durationSeconds));

  if (opts.links) {
    const links = opts.links;
    const LINK = ['link', 'opd'] as const;
    const each = (fn: (l: { link: string; opd: string }, h: ReturnType<typeof backboneHealth>[number]) => void): void => {
      for (const h of backboneHealth(links(), poller)) fn({ link: h.id, opd: h.opd ?? '' }, h);
    };
    const gauge = (name: string, help: string, pick: (h: ReturnType<typeof backboneHealth>[number]) => number | undefined) =>
      track(
        name,
        new Gauge({
          name,
          help,
          labelNames: LINK,
          registers: reg,
          collect() {
            this.reset();
            each((l, h) => {
              const v = pick(h);
              if (v !== undefined) this.set(l, v);
            });
          },
        }),
      );
    gauge('simpul_link_up', 'Backbone link: 1 when every end that can be read is oper up, 0 when one is down or no end can be read', (h) =>
      h.status === 'up' ? 1 : 0,
    );
    gauge('simpul_link_receive_bits_per_second', 'Backbone link traffic received at end A (sent by end B)', (h) => h.receiveBps);
    gauge('simpul_link_transmit_bits_per_second', 'Backbone link traffic transmitted by end A', (h) => h.transmitBps);
    gauge('simpul_link_utilization_ratio', 'Backbone link: max(receive, transmit) over the contracted capacity', (h) => h.utilization);
    gauge('simpul_link_capacity_bits_per_second', 'Backbone link contracted capacity', (h) => h.capacityBps);
    gauge('simpul_link_errors_per_second', 'Backbone link errors per second, both ends and directions', (h) => h.errorsPerSec);
    gauge('simpul_link_discards_per_second', 'Backbone link discards per second, both ends and directions', (h) => h.discardsPerSec);
  }

  return {
    unregister() {
      unsubscribe();
      for (const n of names) registry.removeSingleMetric(n);
    },
  };
}
