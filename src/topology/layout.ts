/**
 * Places a diagram for drawing with ELK (elkjs, the Eclipse Layout Kernel): devices in layers
 * from the routers down, each cable end a port carrying its port name, each cable label an edge
 * label. Every text is given its size before layout (monospace, so a width is a character count),
 * so ELK keeps boxes, port numbers and cable labels apart: nothing overlaps, on screen or printed.
 * Where a draw.io file gives every shape a position, the picture keeps the drawing's left-to-right
 * order in each row; YAML and files without geometry are placed by ELK alone.
 */
import ElkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { TopoNode, TopologyGraph } from './model.js';

export const FONT_SIZE = 11;
export const LINE_H = 14;
/** DejaVu Sans Mono / Liberation Mono advance at 11px is about 6.6px; a little more is safe. */
const CHAR_W = 6.8;
// A CommonJS module whose typings declare an ES default: the runtime default is the constructor.
const ELK = ElkBundled as unknown as new () => ElkApi;
const PAD = 8;
// Wide (East Asian) characters take two cells in a monospace font.
const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;

export const textWidth = (s: string): number => [...s].reduce((w, c) => w + (WIDE.test(c) ? 2 : 1), 0) * CHAR_W;

/** Text cut to `n` characters with an ellipsis, so one long name cannot stretch the picture. */
export const cut = (s: string, n: number): string => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface PlacedPort extends Box {
  text: string;
  label: Box | null;
}
export interface PlacedNode extends Box {
  id: string;
  /** Name, device id, address, then finding numbers: one per line. */
  lines: string[];
  /** Where ELK put the name block inside the box, clear of the port labels. */
  text: Box;
  ports: PlacedPort[];
}
export interface PlacedLink {
  id: string;
  points: { x: number; y: number }[];
  label: (Box & { text: string }) | null;
}
export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  links: PlacedLink[];
}

const nodeLines = (n: TopoNode, marks: string | undefined): string[] => [
  cut(n.label || n.id, 28),
  cut(n.deviceId ?? '-', 28),
  ...(n.mgmtIp ? [cut(n.mgmtIp, 40)] : []),
  ...(marks ? [marks] : []),
];

const OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '40',
  'elk.spacing.edgeNode': '20',
  'elk.spacing.edgeEdge': '14',
  'elk.spacing.edgeLabel': '6',
  'elk.spacing.labelNode': '6',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.padding': '[top=20,left=20,bottom=20,right=20]',
};

type Side = 'NORTH' | 'SOUTH' | 'WEST' | 'EAST';

/** Which side ELK put each port on in the first pass (ports sit on the node's border). */
function sidesOf(out: ElkNode): Map<string, Side> {
  const sides = new Map<string, Side>();
  for (const c of out.children ?? [])
    for (const p of c.ports ?? []) {
      const [x, y, w, h] = [p.x ?? 0, p.y ?? 0, c.width ?? 0, c.height ?? 0];
      const d: [number, Side][] = [
        [Math.abs(y + (p.height ?? 0)), 'NORTH'],
        [Math.abs(y - h), 'SOUTH'],
        [Math.abs(x + (p.width ?? 0)), 'WEST'],
        [Math.abs(x - w), 'EAST'],
      ];
      sides.set(p.id, d.sort((m, n) => m[0] - n[0])[0]![1]);
    }
  return sides;
}

interface Draft {
  lines: Map<string, string[]>;
  portText: Map<string, string>;
  ports: Map<string, string[]>;
  edges: ElkExtendedEdge[];
  linkIds: string[];
}

function draft(g: TopologyGraph, marks: ReadonlyMap<string, string>): Draft {
  const ids = new Set(g.nodes.map((n) => n.id));
  const d: Draft = { lines: new Map(), portText: new Map(), ports: new Map(g.nodes.map((n) => [n.id, []])), edges: [], linkIds: [] };
  g.links.forEach((l, i) => {
    // A cable with a loose end has nowhere to be drawn; its finding says so in words.
    if (l.a.node === null || l.b.node === null || !ids.has(l.a.node) || !ids.has(l.b.node)) return;
    const end = (node: string, port: string | undefined, side: 'a' | 'b') => {
      const id = `p${i}${side}`;
      d.ports.get(node)!.push(id);
      if (port) d.portText.set(id, cut(port, 16));
      return id;
    };
    const label = [l.label ? cut(l.label, 64) : '', marks.get(l.id) ?? ''].filter(Boolean).join(' ');
    d.edges.push({
      id: `e${i}`,
      sources: [end(l.a.node, l.a.port, 'a')],
      targets: [end(l.b.node, l.b.port, 'b')],
      ...(label ? { labels: [{ text: label, width: textWidth(label) + 4, height: LINE_H }] } : {}),
    });
    d.linkIds[i] = l.id;
  });
  for (const n of g.nodes) d.lines.set(n.id, nodeLines(n, marks.get(n.id)));
  return d;
}

const PORT = 6;
const BAND = LINE_H + 4;

/** Room a node keeps for its port labels on each side (known once sides are). */
function bands(ids: string[], d: Draft, sides?: Map<string, Side>) {
  const on = (s: Side) => ids.filter((p) => sides?.get(p) === s && d.portText.has(p));
  const widest = (ps: string[]) => Math.max(0, ...ps.map((p) => textWidth(d.portText.get(p)!)));
  return {
    top: on('NORTH').length ? BAND : 0,
    bottom: on('SOUTH').length ? BAND : 0,
    left: on('WEST').length ? widest(on('WEST')) + 8 : 0,
    right: on('EAST').length ? widest(on('EAST')) + 8 : 0,
    widest: widest(ids.filter((p) => d.portText.has(p))),
  };
}

