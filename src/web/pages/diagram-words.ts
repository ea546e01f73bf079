/**
 * Diagram versions put into what an office admin reads on the pages: numbered findings in one
 * language (the numbers the picture shows), and the changes between versions as rows of words.
 */
import type { Lang } from '../../i18n/i18n.js';
import type { GraphDiff } from '../../topology/diff.js';
import type { Finding, TopoLink, TopoNode } from '../../topology/model.js';
import { numberFindings } from '../../topology/picture.js';

export interface FindingRow {
  n: number;
  severity: Finding['severity'];
  code: string;
  text: string;
}

export const findingRows = (findings: readonly Finding[], lang: Lang): FindingRow[] =>
  numberFindings(findings).map((f) => ({ n: f.n, severity: f.severity, code: f.code, text: f.message[lang] }));

export const nodeName = (n: TopoNode): string =>
  n.deviceId && n.label && n.deviceId.toLowerCase() !== n.label.toLowerCase() ? `${n.label} (${n.deviceId})` : n.label || n.deviceId || n.id;

/** "bappeda-sw01:24 – bappeda-ap01:ether1 (BAPPEDA.L1R01...)"; ends named by device id where known. */
export function linkName(l: TopoLink, nodes: ReadonlyMap<string, TopoNode>): string {
  const end = (e: TopoLink['a']) => {
    const n = e.node === null ? undefined : nodes.get(e.node);
    return `${n ? (n.deviceId ?? n.label) : '?'}${e.port ? `:${e.port}` : ''}`;
  };
  return `${end(l.a)} – ${end(l.b)}${l.label ? ` (${l.label})` : ''}`;
}

export interface ChangeRow {
  /** Key under diagrams:changes.* */
  kind: 'deviceAdded' | 'deviceRemoved' | 'deviceChanged' | 'cableAdded' | 'cableRemoved' | 'cableChanged';
  what: string;
  /** Changed fields, keys under diagrams:fields.* */
  fields: string[];
}

/** `nodes`: every node either version drew, so both added and removed cables name their ends. */
export function changeRows(diff: GraphDiff, nodes: readonly TopoNode[]): ChangeRow[] {
  const byId = new Map<string, TopoNode>();
  for (const n of [...nodes, ...diff.devices.removed, ...diff.devices.added]) if (!byId.has(n.id)) byId.set(n.id, n);
  return [
    ...diff.devices.added.map((n): ChangeRow => ({ kind: 'deviceAdded', what: nodeName(n), fields: [] })),
    ...diff.devices.removed.map((n): ChangeRow => ({ kind: 'deviceRemoved', what: nodeName(n), fields: [] })),
    ...diff.devices.changed.map((c): ChangeRow => ({ kind: 'deviceChanged', what: nodeName(c.after), fields: c.fields })),
    ...diff.links.added.map((l): ChangeRow => ({ kind: 'cableAdded', what: linkName(l, byId), fields: [] })),
    ...diff.links.removed.map((l): ChangeRow => ({ kind: 'cableRemoved', what: linkName(l, byId), fields: [] })),
    ...diff.links.changed.map((c): ChangeRow => ({ kind: 'cableChanged', what: linkName(c.after, byId), fields: c.fields })),
  ];
}
