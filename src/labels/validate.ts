/**
 * What a well-formed label means, checked against the inventory and the OPD's diagram: both
 * OPDs and devices exist, the ports exist, the ends differ, no port carries two cables, a label
 * is unique in its OPD, the far-end sticker mirrors the near one, and the diagram agrees.
 */
import type { DeviceRef, Severity, TopoLink, TopoNode, TopologyGraph } from '../topology/model.js';
import { deviceCodeFromId } from '../topology/model.js';
import { defaultGrammar, mirrorLabel, parseLabel, type Grammar, type LabelEnd, type LabelSide, type ParsedLabel } from './grammar.js';
import { portExists, portKey, samePort, type PortSpec } from './interfaces.js';
import { msg, type Message, type MessageCode } from './messages.js';

export interface LabelContext {
  /** OPD codes in the inventory. */
  opds: readonly string[];
  /** Inventory devices (any OPD; each carries its own). */
  devices: readonly DeviceRef[];
  /** The OPD's current diagram, when there is one: its devices count as existing, its links are compared. */
  diagram?: TopologyGraph;
  grammar?: Grammar;
  /** OPD assumed when the grammar has no `opd` part. */
  opd?: string;
}

export interface LabelIssue {
  code: MessageCode;
  severity: Severity;
  part?: string;
  end?: LabelSide;
  column?: number;
  message: Message;
  /** The wording for an opd-admin when `message` would list another office's ports. */
  office?: Message;
}

export interface LabelCheck {
  text: string;
  /** True when no issue is an error. */
  ok: boolean;
  parsed?: ParsedLabel;
  /** Identity of the cable (both ends, order-free), when the label parses. */
  cable?: string;
  issues: LabelIssue[];
}

/** A label end or diagram endpoint, reduced to what identifies a port. */
export interface PortRef {
  opd: string;
  /** Device code as in labels (SW01). */
  code: string;
  deviceId?: string;
  port?: string;
  spec?: PortSpec;
  /** Inventory room code, when known. */
  space?: string;
}

/** Lookups built once per context. */
export interface Resolver {
  grammar: Grammar;
  /** The OPD labels are checked for, when one is. */
  opd?: string;
  opds: ReadonlySet<string>;
  end(end: LabelEnd): PortRef | undefined;
  endpoint(graph: TopologyGraph, link: TopoLink, side: 'a' | 'b'): PortRef | undefined;
  nodeRef(node: TopoNode): PortRef;
}

const key = (opd: string, code: string) => `${opd.toUpperCase()}|${code.toUpperCase()}`;

export function makeResolver(ctx: LabelContext): Resolver {
  const grammar = ctx.grammar ?? defaultGrammar();
  const byId = new Map<string, DeviceRef>();
  const byCode = new Map<string, DeviceRef>();
  for (const d of ctx.devices) {
    byId.set(d.id.toLowerCase(), d);
    byCode.set(key(d.opd, d.label ?? deviceCodeFromId(d.id, d.opd)), d);
  }
  const diagramOpd = ctx.diagram?.opd ?? ctx.opd ?? '';
  const nodeRef = (n: TopoNode): PortRef => {
    const inv = n.deviceId ? byId.get(n.deviceId.toLowerCase()) : undefined;
    const opd = inv?.opd ?? diagramOpd;
    const code = n.code ?? inv?.label ?? (n.deviceId ? deviceCodeFromId(n.deviceId, opd) : n.label);
    const spec: PortSpec = inv ? { ports: inv.ports, interfaces: inv.interfaces } : { interfaces: n.ports };
    return { opd, code, deviceId: inv?.id ?? n.deviceId, spec, space: inv?.space ?? n.space };
  };
  const nodesByCode = new Map<string, TopoNode>();
  const nodesById = new Map<string, TopoNode>();
  for (const n of ctx.diagram?.nodes ?? []) {
    nodesById.set(n.id, n);
    const r = nodeRef(n);
    nodesByCode.set(key(r.opd, r.code), n);
  }
  return {
    grammar,
    ...(ctx.opd ? { opd: ctx.opd } : {}),
    opds: new Set([...ctx.opds.map((o) => o.toUpperCase()), ...(diagramOpd ? [diagramOpd.toUpperCase()] : [])]),
    end(end) {
      const opd = end.opd || ctx.opd || '';
      const inv = byCode.get(key(opd, end.device));
      if (inv) return { opd, code: end.device, deviceId: inv.id, port: end.port, spec: { ports: inv.ports, interfaces: inv.interfaces }, space: inv.space };
      const node = nodesByCode.get(key(opd, end.device));
      if (node) return { ...nodeRef(node), port: end.port, code: end.device };
      return undefined;
    },
    endpoint(_graph, link, side) {
      const ep = link[side];
      const node = ep.node === null ? undefined : nodesById.get(ep.node);
      return node ? { ...nodeRef(node), port: ep.port } : undefined;
    },
    nodeRef,
  };
}

