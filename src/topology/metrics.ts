/**
 * Compliance as Prometheus gauges, read from the store at scrape time so an OPD removed from the
 * inventory loses its series. Age is fractional days since the latest diagram; an OPD that never
 * uploaded has no age series but is flagged by simpul_opd_diagram_overdue.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../common/clock.js';
import type { Inventory } from '../inventory/model.js';
import type { TopologyService } from './service.js';

const DAY = 86_400_000;

export function registerTopologyMetrics(registry: Registry, svc: TopologyService, inventory: () => Inventory, clock: Clock): void {
  const snapshot = () => {
    const codes = new Set(inventory().opds.map((o) => o.code));
    return { codes, latest: svc.latest().filter((l) => codes.has(l.opd)) };
  };
  new Gauge({
    name: 'simpul_opd_diagram_age_days',
    help: "Days since the OPD's latest LAN diagram was uploaded",
    labelNames: ['opd'],
    registers: [registry],
    collect() {
      this.reset();
      const now = clock.now().getTime();
      for (const l of snapshot().latest) this.set({ opd: l.opd }, (now - Date.parse(l.uploadedAt)) / DAY);
    },
  });
  new Gauge({
    name: 'simpul_opd_diagram_overdue',
    help: 'Whether the OPD has no LAN diagram newer than topology.deadlineDays (1) or has one (0)',
    labelNames: ['opd'],
    registers: [registry],
    collect() {
      this.reset();
      const { codes, latest } = snapshot();
      const now = clock.now().getTime();
      const limit = svc.options.deadlineDays * DAY;
      const age = new Map(latest.map((l) => [l.opd, now - Date.parse(l.uploadedAt)]));
      for (const c of codes) {
        const a = age.get(c);
        this.set({ opd: c }, a === undefined || a > limit ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'simpul_opd_findings',
    help: "Findings in the validation report of the OPD's latest LAN diagram, by severity",
    labelNames: ['opd', 'severity'],
    registers: [registry],
    collect() {
      this.reset();
      for (const l of snapshot().latest) for (const [severity, n] of Object.entries(l.findings)) this.set({ opd: l.opd, severity }, n);
    },
  });
}
