/**
 * The normalized diagram drawn as SVG, so the NOC and the OPD look at the same picture. Layout
 * is deterministic: routers on top, then each layer the devices one cable further away, sorted
 * by id; shapes with findings get a red (error) or orange (warning) outline and the messages as
 * tooltips. Every piece of text from the upload is XML-escaped.
 */
import type { Lang } from '../labels/messages.js';
import type { Finding, Severity, TopoNode, TopologyGraph } from './model.js';

// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text safe inside XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const W = 150;
const H = 56;
const GAP_X = 40;
const GAP_Y = 90;
const MARGIN = 30;

const COLORS: Record<Severity, string> = { error: '#d32f2f', warning: '#f57c00', info: '#607d8b' };
const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

const isRouter = (n: TopoNode) => /rtr|router|core|edge/i.test(`${n.deviceId ?? ''} ${n.code ?? ''}`);

/** Layers by distance (in cables) from the routers; devices with no cable to them go last. */
function layers(g: TopologyGraph): TopoNode[][] {
  const sorted = [...g.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const adj = new Map<string, string[]>(sorted.map((n) => [n.id, []]));
  for (const l of g.links)
    if (l.a.node !== null && l.b.node !== null && adj.has(l.a.node) && adj.has(l.b.node)) {
      adj.get(l.a.node)?.push(l.b.node);
      adj.get(l.b.node)?.push(l.a.node);
    }
  const depth = new Map<string, number>();
  let frontier = sorted.filter(isRouter).map((n) => n.id);
  if (frontier.length === 0 && sorted[0]) frontier = [sorted[0].id];
  for (const id of frontier) depth.set(id, 0);
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const m of [...(adj.get(id) ?? [])].sort())
        if (!depth.has(m)) {
          depth.set(m, d);
          next.push(m);
        }
    frontier = next;
  }
  const maxDepth = Math.max(0, ...depth.values());
  const out: TopoNode[][] = [];
  for (const n of sorted) {
    const d = depth.get(n.id) ?? maxDepth + 1;
    (out[d] ??= []).push(n);
  }
  return out.filter((l) => l && l.length > 0);
}

function worst(findings: readonly Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) if (f.severity !== 'info') m.set(f.element, [...(m.get(f.element) ?? []), f]);
  for (const list of m.values()) list.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  return m;
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Render a diagram; `findings` highlight the nodes and links they name, tooltips in `lang`. */
export function renderSvg(g: TopologyGraph, findings: readonly Finding[] = [], lang: Lang = 'id'): string {
  const rows = layers(g);
  const pos = new Map<string, { x: number; y: number }>();
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = MARGIN * 2 + widest * W + (widest - 1) * GAP_X;
  rows.forEach((row, i) => {
    const rowWidth = row.length * W + (row.length - 1) * GAP_X;
    const x0 = (width - rowWidth) / 2;
    row.forEach((n, j) => pos.set(n.id, { x: x0 + j * (W + GAP_X), y: MARGIN + i * (H + GAP_Y) }));
  });
  const height = MARGIN * 2 + rows.length * H + Math.max(0, rows.length - 1) * GAP_Y;
  const marks = worst(findings);
  const title = (id: string) => {
    const fs = marks.get(id);
    return fs ? `<title>${escapeXml(fs.map((f) => `${f.code}: ${f.message[lang]}`).join('\n'))}</title>` : '';
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const l of g.links) {
    const a = l.a.node === null ? undefined : pos.get(l.a.node);
    const b = l.b.node === null ? undefined : pos.get(l.b.node);
    if (!a || !b) continue; // a dangling cable has nowhere to be drawn; its finding says so
    const sev = marks.get(l.id)?.[0]?.severity;
    const [ax, ay, bx, by] = [a.x + W / 2, a.y + H, b.x + W / 2, b.y];
    const [x1, y1, x2, y2] = a.y <= b.y ? [ax, ay, bx, by] : [b.x + W / 2, b.y + H, a.x + W / 2, a.y];
    const stroke = sev ? COLORS[sev] : '#455a64';
    out.push(
      `<g class="link" data-id="${escapeXml(l.id)}">${title(l.id)}<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${stroke}" stroke-width="${sev ? 3 : 1.5}"/>`,
    );
    const portA = a.y <= b.y ? l.a.port : l.b.port;
    const portB = a.y <= b.y ? l.b.port : l.a.port;
    if (portA) out.push(`<text x="${x1 + 4}" y="${y1 + 12}" fill="#37474f">${escapeXml(cut(portA, 16))}</text>`);
    if (portB) out.push(`<text x="${x2 + 4}" y="${y2 - 4}" fill="#37474f">${escapeXml(cut(portB, 16))}</text>`);
    if (l.label)
      out.push(`<text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2}" text-anchor="middle" font-size="9" fill="#263238">${escapeXml(cut(l.label, 48))}</text>`);
    out.push('</g>');
  }
  for (const n of g.nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    const sev = marks.get(n.id)?.[0]?.severity;
    out.push(
      `<g class="node" data-id="${escapeXml(n.id)}">${title(n.id)}<rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6" fill="#eceff1" stroke="${sev ? COLORS[sev] : '#90a4ae'}" stroke-width="${sev ? 3 : 1}"/>`,
      `<text x="${p.x + W / 2}" y="${p.y + 18}" text-anchor="middle" font-weight="bold">${escapeXml(cut(n.label, 22))}</text>`,
      `<text x="${p.x + W / 2}" y="${p.y + 33}" text-anchor="middle">${escapeXml(cut(n.deviceId ?? '-', 24))}</text>`,
      `<text x="${p.x + W / 2}" y="${p.y + 47}" text-anchor="middle" fill="#546e7a">${escapeXml(cut(n.mgmtIp ?? '', 24))}</text>`,
      '</g>',
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