export const sameDevice = (x: PortRef, y: PortRef): boolean =>
  x.deviceId && y.deviceId ? x.deviceId.toLowerCase() === y.deviceId.toLowerCase() : key(x.opd, x.code) === key(y.opd, y.code);

/** Same device and same port; an unknown port on either side is not a contradiction. */
const samePortRef = (x: PortRef, y: PortRef): boolean => sameDevice(x, y) && (x.port === undefined || y.port === undefined || samePort(x.port, y.port));

const show = (r: PortRef) => `${r.code}${r.port !== undefined ? `:${r.port}` : ''}`;

/** A label end as one port: its device, and its port by the key the device knows it by (`portKey`). */
function endKey(end: LabelEnd, defaultOpd: string, r?: Resolver): string {
  return `${key(end.opd || defaultOpd, end.device)}|${portKey(end.port, r?.end(end)?.spec)}`;
}

/** The cable a label names, independent of which end was read and how its ports are spelled. */
export function cableKey(label: ParsedLabel, defaultOpd = '', r?: Resolver): string {
  const a = endKey(label.near, defaultOpd, r);
  const b = endKey(label.far, defaultOpd, r);
  return a < b ? `${a}/${b}` : `${b}/${a}`;
}

const describePorts = (spec: PortSpec | undefined): string => {
  if (!spec) return '';
  if (spec.interfaces && spec.interfaces.length > 0)
    return spec.interfaces.length > 12 ? `${spec.interfaces.slice(0, 12).join(', ')}, ...` : spec.interfaces.join(', ');
  return spec.ports !== undefined ? `1-${spec.ports}` : '';
};

/** Meaning checks of one parsed label on its own (no other label, no diagram link). */
export function checkMeaning(label: ParsedLabel, r: Resolver): LabelIssue[] {
  const issues: LabelIssue[] = [];
  const hasOpd = r.grammar.parts.some((p) => p.name === 'opd');
  const resolved: Partial<Record<LabelSide, PortRef>> = {};
  for (const side of ['near', 'far'] as const) {
    const end = label[side];
    if (hasOpd && !r.opds.has(end.opd)) {
      issues.push({
        code: 'LABEL_OPD_UNKNOWN',
        severity: 'error',
        part: 'opd',
        end: side,
        column: end.columns.opd,
        message: msg('LABEL_OPD_UNKNOWN', { opd: end.opd, example: [...r.opds].slice(0, 3).join(', ') }),
      });
      continue;
    }
    const ref = r.end(end);
    if (!ref) {
      issues.push({
        code: 'LABEL_DEVICE_UNKNOWN',
        severity: 'error',
        part: 'device',
        end: side,
        column: end.columns.device,
        message: msg('LABEL_DEVICE_UNKNOWN', { device: end.device, opd: end.opd || '-' }),
      });
      continue;
    }
    resolved[side] = ref;
    if (ref.spec && portExists(end.port, ref.spec) === false)
      issues.push({
        code: 'LABEL_PORT_UNKNOWN',
        severity: 'error',
        part: 'port',
        end: side,
        column: end.columns.port,
        message: msg('LABEL_PORT_UNKNOWN', { port: end.port, device: end.device, available: describePorts(ref.spec) }),
        ...(r.opd && ref.opd !== r.opd ? { office: msg('LABEL_PORT_UNKNOWN', { port: end.port, device: end.device, available: '' }) } : {}),
      });
    if (ref.space && end.space && ref.space !== end.space)
      issues.push({
        code: 'LABEL_SPACE_MISMATCH',
        severity: 'warning',
        part: 'space',
        end: side,
        column: end.columns.space,
        message: msg('LABEL_SPACE_MISMATCH', { device: end.device, space: end.space, expected: ref.space }),
      });
  }
  const sameEnds = resolved.near && resolved.far ? samePortRef(resolved.near, resolved.far) : endKey(label.near, '', r) === endKey(label.far, '', r);
  if (sameEnds)
    issues.push({
      code: 'LABEL_SAME_END',
      severity: 'error',
      end: 'far',
      column: label.far.columns[r.grammar.parts[0]?.name ?? ''],
      message: msg('LABEL_SAME_END', { end: `${label.near.device}:${label.near.port}` }),
    });
  return issues;
}

