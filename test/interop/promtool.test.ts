/**
 * What Simpul ships for Prometheus and Grafana, checked against what the daemon exports:
 * the Grafana dashboard reads only metrics the daemon exports (always runs), and Prometheus'
 * own checker (Debian package `prometheus`, `promtool`) on the /metrics exposition (lint
 * problems other than the known ones fail), the scrape config, the alert rules and their unit
 * tests, and every dashboard query (as recording rules, so promtool parses the PromQL).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT, tempDir } from '../helpers/daemon.js';
import { labDaemonMetrics, metricFamilies, seriesNames, snmpMetricsText } from './exported-metrics.js';
import { run, which } from './peers.js';
import { dashboardQueries, defaultVariables, expandQuery, metricNames, variableQueries, DASHBOARDS, GRAFANA_DIR, type Dashboard } from './dashboard.js';

const PROMTOOL = which('promtool');
const PROM_DIR = join(ROOT, 'deploy/prometheus');
const DASHBOARD = DASHBOARDS.get('simpul-backbone.json') as Dashboard;

let daemon: Awaited<ReturnType<typeof labDaemonMetrics>> | undefined;
let daemonError: unknown;
let snmpText = '';
/** The lab daemon's /metrics; a daemon that failed to start fails only the tests that read it. */
const daemonText = (): string => {
  if (!daemon) throw daemonError instanceof Error ? daemonError : new Error(`lab daemon did not start: ${String(daemonError)}`);
  return daemon.text;
};
beforeAll(async () => {
  snmpText = await snmpMetricsText();
  // a DRC directory, so the database backup series (read by the backups dashboard) are exported
  daemon = await labDaemonMetrics((dir) => ({ backup: { database: { target: { type: 'dir', path: join(dir, 'drc') } } } })).catch((e: unknown) => {
    daemonError = e;
    return undefined;
  });
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
});

