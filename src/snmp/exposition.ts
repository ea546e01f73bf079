/**
 * The per-interface series of /metrics (bytes, errors, discards, oper status, speed), written as
 * exposition text directly. prom-client rebuilds every labelled series at each scrape (a label
 * object, a hash key and an escaped label string per sample); here each interface's escaped
 * label text is kept between scrapes and only the values are written, in chunks with a yield to
 * the event loop between them, so a scrape of a large fleet never holds up SNMP replies.
 *
 * The daemon's registry (metrics/registry.ts) takes the text as is; any other prom-client
 * Registry (and getMetricsAsJSON) reads the same series through prom-client's own Counter and
 * Gauge, so both paths give the same samples (test/unit/snmp/exposition.test.ts).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Counter, Gauge, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { exposedLabelValue, type TextMetric } from '../metrics/registry.js';
import { currentPort } from './backbone.js';
import type { BackboneLink } from './backbone.js';
import type { InterfaceView } from './poller.js';

/** What the writer reads from the poller (the Poller class satisfies it). */
export interface InterfaceSource {
  devicesState(): Array<{ id: string; opd?: string; state: string }>;
  interfaces(deviceId: string): InterfaceView[] | undefined;
  findInterface(deviceId: string, port: string | number): { ifIndex: number } | undefined;
}

/** A registry entry: prom-client's metric shape (name, get, reset) plus the text for the daemon's registry. */
export interface RegistryTextMetric extends TextMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  aggregator: 'sum';
  get(): Promise<MetricObjectWithValues<MetricValue<string>>>;
  reset(): void;
}

type Port = Pick<InterfaceView, 'operUp' | 'operStatus' | 'speedBps' | 'totals'>;
type Direction = 'in' | 'out';

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** One sample per interface, or one per direction; undefined: no sample. */
  series: Array<{ direction?: Direction; value: (p: Port) => number | undefined }>;
}

/** `link` names the backbone link the interface is an end of ('' for other interfaces), so a link's ports can be selected. */
const IF_LABELS = ['device', 'opd', 'interface', 'alias', 'link'] as const;
type IfLabels = Record<(typeof IF_LABELS)[number], string>;

const FAMILIES: Family[] = [
  {
    name: 'simpul_interface_receive_bytes_total',
    help: 'Bytes received by the interface, accumulated from counter deltas (monotonic across counter wraps and device reboots)',
    type: 'counter',
    series: [{ value: (p) => Number(p.totals.inOctets) }],
  },
  {
    name: 'simpul_interface_transmit_bytes_total',
    help: 'Bytes transmitted by the interface, accumulated from counter deltas (monotonic across counter wraps and device reboots)',
    type: 'counter',
    series: [{ value: (p) => Number(p.totals.outOctets) }],
  },
  {
    name: 'simpul_interface_errors_total',
    help: 'Interface errors (ifInErrors, ifOutErrors), accumulated from counter deltas',
    type: 'counter',
    series: [
      { direction: 'in', value: (p) => Number(p.totals.inErrors) },
      { direction: 'out', value: (p) => Number(p.totals.outErrors) },
    ],
  },
  {
    name: 'simpul_interface_discards_total',
    help: 'Interface discards (ifInDiscards, ifOutDiscards), accumulated from counter deltas',
    type: 'counter',
    series: [
      { direction: 'in', value: (p) => Number(p.totals.inDiscards) },
      { direction: 'out', value: (p) => Number(p.totals.outDiscards) },
    ],
  },
  {
    name: 'simpul_interface_oper_up',
    help: '1 when ifOperStatus is up(1), else 0; no sample while the device does not answer (see simpul_device_up)',
    type: 'gauge',
    series: [{ value: (p) => (p.operStatus === undefined ? undefined : p.operUp ? 1 : 0) }],
  },
  {
    name: 'simpul_interface_speed_bits_per_second',
    help: 'Interface speed (ifHighSpeed, else ifSpeed)',
    type: 'gauge',
    series: [{ value: (p) => p.speedBps }],
  },
];

/** Interfaces written between two yields to the event loop (a few milliseconds of work). */
const CHUNK = 1000;

/** Each sample's slot in a port's caches, by family. */
const FAMILY_SLOTS = FAMILIES.map((f, k) => f.series.map((ser, j) => ({ ser, pre: `\n${f.name}`, slot: 2 * k + j })));

/** What is kept of an interface between scrapes, while its labels stay the same. */
interface PortText {
  opd: string;
  name: string;
  alias: string;
  link: string;
  /** `{device="..",...,link=".."} `, and the same with direction="in" / "out". */
  plain: string;
  in: string;
  out: string;
  /** By slot: the value last written, and its line (rewritten only when the value moves). */
  values: Array<number | undefined>;
  lines: string[];
}

const portText = (l: IfLabels): PortText => {
  const body = IF_LABELS.map((k) => `${k}="${exposedLabelValue(l[k])}"`).join(',');
  return {
    opd: l.opd,
    name: l.interface,
    alias: l.alias,
    link: l.link,
    plain: `{${body}} `,
    in: `{${body},direction="in"} `,
    out: `{${body},direction="out"} `,
    values: [],
    lines: [],
  };
};

export class InterfaceExposition {
  /** device -> ifIndex -> label text. */
  private readonly ports = new Map<string, Map<number, PortText>>();
  private pending: Promise<string[]> | undefined;

  constructor(
    private readonly source: InterfaceSource,
    private readonly links: () => BackboneLink[] = () => [],
  ) {}

