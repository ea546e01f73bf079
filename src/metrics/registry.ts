import { collectDefaultMetrics, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

// C0 and C1 controls and DEL: prom-client escapes only \\, " and \n, so a NUL or an ANSI escape from
// an imported name would reach Prometheus (and a terminal running curl) raw.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
export const safeLabelValue = (v: string): string => v.replace(CONTROL, '\uFFFD');
/** A label value as it is written between the quotes of the exposition text: cleaned, then escaped as prom-client does. */
export const exposedLabelValue = (v: string): string => safeLabelValue(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/**
 * A metric family that writes its own exposition text (HELP, TYPE and samples, label values through
 * exposedLabelValue), for families too large to rebuild through prom-client at every scrape.
 */
export interface TextMetric {
  exposition(): Promise<string>;
}
const isTextMetric = (m: object): m is TextMetric => typeof (m as Partial<TextMetric>).exposition === 'function';

type Labels = Record<string, string | number>;
const cleanLabels = (labels: Labels | undefined): Labels | undefined => {
  if (!labels) return labels;
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) out[k] = typeof v === 'string' ? safeLabelValue(v) : v;
  return out;
};
const cleanMetric = <T extends MetricObjectWithValues<MetricValue<string>>>(m: T): T => ({
  ...m,
  values: m.values?.map((v) => ({
    ...v,
    labels: cleanLabels(v.labels as Labels),
    ...('sharedLabels' in v ? { sharedLabels: cleanLabels(v.sharedLabels as Labels) } : {}),
  })),
});

interface Formattable {
  get(): Promise<MetricObjectWithValues<MetricValue<string>>>;
  getForPromString?(): Promise<MetricObjectWithValues<MetricValue<string>>>;
}
const format = (Registry.prototype as unknown as { getMetricsAsString(m: Formattable): Promise<string> }).getMetricsAsString;

/**
 * Label values are cleaned where every metric is written out, so no domain (IPAM pool names, device
 * names from the inventory, anything later) has to remember to.
 */
class SafeLabelRegistry extends Registry {
  // prom-client's metrics() and getSingleMetricAsString() both format each metric here.
  getMetricsAsString(metric: Formattable): Promise<string> {
    if (isTextMetric(metric)) return metric.exposition();
    const read = async () => cleanMetric(await (metric.getForPromString ? metric.getForPromString() : metric.get()));
    return format.call(this, { get: read });
  }

  override async getMetricsAsJSON(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return (await super.getMetricsAsJSON()).map(cleanMetric);
  }
}

/** One registry per daemon (tests run several daemons in one process). */
export function createRegistry(): Registry {
  const registry = new SafeLabelRegistry();
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
