/**
 * A real Prometheus (Debian package `prometheus`) scraping a lab daemon's /metrics every second,
 * on a loopback port of its own with its TSDB in a temporary directory: the dashboards' queries
 * are evaluated by Prometheus itself over what it scraped, as Grafana would ask it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/daemon.js';
import { freeTcpPort, startPeer, waitFor, which, type Peer } from './peers.js';

export const PROMETHEUS = which('prometheus');

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface LabPrometheus {
  url: string;
  /** An instant query; throws with Prometheus' error when the query is refused. */
  query(expr: string): Promise<Sample[]>;
  /** Samples Prometheus has scraped of a series name so far (0 before the first scrape). */
  scrapes(): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

/** Start Prometheus scraping `target` (host:port) with a bearer token; resolves once it answers queries. */
export async function startLabPrometheus(target: string, token: string): Promise<LabPrometheus> {
  if (!PROMETHEUS) throw new Error('prometheus is not installed (scripts/install-interop-peers.sh)');
  const { dir, cleanup } = tempDir('simpul-prometheus-');
  const port = await freeTcpPort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(join(dir, 'token'), token);
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'simpul',
          metrics_path: '/metrics',
          authorization: { type: 'Bearer', credentials_file: join(dir, 'token') },
          static_configs: [{ targets: [target], labels: { instance: 'simpul' } }],
        },
      ],
    }),
  );
  const peer: Peer = startPeer(PROMETHEUS, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const query = async (expr: string): Promise<Sample[]> => {
    const r = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    const body = (await r.json()) as { status: string; error?: string; data?: { resultType: string; result: Sample[] | [number, string] } };
    if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error ?? r.status}`);
    const res = body.data?.result;
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: res as [number, string] }];
    return (res ?? []) as Sample[];
  };
  try {
    await waitFor('Prometheus to answer', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000, 250);
  } catch (e) {
    await peer.stop();
    cleanup();
    throw new Error(`${String(e)}\n${peer.output()}`);
  }
  return {
    url,
    query,
    async scrapes() {
      const r = await query('count_over_time(up{job="simpul"}[1h])');
      return Number(r[0]?.value[1] ?? 0);
    },
    output: () => peer.output(),
    async stop() {
      await peer.stop();
      cleanup();
    },
  };
}
