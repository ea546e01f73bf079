/**
 * The validation report of one diagram: its devices against the inventory, its addresses against
 * the OPD's IP blocks, its cables and their labels, and, when the poller has them, its cables
 * against the LLDP neighbors the devices actually see. Pure: all inputs are plain data.
 */
import { containsAddress, parseAddress, parsePrefix, type Address, type Prefix } from '../common/net/cidr.js';
import { defaultGrammar, formatLabel, parseLabel, type Grammar, type LabelEnd } from '../labels/grammar.js';
import { interfaceForLabel, portExists, portKey, samePort } from '../labels/interfaces.js';
import { msg, type MessageCode, type Params } from '../labels/messages.js';
import { cableKey, checkMeaning, checkMirror, compareWithLink, makeResolver, type PortRef } from '../labels/validate.js';
import { DiagramError, type DeviceRef, type Finding, type Severity, type TopoLink, type TopoNode, type TopologyGraph } from './model.js';

export interface LldpNeighbor {
  /** Inventory id of the device that reported the neighbor. */
  deviceId: string;
  localPort: string;
  /** lldpRemChassisId as the poller renders it (a MAC, or an address). */
  remoteChassis?: string;
  /** lldpRemSysName. */
  remoteSysName?: string;
  remotePort: string;
}

export interface DiagramContext {
  /** The OPD the diagram belongs to. */
  opd: string;
  /** All OPD codes in the inventory. */
  opds: readonly string[];
  /** Inventory devices (all OPDs: uplinks may end on another OPD's device). */
  devices: readonly DeviceRef[];
  /** The OPD's allocated prefixes, as CIDR strings (IPv4 or IPv6). */
  allocated: readonly string[];
  grammar?: Grammar;
  /** LLDP neighbors from the poller; absent means no LLDP comparison at all. */
  lldp?: readonly LldpNeighbor[];
}

export interface ValidationReport {
  findings: Finding[];
  bySeverity: Record<Severity, number>;
  cables: {
    total: number;
    labelled: number;
    /** Cables whose label parses and has no label error. */
    validLabels: number;
  };
}

const attempt = <T>(parse: () => T): T | undefined => {
  try {
    return parse();
  } catch {
    return undefined;
  }
};

/** The office's allocated blocks that parse (IPAM's, canonical). */
const toRanges = (cidrs: readonly string[]): Prefix[] => cidrs.flatMap((c) => attempt(() => parsePrefix(c)) ?? []);

/** The host address of `10.20.1.5` or `10.20.1.5/24`; undefined if not an IP. */
const hostAddress = (ip: string): Address | undefined => attempt(() => parseAddress(ip.split('/')[0] ?? ''));