/** The far-end reading must be the near-end reading mirrored (`X/Y` there, `Y/X` here). */
export function checkMirror(near: ParsedLabel, far: ParsedLabel, grammar: Grammar = defaultGrammar()): LabelIssue | undefined {
  const expected = mirrorLabel(near, grammar);
  const reMirrored = parseLabel(expected, grammar);
  const same = (x: LabelEnd, y: LabelEnd) => grammar.parts.every((p) => (p.name === 'port' ? samePort(x.port, y.port) : x.parts[p.name] === y.parts[p.name]));
  if (reMirrored.ok && same(far.near, near.far) && same(far.far, near.near)) return undefined;
  return { code: 'LABEL_ENDS_INCONSISTENT', severity: 'error', end: 'far', message: msg('LABEL_ENDS_INCONSISTENT', { far: far.text, expected }) };
}

export interface LinkMismatch {
  id: string;
  en: string;
}

/**
 * Whether a label agrees with a diagram link, in either direction. Returns what differs, for
 * the message, or undefined when they agree.
 */
export function compareWithLink(label: ParsedLabel, link: TopoLink, graph: TopologyGraph, r: Resolver): LinkMismatch | undefined {
  const near = r.end(label.near) ?? { opd: label.near.opd, code: label.near.device, port: label.near.port };
  const far = r.end(label.far) ?? { opd: label.far.opd, code: label.far.device, port: label.far.port };
  const a = r.endpoint(graph, link, 'a');
  const b = r.endpoint(graph, link, 'b');
  if (!a || !b) return undefined; // a dangling line is reported on its own
  const withPorts = (x: PortRef, p: string | undefined): PortRef => ({ ...x, port: p });
  const ok = (x: PortRef, y: PortRef) => samePortRef(x, y);
  if ((ok(near, a) && ok(far, b)) || (ok(near, b) && ok(far, a))) return undefined;
  // Explain against the orientation that shares the most devices.
  const straight = Number(sameDevice(near, a)) + Number(sameDevice(far, b));
  const crossed = Number(sameDevice(near, b)) + Number(sameDevice(far, a));
  const [x, y] = crossed > straight ? [b, a] : [a, b];
  const wrong: string[] = [];
  const wrongId: string[] = [];
  for (const [said, drawn] of [
    [near, x],
    [far, y],
  ] as const) {
    if (ok(said, drawn)) continue;
    const s = show(withPorts(said, said.port));
    const d = show(drawn);
    wrong.push(`the label says ${s}, the line is drawn to ${d}`);
    wrongId.push(`label menyebut ${s}, garis tergambar ke ${d}`);
  }
  return { id: wrongId.join('; '), en: wrong.join('; ') };
}

const errorFree = (issues: LabelIssue[]) => !issues.some((i) => i.severity === 'error');

