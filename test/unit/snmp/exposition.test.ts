import { describe, expect, it } from 'vitest';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Metric } from 'prom-client';
import { createRegistry } from '../../../src/metrics/registry.js';
import { InterfaceExposition, type InterfaceSource } from '../../../src/snmp/exposition.js';
import type { BackboneLink } from '../../../src/snmp/backbone.js';
import type { InterfaceView } from '../../../src/snmp/poller.js';

interface Dev {
  id: string;
  opd?: string;
  state: string;
  ports: InterfaceView[];
}

const port = (ifIndex: number, name: string, more: Partial<InterfaceView> = {}): InterfaceView => ({
  ifIndex,
  name,
  descr: name,
  alias: '',
  operStatus: 1,
  operUp: true,
  speedBps: 1e9,
  totals: {
    inOctets: BigInt(ifIndex * 1000),
    outOctets: 2n ** 40n + BigInt(ifIndex),
    inErrors: 3n,
    outErrors: 0n,
    inDiscards: 1n,
    outDiscards: BigInt(ifIndex % 7),
  },
  ...more,
});

/** A fleet as plain data, read through the same interface the Poller offers. */
class Fleet implements InterfaceSource {
  constructor(public devices: Dev[]) {}
  devicesState() {
    return this.devices.map(({ id, opd, state }) => (opd === undefined ? { id, state } : { id, opd, state }));
  }
  interfaces(id: string) {
    return this.devices.find((d) => d.id === id)?.ports.map((p) => ({ ...p, totals: { ...p.totals } }));
  }
  findInterface(id: string, p: string | number) {
    return this.devices.find((d) => d.id === id)?.ports.find((x) => x.ifIndex === p || x.name === p);
  }
}

const fleet = () =>
  new Fleet([
    {
      id: 'core',
      opd: 'DISKOMINFO',
      state: 'up',
      ports: [
        port(1, 'Gi1/0/1', { alias: 'to "DINKES" \\ backbone' }),
        port(2, 'Gi1/0/2', { alias: 'two\nlines\u0000\u001b[31m\u0085', operStatus: 2, operUp: false }),
        port(3, 'Gi1/0/3', { alias: 'Ünïcode ポート', speedBps: undefined }),
      ],
    },
    // does not answer: no oper status sample, totals kept
    { id: 'dinkes-sw01', state: 'down', ports: [port(1, 'ether1'), port(2, 'ether2')] },
    // an agent that repeats ifName: one series, counters summed, as prom-client makes it
    { id: 'dup', opd: 'DINKES', state: 'degraded', ports: [port(1, 'port'), port(2, 'port', { operStatus: 2, operUp: false }), port(3, 'other')] },
    { id: 'empty', opd: 'X', state: 'unknown', ports: [] },
    // more interfaces than one chunk, so the text is written across yields
    ...Array.from({ length: 50 }, (_, n) => ({
      id: `sw${n}`,
      opd: `OPD${n % 7}`,
      state: 'up',
      ports: Array.from({ length: 48 }, (_, i) => port(i + 1, `Gi1/0/${i + 1}`, { alias: `desk ${n}-${i}` })),
    })),
  ]);

const LINKS: BackboneLink[] = [{ id: 'core-dinkes', a: { device: 'core', port: 'Gi1/0/1' }, b: { device: 'dinkes-sw01', port: 'ether1' }, capacityMbps: 100 }];

/** Both registries over the same fleet: the writer's text, and prom-client formatting the same series from their values. */
function registries(source: InterfaceSource, links: () => BackboneLink[]) {
  const text = createRegistry();
  const values = createRegistry();
  const metrics = new InterfaceExposition(source, links).metrics();
  for (const m of metrics) {
    text.registerMetric(m as unknown as Metric);
    const { exposition: _, ...plain } = m;
    values.registerMetric(plain as unknown as Metric);
  }
  // the interface families only (the daemon's registry also has the process metrics)
  const read = (r: typeof text) => async () => (await Promise.all(metrics.map((m) => r.getSingleMetricAsString(m.name)))).join('\n\n');
  return { text: read(text), values: read(values) };
}