export function validateDiagram(graph: TopologyGraph, ctx: DiagramContext): ValidationReport {
  const grammar = ctx.grammar ?? defaultGrammar();
  const findings: Finding[] = [];
  const add = (code: MessageCode, severity: Severity, element: string, params: Params = {}, office?: { code: MessageCode; params: Params }) =>
    findings.push({
      code,
      severity,
      element,
      message: msg(code, params),
      ...(office ? { office: { code: office.code, message: msg(office.code, office.params) } } : {}),
    });
  const foreign = (ref: PortRef | undefined) => ref !== undefined && ref.opd !== ctx.opd;
  const r = makeResolver({ opds: ctx.opds, devices: ctx.devices, diagram: graph, grammar, opd: ctx.opd });
  const nodes = new Map<string, TopoNode>(graph.nodes.map((n) => [n.id, n]));
  const inventory = new Map<string, DeviceRef>(ctx.devices.map((d) => [d.id.toLowerCase(), d]));

  // Devices.
  for (const n of graph.nodes) {
    if (!n.deviceId) {
      add('DIAGRAM_DEVICE_ID_MISSING', 'warning', n.id, { node: n.label, example: `${ctx.opd.toLowerCase()}-sw01` });
      continue;
    }
    const inv = inventory.get(n.deviceId.toLowerCase());
    if (!inv) add('DIAGRAM_UNKNOWN_DEVICE', 'warning', n.id, { device: n.deviceId, node: n.label, opd: ctx.opd });
    else if (inv.opd !== ctx.opd)
      add(
        'DIAGRAM_DEVICE_OTHER_OPD',
        'info',
        n.id,
        { device: n.deviceId, owner: inv.opd, opd: ctx.opd },
        {
          code: 'DIAGRAM_DEVICE_NOT_OURS',
          params: { device: n.deviceId, node: n.label, opd: ctx.opd },
        },
      );
  }

  // Addresses.
  const ranges = toRanges(ctx.allocated);
  const blocks = ctx.allocated.join(', ') || '-';
  const holders = new Map<string, Set<string>>();
  for (const n of graph.nodes) {
    for (const ip of new Set([...(n.mgmtIp ? [n.mgmtIp] : []), ...n.ips])) {
      const host = hostAddress(ip);
      if (!host) {
        add('DIAGRAM_IP_MALFORMED', 'warning', n.id, { ip, node: n.label });
        continue;
      }
      if (!ranges.some((rg) => containsAddress(rg, host))) add('DIAGRAM_IP_NOT_ALLOCATED', 'error', n.id, { ip, node: n.label, opd: ctx.opd, blocks });
      const k = host.text;
      holders.set(k, (holders.get(k) ?? new Set()).add(n.id));
    }
  }
  for (const [addr, ids] of holders)
    if (ids.size > 1)
      for (const id of ids) add('DIAGRAM_IP_DUPLICATE', 'error', id, { ip: addr, nodes: [...ids].map((x) => nodes.get(x)?.label ?? x).join(', ') });

  // Cables.
  const portUsers = new Map<string, TopoLink[]>();
  const byCable = new Map<string, TopoLink[]>();
  const labelOk = new Map<string, boolean>();
  let labelled = 0;
  for (const link of graph.links) {
    const ends = (['a', 'b'] as const).map((side) => {
      const ep = link[side];
      const attached = ep.node !== null && nodes.has(ep.node);
      if (!attached) add('DIAGRAM_DANGLING_LINK', 'error', link.id, { link: link.id, side: side === 'a' ? 'awal/start' : 'akhir/end' });
      return attached ? r.endpoint(graph, link, side) : undefined;
    });
    for (const side of ['a', 'b'] as const) {
      const ep = link[side];
      if (ep.node === null || !nodes.has(ep.node) || ep.port === undefined) continue;
      const ref = ends[side === 'a' ? 0 : 1];
      const k = `${ep.node}|${portKey(ep.port, ref?.spec)}`;
      portUsers.set(k, [...(portUsers.get(k) ?? []), link]);
      if (ref?.spec && portExists(ep.port, ref.spec) === false) {
        const params = { port: ep.port, link: link.id, device: ref.code, available: describe(ref) };
        add(
          'DIAGRAM_PORT_UNKNOWN',
          'warning',
          link.id,
          params,
          foreign(ref) ? { code: 'DIAGRAM_PORT_UNKNOWN', params: { ...params, available: '' } } : undefined,
        );
      }
    }
    if (!link.label) {
      add(
        'LABEL_MISSING',
        'error',
        link.id,
        { link: link.id, suggestion: suggestLabel(ends[0], ends[1], grammar) },
        // The suggestion would name the other office's code and room.
        ends.some(foreign) ? { code: 'LABEL_MISSING', params: { link: link.id, suggestion: grammar.example } } : undefined,
      );
      continue;
    }
    labelled++;
    const parsed = parseLabel(link.label, grammar);
    if (!parsed.ok) {
      const e = parsed.errors[0];
      add('LABEL_MALFORMED', 'error', link.id, { label: link.label, link: link.id, detailId: e?.message.id ?? '', detailEn: e?.message.en ?? '' });
      labelOk.set(link.id, false);
      continue;
    }
    const before = findings.length;
    for (const issue of checkMeaning(parsed.label, r))
      findings.push({
        code: issue.code,
        severity: issue.severity,
        element: link.id,
        message: issue.message,
        ...(issue.office ? { office: { code: issue.code, message: issue.office } } : {}),
      });
    const mismatch = compareWithLink(parsed.label, link, graph, r);
    if (mismatch) add('LABEL_LINK_MISMATCH', 'error', link.id, { label: link.label, detailId: mismatch.id, detailEn: mismatch.en });
    if (link.farLabel) {
      const far = parseLabel(link.farLabel, grammar);
      if (!far.ok) {
        const e = far.errors[0];
        add('LABEL_MALFORMED', 'error', link.id, { label: link.farLabel, link: link.id, detailId: e?.message.id ?? '', detailEn: e?.message.en ?? '' });
      } else {
        const m = checkMirror(parsed.label, far.label, grammar);
        if (m) findings.push({ code: m.code, severity: m.severity, element: link.id, message: m.message });
      }
    }
    const k = cableKey(parsed.label, ctx.opd, r);
    byCable.set(k, [...(byCable.get(k) ?? []), link]);
    labelOk.set(link.id, !findings.slice(before).some((f) => f.severity === 'error'));
  }
  for (const [k, links] of portUsers) {
    if (links.length < 2) continue;
    const [nodeId, port] = k.split('|');
    const node = nodes.get(nodeId ?? '');
    for (const l of links)
      add('DIAGRAM_PORT_REUSED', 'error', l.id, { device: node?.deviceId ?? node?.label ?? '', port: port ?? '', links: links.map((x) => x.id).join(', ') });
  }
  for (const links of byCable.values()) {
    if (links.length < 2) continue;
    for (const l of links) {
      add('LABEL_DUPLICATE', 'error', l.id, { label: l.label ?? '', where: links.map((x) => x.id).join(', ') });
      labelOk.set(l.id, false);
    }
  }

  if (ctx.lldp) compareLldp(graph, ctx, r, add);

  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const validLabels = [...labelOk.values()].filter(Boolean).length;
  return { findings, bySeverity, cables: { total: graph.links.length, labelled, validLabels } };
}