describe('Grafana dashboards deploy/grafana/*.json', () => {
  it('the NOC has its dashboards: backbone, routers, backups, IPAM, compliance', () => {
    expect([...DASHBOARDS.keys()]).toEqual([
      'simpul-backbone.json',
      'simpul-backups.json',
      'simpul-compliance.json',
      'simpul-ipam.json',
      'simpul-routers.json',
    ]);
  });

  it.each([...DASHBOARDS.keys()])(
    '%s: uid from its file name, unique panel ids, a Prometheus datasource variable, a query on every panel, every variable used',
    (file) => {
      const d = DASHBOARDS.get(file) as unknown as {
        uid: string;
        title: string;
        panels: Array<{ id: number; title: string; targets?: Array<{ refId: string; datasource?: { uid?: string } }> }>;
        templating: { list: Array<{ name: string; type: string }> };
      };
      expect(d.uid).toBe(file.replace(/\.json$/, ''));
      expect(d.title).toMatch(/^Simpul /);
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      expect(d.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
      for (const p of d.panels) {
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        expect(new Set(p.targets?.map((t) => t.refId)).size, p.title).toBe(p.targets?.length);
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's datasource variable, not a template literal
        for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe('${datasource}');
      }
      const exprs = dashboardQueries(d as Dashboard)
        .map((q) => q.expr)
        .join('\n');
      for (const v of d.templating.list.filter((x) => x.type !== 'datasource')) expect(exprs, `variable $${v.name}`).toContain(`$${v.name}`);
    },
  );

  it('the provisioning file loads the dashboards folder into Grafana', () => {
    const prov = parseYaml(readFileSync(join(GRAFANA_DIR, 'provisioning/dashboards/simpul.yaml'), 'utf8')) as {
      apiVersion: number;
      providers: Array<{ type: string; folder: string; options: { path: string } }>;
    };
    expect(prov.apiVersion).toBe(1);
    expect(prov.providers).toHaveLength(1);
    expect(prov.providers[0]).toMatchObject({ type: 'file', folder: 'Simpul', options: { path: '/var/lib/grafana/dashboards/simpul' } });
  });

  it.each([...DASHBOARDS.keys()])('%s queries only metrics the daemon exports (lab daemon /metrics and the SNMP collectors)', (file) => {
    const d = DASHBOARDS.get(file) as Dashboard;
    const exported = seriesNames(new Map([...metricFamilies(daemonText()), ...metricFamilies(snmpText)]));
    const used = new Set([...dashboardQueries(d).map((q) => q.expr), ...variableQueries(d)].flatMap(metricNames));
    expect(used.size).toBeGreaterThan(2);
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
  });

  it("the backbone dashboard reads the issue's core series", () => {
    const used = new Set([...dashboardQueries(DASHBOARD).map((q) => q.expr), ...variableQueries(DASHBOARD)].flatMap(metricNames));
    // the core series are on the dashboard
    for (const n of [
      'simpul_interface_receive_bytes_total',
      'simpul_interface_transmit_bytes_total',
      'simpul_link_utilization_ratio',
      'simpul_link_up',
      'simpul_device_up',
      'simpul_snmp_poll_duration_seconds_bucket',
    ])
      expect(used).toContain(n);
  });

  it('the lab daemon exports the SNMP series the dashboard reads, with live values', () => {
    const families = metricFamilies(daemonText());
    for (const n of ['simpul_device_up', 'simpul_interface_receive_bytes_total', 'simpul_link_utilization_ratio']) expect(families.has(n), n).toBe(true);
  });
});

/**
 * promtool's lint asks for bytes as the base unit; the issue names these series in bits per
 * second (what a NOC reads off a link), so these four problems are accepted, nothing else.
 */
const ACCEPTED_LINT = new Set([
  'simpul_interface_speed_bits_per_second use base unit "bytes" instead of "bits"',
  'simpul_link_capacity_bits_per_second use base unit "bytes" instead of "bits"',
  'simpul_link_receive_bits_per_second use base unit "bytes" instead of "bits"',
  'simpul_link_transmit_bits_per_second use base unit "bytes" instead of "bits"',
]);

/** promtool check metrics: exit 0 clean, 3 lint problems only, 1 errors (unparsable exposition). */
function checkMetrics(text: string): { status: number; lint: string[]; output: string } {
  const r = run(PROMTOOL as string, ['check', 'metrics'], { input: text, allowFail: true });
  const output = `${r.stdout}${r.stderr}`;
  return {
    status: r.status,
    lint: output
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    output,
  };
}

describe.skipIf(!PROMTOOL)(
  `interop: promtool${PROMTOOL ? '' : ' (skipped: promtool not installed, run scripts/install-interop-peers.sh)'}; accepted lint: ${[...ACCEPTED_LINT].map((l) => l.split(' ')[0]).join(', ')} in bits`,
  () => {
    const tmp = tempDir('simpul-promtool-');
    afterAll(() => tmp.cleanup());

    it('promtool check metrics on the SNMP collectors (labels with quotes and backslashes): no errors, no unknown lint', async () => {
      const text = snmpText;
      expect(text).toMatch(/^simpul_interface_receive_bytes_total\{/m);
      expect(text).toMatch(/^simpul_link_utilization_ratio\{/m);
      const r = checkMetrics(text);
      expect(r.status, r.output).not.toBe(1);
      expect(
        r.lint.filter((l) => !ACCEPTED_LINT.has(l)),
        r.output,
      ).toEqual([]);
    });

    it("promtool check metrics on the lab daemon's whole /metrics: no errors; no unknown lint on the SNMP families (others' lint is listed, not failed)", () => {
      const text = daemonText();
      expect(text).toMatch(/^# TYPE /m);
      const r = checkMetrics(text);
      expect(r.status, r.output).not.toBe(1);
      const snmpFamily = /^simpul_(interface|link|device|snmp)_/;
      expect(
        r.lint.filter((l) => snmpFamily.test(l) && !ACCEPTED_LINT.has(l)),
        r.output,
      ).toEqual([]);
      // e.g. prom-client's default nodejs_active_*_total gauges; other domains own theirs
      const others = r.lint.filter((l) => !snmpFamily.test(l));
      if (others.length) console.info(`promtool lint outside the SNMP families:\n${others.join('\n')}`);
    });

    it('promtool check config, check rules and test rules pass on deploy/prometheus', () => {
      const config = run(PROMTOOL as string, ['check', 'config', join(PROM_DIR, 'simpul.yml')], { allowFail: true });
      expect(config.status, config.stdout + config.stderr).toBe(0);
      expect(config.stdout + config.stderr).toMatch(/1 rule files found/);
      const rules = run(PROMTOOL as string, ['check', 'rules', join(PROM_DIR, 'simpul-rules.yml')], { allowFail: true });
      expect(rules.status, rules.stdout + rules.stderr).toBe(0);
      const tests = run(PROMTOOL as string, ['test', 'rules', join(PROM_DIR, 'simpul-rules.test.yml')], { allowFail: true });
      expect(tests.status, tests.stdout + tests.stderr).toBe(0);
      expect(tests.stdout).toMatch(/SUCCESS/);
    });

    it.each([...DASHBOARDS.keys()])('every query of %s is valid PromQL (checked as recording rules)', (name) => {
      const d = DASHBOARDS.get(name) as Dashboard;
      const queries = dashboardQueries(d);
      expect(queries.length).toBeGreaterThan(5);
      // template variables take the values the dashboard opens with
      const vars = defaultVariables(d);
      const exprs = queries.map((q) => expandQuery(q.expr, vars));
      for (const e of exprs) expect(e).not.toMatch(/\$/);
      const file = join(tmp.dir, `${name}-rules.yml`);
      writeFileSync(
        file,
        JSON.stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `simpul:dashboard_query_${i}`, expr })) }] }),
      );
      const r = run(PROMTOOL as string, ['check', 'rules', file], { allowFail: true });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`${exprs.length} rules found`);
    });
  },
);