const unescapeLabel = (v: string): string => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** Samples as `name{sorted labels} value` (duplicates kept, so a repeated series shows), and the HELP/TYPE lines. */
function parse(text: string): { samples: string[]; meta: string[] } {
  const samples: string[] = [];
  const meta: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      meta.push(line);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}=${JSON.stringify(unescapeLabel(l[2] as string))}`);
    samples.push(`${m[1]}{${labels.sort().join(',')}} ${Number(m[3])}`);
  }
  return { samples: samples.sort(), meta: meta.sort() };
}

const sampleOf = (text: string, start: string): string | undefined => text.split('\n').find((l) => l.startsWith(start));

describe('per-interface exposition writer', () => {
  it("writes the same samples, HELP and TYPE as prom-client's own formatting of the same series, before and after labels change", async () => {
    const f = fleet();
    let links = LINKS;
    const { text, values } = registries(f, () => links);
    const compare = async () => {
      const a = await text();
      const b = await values();
      const [pa, pb] = [parse(a), parse(b)];
      expect(pa.meta).toEqual(pb.meta);
      expect(pa.samples.length).toBe(pb.samples.length);
      // one string: a diff of 19,000 array elements is slow to compute
      expect(pa.samples.join('\n')).toBe(pb.samples.join('\n'));
      return a;
    };
    const first = await compare();
    // no speed on Gi1/0/3, no oper status while down, the two 'port' interfaces are one series
    expect(parse(first).samples.length).toBe(8 * (3 + 2 + 3 + 2400) - 1 - 2 - 8);
    expect(sampleOf(first, 'simpul_interface_receive_bytes_total{device="core"')).toBe(
      'simpul_interface_receive_bytes_total{device="core",opd="DISKOMINFO",interface="Gi1/0/1",alias="to \\"DINKES\\" \\\\ backbone",link="core-dinkes"} 1000',
    );
    expect(sampleOf(first, 'simpul_interface_receive_bytes_total{device="dup"')).toBe(
      'simpul_interface_receive_bytes_total{device="dup",opd="DINKES",interface="port",alias="",link=""} 3000',
    );
    for (const line of first.split('\n')) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);

    // labels change (alias, OPD, link), a port and a device go, values move: the kept label text follows
    const core = f.devices[0] as Dev;
    (core.ports[0] as InterfaceView).alias = 'renamed';
    (core.ports[1] as InterfaceView).totals.inOctets += 5n;
    core.opd = 'CORE';
    core.ports.pop();
    f.devices.splice(2, 1);
    links = [{ ...LINKS[0], id: 'core-dinkes-2' } as BackboneLink];
    const second = await compare();
    expect(sampleOf(second, 'simpul_interface_receive_bytes_total{device="core"')).toBe(
      'simpul_interface_receive_bytes_total{device="core",opd="CORE",interface="Gi1/0/1",alias="renamed",link="core-dinkes-2"} 1000',
    );
    expect(second).not.toContain('device="dup"');
    expect(second).not.toContain('device="core",opd="CORE",interface="Gi1/0/3"');
    expect(sampleOf(second, 'simpul_interface_receive_bytes_total{device="core",opd="CORE",interface="Gi1/0/2"')).toMatch(/ 2005$/);
  });

  it('gives the event loop turns while it writes a large fleet, and scrapes that overlap share one render', async () => {
    const { text } = registries(fleet(), () => LINKS);
    let turns = 0;
    let done = false;
    const scrape = Promise.all([text(), text()]).finally(() => (done = true));
    while (!done) {
      await yieldToLoop();
      turns++;
    }
    const [a, b] = await scrape;
    expect(turns).toBeGreaterThan(1);
    expect(a).toBe(b);
  });
});