function describe(ref: PortRef): string {
  const s = ref.spec;
  if (!s) return '';
  if (s.interfaces && s.interfaces.length > 0) return s.interfaces.slice(0, 12).join(', ') + (s.interfaces.length > 12 ? ', ...' : '');
  return s.ports !== undefined ? `1-${s.ports}` : '';
}

/** A label that would fit the line as drawn, shown with LABEL_MISSING. */
function suggestLabel(a: PortRef | undefined, b: PortRef | undefined, grammar: Grammar): string {
  if (!a || !b) return grammar.example;
  const end = (x: PortRef): LabelEnd => {
    const parts = { opd: x.opd, space: x.space ?? 'L1R01', device: x.code, port: x.port ? interfaceForLabel(x.port) : '1' };
    return { ...parts, parts, columns: {} };
  };
  return formatLabel(end(a), end(b), grammar);
}

interface Seen {
  dev: string;
  port: string;
}
interface Observation {
  x: Seen;
  /** dev is undefined when the remote could not be matched to a known device. */
  y: { dev: string | undefined; port: string; raw: string };
  used: boolean;
}

function compareLldp(
  graph: TopologyGraph,
  ctx: DiagramContext,
  r: ReturnType<typeof makeResolver>,
  add: (code: MessageCode, severity: Severity, element: string, params?: Params) => void,
): void {
  const lldp = ctx.lldp ?? [];
  // Remote identity: sysName (host part) = device id, or chassis = a management address or id.
  const known = new Map<string, string>();
  for (const d of ctx.devices) {
    known.set(d.id.toLowerCase(), d.id.toLowerCase());
    if (d.mgmt) known.set(d.mgmt, d.id.toLowerCase());
  }
  for (const n of graph.nodes)
    if (n.deviceId) {
      known.set(n.deviceId.toLowerCase(), n.deviceId.toLowerCase());
      if (n.mgmtIp) known.set(n.mgmtIp, n.deviceId.toLowerCase());
    }
  const resolve = (nb: LldpNeighbor): string | undefined => {
    const sys = nb.remoteSysName?.trim().toLowerCase().split('.')[0];
    return (
      (sys ? known.get(sys) : undefined) ??
      (nb.remoteChassis ? (known.get(nb.remoteChassis.trim()) ?? known.get(nb.remoteChassis.trim().toLowerCase())) : undefined)
    );
  };
  const specs = new Map(ctx.devices.map((d) => [d.id.toLowerCase(), { ports: d.ports, interfaces: d.interfaces }]));
  const obs: Observation[] = [];
  const seenPairs = new Set<string>();
  for (const nb of lldp) {
    const x = { dev: nb.deviceId.toLowerCase(), port: nb.localPort };
    const y = { dev: resolve(nb), port: nb.remotePort, raw: nb.remoteSysName ?? nb.remoteChassis ?? '?' };
    if (y.dev) {
      // Both devices report the same cable: keep one observation.
      const ka = `${x.dev}|${portKey(x.port, specs.get(x.dev))}`;
      const kb = `${y.dev}|${portKey(y.port, specs.get(y.dev))}`;
      const pair = ka < kb ? `${ka}/${kb}` : `${kb}/${ka}`;
      if (seenPairs.has(pair)) continue;
      seenPairs.add(pair);
    }
    obs.push({ x, y, used: false });
  }
  const polled = new Set(lldp.map((nb) => nb.deviceId.toLowerCase()));
  const portMatch = (p: string | undefined, q: string) => p === undefined || samePort(p, q);
  const codeOf = (dev: string) => {
    const d = ctx.devices.find((x) => x.id.toLowerCase() === dev);
    return d?.label ?? dev;
  };
  const showSeen = (o: Observation) => `${codeOf(o.x.dev)}:${o.x.port} - ${o.y.dev ? codeOf(o.y.dev) : o.y.raw}:${o.y.port}`;

  for (const link of graph.links) {
    const a = r.endpoint(graph, link, 'a');
    const b = r.endpoint(graph, link, 'b');
    const da = a?.deviceId?.toLowerCase();
    const db = b?.deviceId?.toLowerCase();
    if (!a || !b || !da || !db) continue;
    const drawn = `${a.code}:${a.port ?? '?'} - ${b.code}:${b.port ?? '?'}`;
    const free = obs.filter((o) => !o.used);
    const ends = (o: Observation, p: string, q: string) => o.x.dev === p && o.y.dev === q;
    const exact = free.find(
      (o) =>
        (ends(o, da, db) && portMatch(a.port, o.x.port) && portMatch(b.port, o.y.port)) ||
        (ends(o, db, da) && portMatch(b.port, o.x.port) && portMatch(a.port, o.y.port)),
    );
    if (exact) {
      exact.used = true;
      add('MATCH', 'info', link.id, { link: link.id, a: `${a.code}:${a.port ?? '?'}`, b: `${b.code}:${b.port ?? '?'}` });
      continue;
    }
    const other =
      free.find((o) => ends(o, da, db) || ends(o, db, da)) ??
      free.find(
        (o) =>
          (o.x.dev === da && a.port !== undefined && samePort(a.port, o.x.port)) ||
          (o.x.dev === db && b.port !== undefined && samePort(b.port, o.x.port)) ||
          (o.y.dev === da && a.port !== undefined && samePort(a.port, o.y.port)) ||
          (o.y.dev === db && b.port !== undefined && samePort(b.port, o.y.port)),
      );
    if (other) {
      other.used = true;
      add('MISMATCH', 'error', link.id, { link: link.id, drawn, seen: showSeen(other) });
    } else if (polled.has(da) || polled.has(db)) add('NOT_DETECTED', 'warning', link.id, { link: link.id, drawn });
  }
  const nodeOf = (dev: string) => graph.nodes.find((n) => n.deviceId?.toLowerCase() === dev)?.id;
  for (const o of obs) if (!o.used) add('UNDOCUMENTED', 'warning', nodeOf(o.x.dev) ?? o.x.dev, { seen: showSeen(o) });
}

