/**
 * Every query of every Grafana dashboard returns data, asked of a real Prometheus (Debian package
 * `prometheus`) that scrapes a lab daemon, as Grafana would ask it: panels and variables with the
 * values a dashboard opens with. The lab is used first as the NOC uses it: an OPD's request filed,
 * a database backup shipped to a DRC directory and restore-tested. Then what the backbone
 * dashboard's defaults draw: backbone link ends, ports that carry traffic, never idle ports as down.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../helpers/daemon.js';
import { dashboardQueries, defaultVariables, expandQuery, variableAsPromql, variableQueries, DASHBOARDS, type Dashboard } from './dashboard.js';
import { labDaemonMetrics } from './exported-metrics.js';
import { PROMETHEUS, startLabPrometheus, type LabPrometheus, type Sample } from './prometheus-lab.js';
import { sleep } from './peers.js';

const BACKBONE = DASHBOARDS.get('simpul-backbone.json') as Dashboard;

/** Every panel query and variable query of a dashboard, expanded with the dashboard's defaults. */
function queriesOf(d: Dashboard, overrides: Record<string, string> = {}): { what: string; expr: string }[] {
  const vars = defaultVariables(d);
  return [
    ...dashboardQueries(d).map((q) => ({ what: `panel "${q.panel}"`, expr: expandQuery(q.expr, vars, overrides) })),
    ...variableQueries(d).map((q) => ({ what: `variable ${q}`, expr: variableAsPromql(expandQuery(q, vars, overrides)) })),
  ];
}

const finite = (s: Sample[]): Sample[] => s.filter((x) => Number.isFinite(Number(x.value[1])));
const panelExpr = (d: Dashboard, title: RegExp, i = 0): string => {
  const q = dashboardQueries(d).filter((x) => title.test(x.panel));
  if (!q[i]) throw new Error(`no panel ${String(title)} query ${i}`);
  return q[i].expr;
};

let daemon: Awaited<ReturnType<typeof labDaemonMetrics>> | undefined;
let prom: LabPrometheus | undefined;
/** Queries that returned no finite value at the last look, by dashboard. */
let empty: { file: string; what: string; expr: string }[] = [];

async function emptyQueries(): Promise<typeof empty> {
  const out: typeof empty = [];
  for (const [file, d] of DASHBOARDS)
    for (const q of queriesOf(d)) if (finite(await (prom as LabPrometheus).query(q.expr)).length === 0) out.push({ file, ...q });
  return out;
}