/** Syntax and meaning of one label, without looking at other labels or at the diagram. */
export function checkLabel(text: string, ctx: LabelContext, r: Resolver = makeResolver(ctx)): LabelCheck {
  const parsed = parseLabel(text, r.grammar);
  if (!parsed.ok) {
    const issues = parsed.errors.map((e): LabelIssue => ({ ...e, severity: 'error' }));
    return { text, ok: false, issues };
  }
  const issues = checkMeaning(parsed.label, r);
  return { text, ok: errorFree(issues), parsed: parsed.label, cable: cableKey(parsed.label, ctx.opd, r), issues };
}

/**
 * Check a list of labels, one per cable: each on its own, then together (a label used twice in
 * an OPD, a port on two cables) and, with a diagram in the context, against its links.
 */
export function checkLabels(texts: readonly string[], ctx: LabelContext): LabelCheck[] {
  const r = makeResolver(ctx);
  const checks = texts.map((t) => checkLabel(t, ctx, r));
  const byCable = new Map<string, number[]>();
  checks.forEach((c, i) => {
    if (c.cable) byCable.set(c.cable, [...(byCable.get(c.cable) ?? []), i]);
  });
  for (const idx of byCable.values()) {
    if (idx.length < 2) continue;
    for (const i of idx) {
      const c = checks[i];
      if (!c) continue;
      c.issues.push({
        code: 'LABEL_DUPLICATE',
        severity: 'error',
        message: msg('LABEL_DUPLICATE', { label: c.text.trim(), where: idx.map((j) => `#${j + 1}`).join(', ') }),
      });
    }
  }
  addPortReuse(checks, ctx.opd, r);
  if (ctx.diagram) for (const c of checks) if (c.parsed) c.issues.push(...compareWithDiagram(c.parsed, ctx.diagram, r));
  for (const c of checks) c.ok = c.parsed !== undefined && errorFree(c.issues);
  return checks;
}

/** One port on two different cables: reported on every label after the first that uses it. */
export function addPortReuse(checks: readonly LabelCheck[], defaultOpd = '', r?: Resolver): void {
  const firstUse = new Map<string, LabelCheck>();
  for (const c of checks) {
    if (!c.parsed || !c.cable) continue;
    for (const side of ['near', 'far'] as const) {
      const e = c.parsed[side];
      const k = endKey(e, defaultOpd, r);
      const prev = firstUse.get(k);
      if (!prev) firstUse.set(k, c);
      else if (prev.cable !== c.cable)
        c.issues.push({
          code: 'LABEL_PORT_REUSED',
          severity: 'error',
          end: side,
          column: e.columns.port,
          message: msg('LABEL_PORT_REUSED', { device: e.device, port: e.port, label: c.text.trim(), other: prev.text.trim() }),
        });
    }
  }
}

/** A label against the OPD's diagram: the link it names, or the links on its ports. */
export function compareWithDiagram(label: ParsedLabel, graph: TopologyGraph, r: Resolver): LabelIssue[] {
  const near = r.end(label.near);
  const far = r.end(label.far);
  let touching: TopoLink | undefined;
  for (const link of graph.links) {
    if (!compareWithLink(label, link, graph, r)) {
      const a = r.endpoint(graph, link, 'a');
      const b = r.endpoint(graph, link, 'b');
      if (a && b) return []; // drawn as labelled
    }
    if (touching) continue;
    const ends = [r.endpoint(graph, link, 'a'), r.endpoint(graph, link, 'b')];
    if (ends.some((e) => e && e.port !== undefined && ((near && samePortRef(e, near)) || (far && samePortRef(e, far))))) touching = link;
  }
  if (touching) {
    const detail = compareWithLink(label, touching, graph, r);
    if (detail)
      return [
        {
          code: 'LABEL_LINK_MISMATCH',
          severity: 'error',
          message: msg('LABEL_LINK_MISMATCH', { label: label.text, detailId: detail.id, detailEn: detail.en }),
        },
      ];
  }
  return [{ code: 'LABEL_NOT_IN_DIAGRAM', severity: 'warning', message: msg('LABEL_NOT_IN_DIAGRAM', { label: label.text }) }];
}
