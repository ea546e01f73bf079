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
import { ROOT, tempDir } from '../helpers/daemon.js';
import { labDaemonMetrics, metricFamilies, seriesNames, snmpMetricsText } from './exported-metrics.js';
import { run, which } from './peers.js';
import { dashboardQueries, metricNames, variableQueries } from './dashboard.js';

const PROMTOOL = which('promtool');
const PROM_DIR = join(ROOT, 'deploy/prometheus');
const DASHBOARD = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/simpul-backbone.json'), 'utf8')) as Parameters<typeof dashboardQueries>[0] & Parameters<typeof variableQueries>[0];

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
  daemon = await labDaemonMetrics().catch((e: unknown) => {
    daemonError = e;
    return undefined;
  });
}, 60_000);
afterAll(async () => {
  await daemon?.stop();
});

describe('Grafana dashboard deploy/grafana/simpul-backbone.json', () => {
  it('has unique panel ids, a Prometheus datasource variable and a query on every panel', () => {
    const d = DASHBOARD as unknown as { uid: string; panels: Array<{ id: number; title: string; targets?: unknown[] }>; templating: { list: Array<{ name: string; type: string }> } };
    expect(d.uid).toBe('simpul-backbone');
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    expect(d.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    for (const p of d.panels) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('queries only metrics the daemon exports (lab daemon /metrics and the SNMP collectors)', () => {
    const exported = seriesNames(new Map([...metricFamilies(daemonText()), ...metricFamilies(snmpText)]));
    const used = new Set([...dashboardQueries(DASHBOARD).map((q) => q.expr), ...variableQueries(DASHBOARD)].flatMap(metricNames));
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
    // the core series are on the dashboard
    for (const n of ['simpul_interface_receive_bytes_total', 'simpul_interface_transmit_bytes_total', 'simpul_link_utilization_ratio', 'simpul_link_up', 'simpul_device_up', 'simpul_snmp_poll_duration_seconds_bucket']) expect(used).toContain(n);
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
  return { status: r.status, lint: output.split('\n').map((l) => l.trim()).filter(Boolean), output };
}

describe.skipIf(!PROMTOOL)(`interop: promtool${PROMTOOL ? '' : ' (skipped: promtool not installed, run scripts/install-interop-peers.sh)'}; accepted lint: ${[...ACCEPTED_LINT].map((l) => l.split(' ')[0]).join(', ')} in bits`, () => {
  const tmp = tempDir('simpul-promtool-');
  afterAll(() => tmp.cleanup());

  it('promtool check metrics on the SNMP collectors (labels with quotes and backslashes): no errors, no unknown lint', async () => {
    const text = snmpText;
    expect(text).toMatch(/^simpul_interface_receive_bytes_total\{/m);
    expect(text).toMatch(/^simpul_link_utilization_ratio\{/m);
    const r = checkMetrics(text);
    expect(r.status, r.output).not.toBe(1);
    expect(r.lint.filter((l) => !ACCEPTED_LINT.has(l)), r.output).toEqual([]);
  });

  it("promtool check metrics on the lab daemon's whole /metrics: no errors; no unknown lint on the SNMP families (others' lint is listed, not failed)", () => {
    const text = daemonText();
    expect(text).toMatch(/^# TYPE /m);
    const r = checkMetrics(text);
    expect(r.status, r.output).not.toBe(1);
    const snmpFamily = /^simpul_(interface|link|device|snmp)_/;
    expect(r.lint.filter((l) => snmpFamily.test(l) && !ACCEPTED_LINT.has(l)), r.output).toEqual([]);
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

  it('every Grafana dashboard query is valid PromQL (checked as recording rules)', () => {
    const queries = dashboardQueries(DASHBOARD);
    expect(queries.length).toBeGreaterThan(10);
    // template variables take what "All" gives them
    const exprs = queries.map((q) => q.expr.replaceAll('$__rate_interval', '5m').replaceAll('$opd', '.*').replaceAll('$device', '.*'));
    const file = join(tmp.dir, 'dashboard-rules.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `simpul:dashboard_query_${i}`, expr })) }] }));
    const r = run(PROMTOOL as string, ['check', 'rules', file], { allowFail: true });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`${exprs.length} rules found`);
  });
});