  /** The six families as registry metrics: exposition text for the daemon's registry, prom-client values for any other. */
  metrics(): RegistryTextMetric[] {
    return FAMILIES.map((f, k) => {
      const labelNames = f.series[0]?.direction ? [...IF_LABELS, 'direction'] : [...IF_LABELS];
      // not registered anywhere: only fills get() for registries that read values
      const values =
        f.type === 'counter'
          ? new Counter({ name: f.name, help: f.help, labelNames, registers: [] })
          : new Gauge({ name: f.name, help: f.help, labelNames, registers: [] });
      return {
        name: f.name,
        help: f.help,
        type: f.type,
        aggregator: 'sum',
        exposition: async () => (await this.render())[k] as string,
        get: async () => {
          values.reset();
          this.eachPort((l, p) => {
            for (const s of f.series) {
              const v = s.value(p);
              if (v === undefined) continue;
              const labels = s.direction ? { ...l, direction: s.direction } : l;
              if (values instanceof Counter) values.inc(labels, v);
              else values.set(labels, v);
            }
          });
          return values.get();
        },
        reset: () => undefined,
      };
    });
  }

  /** The text of every family; scrapes that arrive while one is being written share it. */
  render(): Promise<string[]> {
    this.pending ??= this.write().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private linkOf(): Map<string, string> {
    const out = new Map<string, string>();
    for (const l of this.links()) {
      for (const e of [l.a, l.b]) {
        const itf = this.source.findInterface(e.device, e.port);
        if (itf) out.set(`${e.device}\0${itf.ifIndex}`, l.id);
      }
    }
    return out;
  }

  /** Every interface of every device with its labels, as it stands now (prom-client's path). */
  private eachPort(fn: (l: IfLabels, p: Port) => void): void {
    const linkOf = this.linkOf();
    for (const dev of this.source.devicesState()) {
      for (const itf of this.source.interfaces(dev.id) ?? []) {
        fn(
          { device: dev.id, opd: dev.opd ?? '', interface: itf.name, alias: itf.alias, link: linkOf.get(`${dev.id}\0${itf.ifIndex}`) ?? '' },
          currentPort(itf, dev.state),
        );
      }
    }
  }

  private async write(): Promise<string[]> {
    const linkOf = this.linkOf();
    // one string per family, grown by concatenation: V8 keeps it as a rope of the kept lines, so
    // the text is copied once, when the registry joins the families into the response
    const acc = FAMILIES.map((f) => `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}`);
    const live = new Set<string>();
    let written = 0;
    for (const dev of this.source.devicesState()) {
      const itfs = this.source.interfaces(dev.id);
      if (!itfs) continue;
      live.add(dev.id);
      const known = this.ports.get(dev.id) ?? new Map<number, PortText>();
      this.ports.set(dev.id, known);
      const opd = dev.opd ?? '';
      const rows: Array<[PortText, Port]> = [];
      const plains = new Set<string>();
      for (const itf of itfs) {
        const link = linkOf.get(`${dev.id}\0${itf.ifIndex}`) ?? '';
        let t = known.get(itf.ifIndex);
        if (!t || t.opd !== opd || t.name !== itf.name || t.alias !== itf.alias || t.link !== link) {
          t = portText({ device: dev.id, opd, interface: itf.name, alias: itf.alias, link });
          known.set(itf.ifIndex, t);
        }
        rows.push([t, currentPort(itf, dev.state)]);
        plains.add(t.plain);
      }
      if (known.size > itfs.length) {
        const present = new Set(itfs.map((x) => x.ifIndex));
        for (const i of known.keys()) if (!present.has(i)) known.delete(i);
      }
      // two interfaces with the same labels (agents repeat ifName) are one series, as prom-client makes them
      if (plains.size === rows.length) this.writeRows(acc, rows);
      else this.writeMerged(acc, rows);
      written += rows.length;
      if (written >= CHUNK) {
        written = 0;
        await yieldToLoop();
      }
    }
    for (const id of this.ports.keys()) if (!live.has(id)) this.ports.delete(id);
    return acc;
  }

  /** Family by family, interface by interface (prom-client's order); a line is rebuilt only when its value moved. */
  private writeRows(acc: string[], rows: Array<[PortText, Port]>): void {
    FAMILY_SLOTS.forEach((slots, k) => {
      let s = acc[k] as string;
      for (const [t, p] of rows) {
        for (const { ser, pre, slot } of slots) {
          const v = ser.value(p);
          if (v === undefined) continue;
          if (t.values[slot] !== v) {
            t.values[slot] = v;
            t.lines[slot] = pre + (ser.direction ? t[ser.direction] : t.plain) + v;
          }
          s += t.lines[slot] as string;
        }
      }
      acc[k] = s;
    });
  }

  /** Rows of which some share their labels: counters summed, the last gauge value kept. */
  private writeMerged(acc: string[], rows: Array<[PortText, Port]>): void {
    FAMILIES.forEach((f, k) => {
      const merged = new Map<string, number>();
      for (const [t, p] of rows) {
        for (const ser of f.series) {
          const v = ser.value(p);
          if (v === undefined) continue;
          const key = ser.direction ? t[ser.direction] : t.plain;
          merged.set(key, f.type === 'counter' ? (merged.get(key) ?? 0) + v : v);
        }
      }
      for (const [key, v] of merged) acc[k] += `\n${f.name}${key}${v}`;
    });
  }
}
