// A large OPD's LAN diagram end to end, without HTTP: 2,000 devices and 5,000 labelled cables
// drawn in draw.io (plain XML, as draw.io writes it), then the same diagram with compressed pages;
// each parsed and validated against a 2,000-device inventory, the OPD's blocks and LLDP neighbors
// for every cable (5% of them seen on another port). Prints time and peak memory (RSS and heap,
// sampled every 5 ms). Run: npx tsx bench/diagrams.ts [devices] [links]
import { deflateRawSync } from 'node:zlib';
import { parseDiagram } from '../src/topology/upload.js';
import { validateDiagram, type LldpNeighbor } from '../src/topology/validate.js';
import { renderSvg } from '../src/topology/render-svg.js';
import type { DeviceRef } from '../src/topology/model.js';

const DEVICES = Number(process.argv[2] ?? 2000);
const LINKS = Number(process.argv[3] ?? 5000);
const OPD = 'RSUD';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const pad = (n: number) => String(n).padStart(3, '0');

// 2 routers, then switches and APs in equal numbers (a label's device code allows 999 of a type).
const devices: (DeviceRef & { kind: 'RTR' | 'SW' | 'AP' })[] = [];
for (let i = 0; i < DEVICES; i++) {
  const kind = i < 2 ? 'RTR' : i % 2 === 0 ? 'SW' : 'AP';
  const n = kind === 'RTR' ? i + 1 : Math.floor((i - 2) / 2) + 1;
  const code = `${kind}${pad(n)}`;
  const floor = 1 + (i % 9);
  const space = `L${floor}R${String(1 + (i % 40)).padStart(2, '0')}`;
  devices.push({
    kind,
    id: `${OPD.toLowerCase()}-${code.toLowerCase()}`,
    opd: OPD,
    label: code,
    space,
    mgmt: `10.${100 + Math.floor(i / 250)}.${i % 250}.${1 + (i % 200)}`,
    ...(kind === 'AP' ? { interfaces: ['ether1', 'ether2'] } : { ports: kind === 'RTR' ? 512 : 48 }),
  });
}
const switches = devices.filter((d) => d.kind !== 'AP');
const nextPort = new Map<string, number>();
const take = (d: DeviceRef) => {
  if (d.interfaces) {
    const k = (nextPort.get(d.id) ?? 0) + 1;
    nextPort.set(d.id, k);
    return d.interfaces[k - 1] ?? `ether${k}`;
  }
  const k = (nextPort.get(d.id) ?? 0) + 1;
  nextPort.set(d.id, k);
  return String(k);
};
const end = (d: DeviceRef, port: string) => `${OPD}.${d.space}.${d.label}:${port}`;

interface Cable {
  a: DeviceRef;
  pa: string;
  b: DeviceRef;
  pb: string;
}
const cables: Cable[] = [];
// Every AP on a switch; then switch-to-switch cables until LINKS, spread over the switches.
for (const ap of devices.filter((d) => d.kind === 'AP')) {
  if (cables.length >= LINKS) break;
  const sw = switches[cables.length % switches.length]!;
  cables.push({ a: sw, pa: take(sw), b: ap, pb: take(ap) });
}
for (let i = 0; cables.length < LINKS; i++) {
  const a = switches[i % switches.length]!;
  const b = switches[(i * 7 + 1) % switches.length]!;
  if (a === b || (nextPort.get(a.id) ?? 0) >= (a.ports ?? 0) || (nextPort.get(b.id) ?? 0) >= (b.ports ?? 0)) continue;
  cables.push({ a, pa: take(a), b, pb: take(b) });
}

const cells: string[] = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>'];
devices.forEach((d, i) =>
  cells.push(
    `<object label="${esc(`${d.label} ${d.space}`)}" device="${d.id}" mgmt="${d.mgmt}" space="${d.space}" id="v${i}"><mxCell style="rounded=1;whiteSpace=wrap;html=1;" vertex="1" parent="1"><mxGeometry x="${(i % 50) * 160}" y="${Math.floor(i / 50) * 100}" width="140" height="60" as="geometry"/></mxCell></object>`,
  ),
);
const index = new Map(devices.map((d, i) => [d.id, i]));
cables.forEach((c, i) =>
  cells.push(
    `<object label="${esc(`${end(c.a, c.pa)}/${end(c.b, c.pb)}`)}" sourcePort="${c.pa}" targetPort="${c.pb}" id="e${i}"><mxCell style="endArrow=none;html=1;" edge="1" parent="1" source="v${index.get(c.a.id)}" target="v${index.get(c.b.id)}"><mxGeometry relative="1" as="geometry"/></mxCell></object>`,
  ),
);
const model = `<mxGraphModel dx="1422" dy="794" grid="1"><root>${cells.join('')}</root></mxGraphModel>`;
const plain = `<mxfile host="app.diagrams.net"><diagram id="big" name="LAN ${OPD}">${model}</diagram></mxfile>`;
const compressed = `<mxfile host="app.diagrams.net"><diagram id="big" name="LAN ${OPD}">${deflateRawSync(Buffer.from(encodeURIComponent(model))).toString('base64')}</diagram></mxfile>`;

// LLDP as a poller would have it: both ends of every cable; 5% seen on a neighbouring port.
const lldp: LldpNeighbor[] = [];
cables.forEach((c, i) => {
  const moved = i % 20 === 0 && !c.b.interfaces ? String(Number(c.pb) + 1) : c.pb;
  lldp.push({ deviceId: c.a.id, localPort: c.pa, remoteSysName: c.b.id, remotePort: moved });
  lldp.push({ deviceId: c.b.id, localPort: moved, remoteSysName: c.a.id, remotePort: c.pa });
});
const ctx = {
  opd: OPD,
  opds: [OPD],
  devices,
  allocated: ['10.100.0.0/14', '10.104.0.0/14'],
  lldp,
};

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timer = setInterval(sample, 5);
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

async function run(name: string, file: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 20));
  peakRss = 0;
  peakHeap = 0;
  const base = process.memoryUsage();
  const t0 = performance.now();
  const graph = parseDiagram(Buffer.from(file));
  const t1 = performance.now();
  sample();
  const report = validateDiagram(graph, ctx);
  const t2 = performance.now();
  sample();
  const svg = renderSvg(graph, report.findings);
  const t3 = performance.now();
  sample();
  const counts = report.findings.reduce<Record<string, number>>((m, f) => ((m[f.code] = (m[f.code] ?? 0) + 1), m), {});
  console.log(
    `${name}: ${mib(file.length)} file, ${graph.nodes.length} devices, ${graph.links.length} cables | parse ${(t1 - t0).toFixed(0)} ms, validate ${(t2 - t1).toFixed(0)} ms, svg ${(t3 - t2).toFixed(0)} ms (${mib(svg.length)}) | peak RSS ${mib(peakRss)} (start ${mib(base.rss)}), peak heap ${mib(peakHeap)} (start ${mib(base.heapUsed)})`,
  );
  console.log(`  findings: ${JSON.stringify(counts)}; cables ${JSON.stringify(report.cables)}`);
}

console.log(`node ${process.version}, ${DEVICES} devices, ${cables.length} cables, ${lldp.length} LLDP rows`);
await run('plain draw.io     ', plain);
await run('compressed draw.io', compressed);
clearInterval(timer);