async function api(path: string, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${(daemon as { url: string }).url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${ADMIN}`, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

describe.skipIf(!PROMETHEUS)(
  `interop: every Grafana dashboard query against Prometheus scraping the lab${PROMETHEUS ? '' : ' (skipped: prometheus not installed, run scripts/install-interop-peers.sh)'}`,
  () => {
    beforeAll(async () => {
      // SNMP polls and router drift checks every 10 s, so rates and sync histograms move while Prometheus watches
      daemon = await labDaemonMetrics((dir) => ({
        snmp: { intervalSeconds: 10 },
        routeros: { driftIntervalSeconds: 10 },
        backup: { database: { target: { type: 'dir', path: mkdirSync(join(dir, 'drc'), { recursive: true }) ?? join(dir, 'drc') } } },
      }));
      prom = await startLabPrometheus(new URL(daemon.url).host, ADMIN);

      // the lab used as the NOC uses it
      const filed = await api('/requests', {
        method: 'POST',
        json: { type: 'ip-block', opd: 'DINKES', prefixLength: 28, purpose: 'CCTV puskesmas', justification: 'new cameras' },
      });
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      const backup = await api('/backups', { method: 'POST' });
      expect(backup.status, JSON.stringify(backup.body)).toBe(201);
      const test = await api('/backups/restore-tests', { method: 'POST', json: {} });
      expect(test.status, JSON.stringify(test.body)).toBe(200);
      expect((test.body as { ok: boolean }).ok).toBe(true);

      // until every query has data (rates need two polls inside Prometheus' window), or 4 minutes
      const end = Date.now() + 240_000;
      for (;;) {
        empty = await emptyQueries();
        if (empty.length === 0 || Date.now() > end) break;
        await sleep(3000);
      }
    }, 330_000);
    afterAll(async () => {
      await prom?.stop();
      await daemon?.stop();
    });

    it('Prometheus scraped the lab daemon', async () => {
      expect(await (prom as LabPrometheus).scrapes()).toBeGreaterThan(1);
      expect(finite(await (prom as LabPrometheus).query('up{job="simpul"} == 1'))).toHaveLength(1);
    });

    it.each([...DASHBOARDS.keys()])('every panel and variable query of %s returns data (a finite value) with the defaults', (file) => {
      expect(queriesOf(DASHBOARDS.get(file) as Dashboard).length).toBeGreaterThan(5);
      expect(empty.filter((q) => q.file === file).map((q) => `${q.what}: ${q.expr}`)).toEqual([]);
    });

    it('the backbone defaults draw backbone link ends carrying traffic, not every port', async () => {
      const p = prom as LabPrometheus;
      const ports = finite(await p.query('simpul_interface_receive_bytes_total'));
      const ends = finite(await p.query('simpul_interface_receive_bytes_total{link!=""}'));
      expect(ends.length).toBeGreaterThan(0);
      expect(ports.length).toBeGreaterThan(10 * ends.length);
      // the interface traffic panel at its default: only backbone link ends, one receive and one transmit series each at most
      const vars = defaultVariables(BACKBONE);
      expect(vars.get('ports')).toBe('.+');
      const rx = finite(await p.query(expandQuery(panelExpr(BACKBONE, /^Interface traffic/, 0), vars)));
      const tx = finite(await p.query(expandQuery(panelExpr(BACKBONE, /^Interface traffic/, 1), vars)));
      expect(rx.length).toBeGreaterThan(0);
      expect(rx.length + tx.length).toBeLessThanOrEqual(2 * ends.length);
      for (const s of [...rx, ...tx]) expect(s.metric.link, JSON.stringify(s.metric)).not.toBe('');
      // with every port: only those carrying traffic are drawn, each with a rate above 0
      const all = finite(await p.query(expandQuery(panelExpr(BACKBONE, /^Interface traffic/, 0), vars, { ports: '.*' })));
      expect(all.length).toBeLessThan(ports.length);
      for (const s of all) expect(Number(s.value[1])).toBeGreaterThan(0);
      // the whole dashboard at its defaults draws fewer series than the lab has ports
      let drawn = 0;
      for (const q of dashboardQueries(BACKBONE)) drawn += (await p.query(expandQuery(q.expr, vars))).length;
      expect(drawn).toBeLessThan(ports.length);
    });

    it('idle ports are never listed as down: the lab has idle down ports, the table shows none of them (backbone or all ports)', async () => {
      const p = prom as LabPrometheus;
      const idleDown = finite(
        await p.query(
          '(simpul_interface_oper_up{link=""} == 0) unless on (device, interface) (increase(simpul_interface_receive_bytes_total[1d]) > 0 or increase(simpul_interface_transmit_bytes_total[1d]) > 0)',
        ),
      );
      expect(idleDown.length).toBeGreaterThan(0);
      const idle = new Set(idleDown.map((s) => `${s.metric.device} ${s.metric.interface}`));
      const vars = defaultVariables(BACKBONE);
      for (const ports of ['.+', '.*']) {
        const rows = finite(await p.query(expandQuery(panelExpr(BACKBONE, /^Ports that should be up/), vars, { ports })));
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.filter((s) => idle.has(`${s.metric.device} ${s.metric.interface}`))).toEqual([]);
        // down first
        const values = rows.map((s) => Number(s.value[1]));
        expect(values).toEqual([...values].sort((a, b) => a - b));
      }
    });

    it('the poll duration panel draws p50, p95 and the highest bucket used (not the mean)', async () => {
      const p = prom as LabPrometheus;
      const [p50, p95, max] = await Promise.all(
        [0, 1, 2].map(async (i) => Number(finite(await p.query(panelExpr(BACKBONE, /^SNMP poll duration/, i)))[0]?.value[1])),
      );
      expect(panelExpr(BACKBONE, /^SNMP poll duration/, 2)).toMatch(/^histogram_quantile\(1, /);
      expect(p50).toBeLessThanOrEqual(p95 as number);
      expect(p95).toBeLessThanOrEqual(max as number);
      // the highest bucket used is one of the histogram's bounds
      const bounds = finite(await p.query('simpul_snmp_poll_duration_seconds_bucket')).map((s) => Number(s.metric.le));
      expect(bounds).toContain(max);
    });

    it('poll errors and rejected samples have a 0 per device and reason before any error', async () => {
      const p = prom as LabPrometheus;
      const devices = finite(await p.query('simpul_device_up')).length;
      expect(finite(await p.query('simpul_snmp_poll_errors_total{reason="timeout"}')).length).toBe(devices);
      expect(finite(await p.query('simpul_snmp_rejected_samples_total{reason="above_speed"}')).length).toBe(devices);
    });
  },
);