/**
 * Whether a diagram can stand as the OPD's yearly submission (issue 15): a blank page, a drawing
 * without any of the office's inventory routers and switches, or one whose registered devices are
 * mostly another office's is refused (422, nothing stored), so it can never count for compliance.
 * The refusal names no other office. An OPD with no router or switch in the inventory must draw
 * at least one of its devices.
 */
export function checkSubmission(graph: TopologyGraph, opd: string, devices: readonly DeviceRef[]): void {
  if (graph.nodes.length === 0) throw new DiagramError(422, 'DIAGRAM_NO_DEVICES');
  const owner = new Map(devices.map((d) => [d.id.toLowerCase(), d.opd]));
  const drawn = new Set(graph.nodes.flatMap((n) => (n.deviceId ? [n.deviceId.toLowerCase()] : [])));
  let own = 0;
  let other = 0;
  for (const id of drawn) {
    const o = owner.get(id);
    if (o === opd) own++;
    else if (o !== undefined) other++;
  }
  if (other > own) throw new DiagramError(422, 'DIAGRAM_MOSTLY_OTHER_OPD', { opd });
  const mine = devices.filter((d) => d.opd === opd);
  const core = mine.filter((d) => d.role === 'router' || d.role === 'switch');
  const required = core.length > 0 ? core : mine;
  if (required.length > 0 && !required.some((d) => drawn.has(d.id.toLowerCase())))
    throw new DiagramError(422, 'DIAGRAM_NO_OPD_DEVICES', {
      opd,
      expected:
        required
          .slice(0, 5)
          .map((d) => d.id)
          .join(', ') + (required.length > 5 ? ', ...' : ''),
      example: required[0]?.id ?? `${opd.toLowerCase()}-rtr01`,
    });
}

/**
 * A report as an opd-admin may read it: a device of another office is "not one of your office's
 * devices", never named with its owner, its room or its ports. Severities are kept, so the
 * stored counts hold.
 */
export function reportForOffice(report: ValidationReport, graph: TopologyGraph, opd: string): ValidationReport {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const findings = report.findings.map(({ office, ...f }): Finding => {
    if (office) return { ...f, code: office.code, message: office.message };
    // Reports stored before findings carried their office wording.
    if (f.code !== 'DIAGRAM_DEVICE_OTHER_OPD') return f;
    const n = nodes.get(f.element);
    const params = { device: n?.deviceId ?? f.element, node: n?.label ?? f.element, opd };
    return { ...f, code: 'DIAGRAM_DEVICE_NOT_OURS', message: msg('DIAGRAM_DEVICE_NOT_OURS', params) };
  });
  return { ...report, findings };
}
