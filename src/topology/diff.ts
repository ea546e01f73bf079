/**
 * What changed between two versions of an OPD's diagram: the change report the regulation asks
 * for. Devices are matched by inventory id (draw.io cell ids change on every copy and paste),
 * cables by the devices and ports at their ends, then by label (a cable moved to another port).
 */
import { normalizeInterface } from '../labels/interfaces.js';
import type { TopoLink, TopoNode, TopologyGraph } from './model.js';

export interface NodeChange {
  key: string;
  before: TopoNode;
  after: TopoNode;
  fields: string[];
}

export interface LinkChange {
  key: string;
  before: TopoLink;
  after: TopoLink;
  fields: string[];
}

export interface GraphDiff {
  devices: { added: TopoNode[]; removed: TopoNode[]; changed: NodeChange[] };
  links: { added: TopoLink[]; removed: TopoLink[]; changed: LinkChange[] };
  /** True when nothing changed. */
  empty: boolean;
}

const nodeKey = (n: TopoNode) => (n.deviceId ? `device:${n.deviceId.toLowerCase()}` : `name:${n.label.toLowerCase()}`);

const sameSet = (x: readonly string[], y: readonly string[], norm: (s: string) => string = (s) => s) => {
  const nx = x.map(norm).sort();
  const ny = y.map(norm).sort();
  return nx.length === ny.length && nx.every((v, i) => v === ny[i]);
};

function nodeFields(a: TopoNode, b: TopoNode): string[] {
  const f: string[] = [];
  if (a.label !== b.label) f.push('label');
  if ((a.model ?? '') !== (b.model ?? '')) f.push('model');
  if ((a.mgmtIp ?? '') !== (b.mgmtIp ?? '')) f.push('mgmtIp');
  if (!sameSet(a.ips, b.ips)) f.push('ips');
  if (!sameSet(a.ports, b.ports, normalizeInterface)) f.push('ports');
  if ((a.space ?? '') !== (b.space ?? '')) f.push('space');
  if ((a.code ?? '') !== (b.code ?? '')) f.push('code');
  return f;
}

/** `ends` are the link's a and b endpoint keys, in the link's own orientation. */
type Keyed = { key: string; link: TopoLink; ends: [string, string] };

/** Which of the new link's sides (a, b) moved, whichever way round the line was drawn. */
function movedSides(before: [string, string], after: [string, string]): string[] {
  const [pa, pb] = before;
  const [na, nb] = after;
  if (pa === na || pb === nb) return [...(pa !== na ? ['a'] : []), ...(pb !== nb ? ['b'] : [])];
  if (pa === nb) return ['a'];
  if (pb === na) return ['b'];
  return ['a', 'b'];
}

function keyedLinks(g: TopologyGraph): Keyed[] {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const end = (ep: TopoLink['a']) => {
    const n = ep.node === null ? undefined : byId.get(ep.node);
    return `${n ? nodeKey(n) : `loose:${ep.node ?? '-'}`}|${ep.port === undefined ? '' : normalizeInterface(ep.port)}`;
  };
  return g.links.map((link) => {
    const a = end(link.a);
    const b = end(link.b);
    return { key: a < b ? `${a}/${b}` : `${b}/${a}`, link, ends: [a, b] };
  });
}

/** Diff two versions; `before` may be undefined for the first upload (everything is added). */
export function diffGraphs(before: TopologyGraph | undefined, after: TopologyGraph): GraphDiff {
  const prevNodes = new Map((before?.nodes ?? []).map((n) => [nodeKey(n), n]));
  const nextNodes = new Map(after.nodes.map((n) => [nodeKey(n), n]));
  const devices: GraphDiff['devices'] = { added: [], removed: [], changed: [] };
  for (const [k, n] of nextNodes) {
    const p = prevNodes.get(k);
    if (!p) devices.added.push(n);
    else {
      const fields = nodeFields(p, n);
      if (fields.length) devices.changed.push({ key: k, before: p, after: n, fields });
    }
  }
  for (const [k, n] of prevNodes) if (!nextNodes.has(k)) devices.removed.push(n);

  const prev = keyedLinks(before ?? { source: after.source, nodes: [], links: [] });
  const next = keyedLinks(after);
  const links: GraphDiff['links'] = { added: [], removed: [], changed: [] };
  const prevByKey = new Map(prev.map((x) => [x.key, x]));
  const unmatchedNext: Keyed[] = [];
  const matchedPrev = new Set<string>();
  for (const x of next) {
    const p = prevByKey.get(x.key);
    if (p && !matchedPrev.has(p.key)) {
      matchedPrev.add(p.key);
      const fields = [
        ...((p.link.label ?? '') !== (x.link.label ?? '') ? ['label'] : []),
        ...((p.link.farLabel ?? '') !== (x.link.farLabel ?? '') ? ['farLabel'] : []),
      ];
      if (fields.length) links.changed.push({ key: x.key, before: p.link, after: x.link, fields });
    } else unmatchedNext.push(x);
  }
  // A cable whose label stayed but whose ends moved is a change, not a removal plus an addition.
  const prevByLabel = new Map<string, Keyed>();
  for (const p of prev) if (!matchedPrev.has(p.key) && p.link.label) prevByLabel.set(p.link.label, p);
  for (const x of unmatchedNext) {
    const p = x.link.label ? prevByLabel.get(x.link.label) : undefined;
    if (p && !matchedPrev.has(p.key)) {
      matchedPrev.add(p.key);
      links.changed.push({ key: x.key, before: p.link, after: x.link, fields: movedSides(p.ends, x.ends) });
    } else links.added.push(x.link);
  }
  for (const p of prev) if (!matchedPrev.has(p.key)) links.removed.push(p.link);

  const byId = <T extends { id: string }>(xs: T[]) => xs.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  byId(devices.added);
  byId(devices.removed);
  byId(links.added);
  byId(links.removed);
  devices.changed.sort((x, y) => (x.key < y.key ? -1 : 1));
  links.changed.sort((x, y) => (x.key < y.key ? -1 : 1));
  const empty = [devices.added, devices.removed, devices.changed, links.added, links.removed, links.changed].every((l) => l.length === 0);
  return { devices, links, empty };
}