function children(g: TopologyGraph, d: Draft, sides?: Map<string, Side>): ElkNode[] {
  return g.nodes.map((n, k) => {
    const ids = d.ports.get(n.id)!;
    const b = bands(ids, d, sides);
    const ls = d.lines.get(n.id)!;
    const w = Math.max(...ls.map(textWidth)) + 2 * PAD + b.left + b.right;
    const h = ls.length * LINE_H + 2 * PAD + b.top + b.bottom;
    // Port labels are centred on their port: ports far enough apart, and from the corners, never share ink.
    const gap = Math.max(b.widest + 10, BAND);
    const edge = b.widest / 2 + 4;
    return {
      id: `n${k}`,
      width: w,
      height: h,
      layoutOptions: {
        'elk.portConstraints': sides ? 'FIXED_SIDE' : 'FREE',
        'elk.nodeSize.constraints': 'PORTS MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${w},${h})`,
        'elk.spacing.portPort': String(gap),
        'elk.spacing.portsSurrounding': `[top=${b.top + 4},left=${edge},bottom=${b.bottom + 4},right=${edge}]`,
      },
      ports: ids.map((id) => ({ id, width: PORT, height: PORT, ...(sides?.has(id) ? { layoutOptions: { 'elk.port.side': sides.get(id)! } } : {}) })),
    };
  });
}

// Layers stay ELK's (routers on top, one cable further each row): drawn y often says little.
const INTERACTIVE: Record<string, string> = { 'elk.layered.crossingMinimization.semiInteractive': 'true' };

/**
 * Lay out `g`. `marks` gives, per node or link id, the text that points to its findings
 * (e.g. "! 1, 4"): it is sized with the rest, so it never covers anything either. Two passes:
 * the first learns which side of each device its cables leave from, the second makes room there
 * for the port numbers.
 */
export async function layoutDiagram(g: TopologyGraph, marks: ReadonlyMap<string, string> = new Map()): Promise<Layout> {
  const d = draft(g, marks);
  const elk = new ELK();
  // ELK ids are ours (n0, e0, p0a): ids from the upload never reach it.
  // Drawn positions, when every shape has one, keep the drawing's left-to-right order; ELK does the spacing.
  const drawn = g.nodes.length > 0 && g.nodes.every((n) => n.at) ? INTERACTIVE : {};
  const run = (sides: Map<string, Side> | undefined, hints: Record<string, string>) =>
    elk.layout({
      id: 'root',
      layoutOptions: { ...OPTIONS, ...hints },
      children: children(g, d, sides).map((c, k) => (hints === INTERACTIVE ? { ...c, x: g.nodes[k]!.at!.x, y: g.nodes[k]!.at!.y } : c)),
      edges: d.edges.map((e) => ({ ...e, sections: [] })),
    });
  const place = async (hints: Record<string, string>) => {
    const sides = sidesOf(await run(undefined, hints));
    return toLayout(await run(sides, hints), g, d, sides);
  };
  try {
    return await place(drawn);
  } catch (e) {
    // Positions ELK cannot honour (e.g. a cycle drawn upwards) are only hints: lay out without them.
    if (drawn === INTERACTIVE) return place({});
    throw e;
  }
}

function toLayout(out: ElkNode, g: TopologyGraph, d: Draft, sides: Map<string, Side>): Layout {
  const nodes: PlacedNode[] = (out.children ?? []).map((c, k) => {
    const n = g.nodes[k]!;
    const [x, y, w, h] = [c.x ?? 0, c.y ?? 0, c.width ?? 0, c.height ?? 0];
    const b = bands(d.ports.get(n.id)!, d, sides);
    return {
      id: n.id,
      x,
      y,
      w,
      h,
      lines: d.lines.get(n.id)!,
      text: { x: x + b.left, y: y + b.top + PAD, w: w - b.left - b.right, h: h - b.top - b.bottom - 2 * PAD },
      ports: (c.ports ?? []).map((p) => {
        const [px, py] = [x + (p.x ?? 0), y + (p.y ?? 0)];
        const t = d.portText.get(p.id) ?? '';
        const tw = textWidth(t);
        const side = sides.get(p.id);
        const label = !t
          ? null
          : side === 'NORTH'
            ? { x: px + PORT / 2 - tw / 2, y: y + 3, w: tw, h: LINE_H }
            : side === 'SOUTH'
              ? { x: px + PORT / 2 - tw / 2, y: y + h - LINE_H - 3, w: tw, h: LINE_H }
              : side === 'WEST'
                ? { x: x + 4, y: py + PORT / 2 - LINE_H / 2, w: tw, h: LINE_H }
                : { x: x + w - 4 - tw, y: py + PORT / 2 - LINE_H / 2, w: tw, h: LINE_H };
        return { x: px, y: py, w: p.width ?? PORT, h: p.height ?? PORT, text: t, label };
      }),
    };
  });
  const links: PlacedLink[] = (out.edges ?? []).map((e) => {
    const s = e.sections?.[0];
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    const l = e.labels?.[0];
    return {
      id: d.linkIds[Number(e.id.slice(1))]!,
      points,
      label: l ? { x: l.x ?? 0, y: l.y ?? 0, w: l.width ?? 0, h: l.height ?? 0, text: l.text ?? '' } : null,
    };
  });
  return { width: out.width ?? 0, height: out.height ?? 0, nodes, links };
}
