/**
 * draw.io diagrams (`.drawio` XML, plain or with compressed pages, and `.drawio.svg`) read into
 * the normalized graph. Vertices that are devices become nodes, edges become cables. Properties
 * come from the shape's custom data (`<object>`/`<UserObject>` attributes, "Edit Data" in
 * draw.io) or, failing that, from the text written on it.
 *
 * Safety: `<!DOCTYPE`/`<!ENTITY` is refused before parsing; the parser never expands entities
 * (only the five predefined ones and character references are decoded, by hand, once);
 * compressed pages inflate under a hard output cap; tag and attribute names that could reach
 * Object.prototype are renamed away; sizes and counts are capped.
 */
import { inflateRawSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  checkCounts,
  cleanText,
  DEFAULT_LIMITS,
  DiagramError,
  type DiagramLimits,
  type DiagramSource,
  type TopoLink,
  type TopoNode,
  type TopologyGraph,
} from './model.js';
import { decodeUpload } from './decode.js';

interface El {
  name: string;
  attrs: Map<string, string>;
  children: El[];
  text: string;
}

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const renameReserved = (n: string) => (RESERVED.has(n) ? '#reserved' : n);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  preserveOrder: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  maxNestedTags: 64,
  transformTagName: renameReserved,
  transformAttributeName: renameReserved,
});

const ENTITY = /&(?:(lt|gt|amp|quot|apos|nbsp)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00A0' };

/** Decode the predefined entities and character references, once; anything else stays as written. */
export function decodeEntities(s: string): string {
  return s.replace(ENTITY, (all, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (name) return NAMED[name] ?? all;
    const cp = Number.parseInt(dec ?? hex ?? '', dec ? 10 : 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
}

// draw.io's SVG export starts with the standard SVG 1.1 public DOCTYPE: no internal subset, so no
// entities, and no DTD is ever fetched. Exactly that line is dropped; any other declaration is refused.
const SVG11_DOCTYPE =
  /^(\s*(?:<\?xml[^>]*\?>)?\s*)<!DOCTYPE\s+svg\s+PUBLIC\s+"-\/\/W3C\/\/DTD SVG 1\.1\/\/EN"\s+"http:\/\/www\.w3\.org\/Graphics\/SVG\/1\.1\/DTD\/svg11\.dtd"\s*>/;

function refuseDeclarations(text: string): string {
  const t = text.replace(SVG11_DOCTYPE, '$1');
  if (/<!(?:DOCTYPE|ENTITY)/i.test(t)) throw new DiagramError(400, 'DIAGRAM_DOCTYPE_FORBIDDEN');
  return t;
}

type Ordered = Record<string, unknown>;

/** fast-xml-parser's ordered output, turned into plain elements (own keys only). */
function toElements(items: unknown): El[] {
  const out: El[] = [];
  if (!Array.isArray(items)) return out;
  for (const item of items as Ordered[]) {
    const attrsRaw = Object.hasOwn(item, ':@') ? item[':@'] : undefined;
    for (const name of Object.keys(item)) {
      if (name === ':@' || name === '#text') continue;
      const attrs = new Map<string, string>();
      if (attrsRaw && typeof attrsRaw === 'object')
        for (const [k, v] of Object.entries(attrsRaw as Record<string, unknown>))
          if (!k.startsWith('#') && typeof v === 'string') attrs.set(k, decodeEntities(v));
      const kids = item[name];
      const texts = Array.isArray(kids) ? (kids as Ordered[]).filter((k) => Object.hasOwn(k, '#text')).map((k) => String(k['#text'])) : [];
      out.push({ name, attrs, children: toElements(kids), text: decodeEntities(texts.join('')) });
    }
  }
  return out;
}

function parseXml(input: string): El[] {
  const text = refuseDeclarations(input);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DiagramError(400, 'DIAGRAM_XML_MALFORMED', { line: valid.err.line, detail: cleanText(valid.err.msg) });
  try {
    return toElements(parser.parse(text));
  } catch (e) {
    throw new DiagramError(400, 'DIAGRAM_XML_MALFORMED', { line: 0, detail: cleanText((e as Error).message) });
  }
}

const child = (el: El, name: string) => el.children.find((c) => c.name === name);

interface Budget {
  inflated: number;
  limits: DiagramLimits;
}

/** A compressed page: base64, then raw deflate, then URI-encoded XML (draw.io's own encoding). */
function inflatePage(data: string, page: string, budget: Budget): string {
  const b64 = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new DiagramError(400, 'DIAGRAM_PAGE_CORRUPT', { page, detail: 'not base64' });
  const remaining = budget.limits.maxInflatedBytes - budget.inflated;
  if (remaining < 1) throw new DiagramError(413, 'DIAGRAM_PAGE_TOO_LARGE', { page, max: budget.limits.maxInflatedBytes });
  let raw: Buffer;
  try {
    raw = inflateRawSync(Buffer.from(b64, 'base64'), { maxOutputLength: remaining });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      throw new DiagramError(413, 'DIAGRAM_PAGE_TOO_LARGE', { page, max: budget.limits.maxInflatedBytes });
    throw new DiagramError(400, 'DIAGRAM_PAGE_CORRUPT', { page, detail: 'not deflate data' });
  }
  budget.inflated += raw.byteLength;
  const text = decodeUpload(raw, { ...budget.limits, maxBytes: budget.limits.maxInflatedBytes });
  if (text.trimStart().startsWith('<')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DiagramError(400, 'DIAGRAM_PAGE_CORRUPT', { page, detail: 'bad URI encoding' });
  }
}

/** The mxGraphModel of each page of an mxfile. */
function pages(mxfile: El, budget: Budget): El[] {
  const diagrams = mxfile.children.filter((c) => c.name === 'diagram');
  if (diagrams.length > budget.limits.maxPages)
    throw new DiagramError(413, 'DIAGRAM_TOO_MANY', { whatId: 'halaman', whatEn: 'pages', count: diagrams.length, max: budget.limits.maxPages });
  const models: El[] = [];
  for (const d of diagrams) {
    const model = child(d, 'mxGraphModel');
    if (model) {
      models.push(model);
      continue;
    }
    const data = d.text.trim();
    if (!data) continue;
    const name = cleanText(d.attrs.get('name') ?? d.attrs.get('id') ?? '', 60);
    const xml = data.startsWith('<') ? data : inflatePage(data, name, budget);
    const inner = parseXml(xml).find((e) => e.name === 'mxGraphModel');
    if (inner) models.push(inner);
  }
  return models;
}

/** Cells include labels, rooms and text boxes besides devices and cables; allow a few per device. */
function checkCells(count: number, limits: DiagramLimits): void {
  const max = 4 * (limits.maxNodes + limits.maxLinks);
  if (count > max) throw new DiagramError(413, 'DIAGRAM_TOO_MANY', { whatId: 'elemen', whatEn: 'elements', count, max });
}

interface Cell {
  id: string;
  text: string;
  props: Map<string, string>;
  vertex: boolean;
  edge: boolean;
  parent?: string;
  source?: string;
  target?: string;
  /** Relative position of an edge label along its edge, -1 (source) to 1 (target); a shape's left edge. */
  x: number;
  /** A shape's top edge; undefined without geometry. */
  y?: number;
}

/** Cells of one page, with `<object>`/`<UserObject>` wrappers unfolded. */
function cells(model: El): El[] {
  const root = child(model, 'root');
  return root ? root.children.filter((c) => c.name === 'mxCell' || c.name === 'object' || c.name === 'UserObject') : [];
}

function toCell(el: El): Cell {
  const inner = el.name === 'mxCell' ? el : child(el, 'mxCell');
  const a = inner?.attrs ?? new Map<string, string>();
  const props = new Map<string, string>();
  if (el !== inner) for (const [k, v] of el.attrs) if (k !== 'id' && k !== 'label' && k !== 'placeholders') props.set(k.toLowerCase(), v);
  const geo = inner ? child(inner, 'mxGeometry') : undefined;
  const x = Number(geo?.attrs.get('x') ?? '0');
  const y = Number(geo?.attrs.get('y') ?? 'NaN');
  return {
    id: el.attrs.get('id') ?? a.get('id') ?? '',
    text: htmlToText(el === inner ? (a.get('value') ?? '') : (el.attrs.get('label') ?? '')),
    props,
    vertex: a.get('vertex') === '1',
    edge: a.get('edge') === '1',
    parent: a.get('parent'),
    source: a.get('source'),
    target: a.get('target'),
    x: Number.isFinite(x) ? x : 0,
    ...(geo && Number.isFinite(y) ? { y } : {}),
  };
}

/** Text of a shape whose label may be HTML (draw.io's `html=1`): tags out, line breaks kept. */
export function htmlToText(s: string): string {
  if (!/[<&]/.test(s))
    return s
      .split('\n')
      .map((l) => cleanText(l))
      .filter(Boolean)
      .join('\n');
  const withBreaks = s.replace(/<br\s*\/?>|<\/?(?:div|p|li|tr)\b[^>]*>/gi, '\n').replace(/<[^>]*>/g, '');
  return decodeEntities(withBreaks)
    .replace(/\u00A0/g, ' ')
    .split('\n')
    .map((l) => cleanText(l))
    .filter(Boolean)
    .join('\n');
}

const prop = (c: Cell, ...names: string[]) => {
  for (const n of names) {
    const v = c.props.get(n.toLowerCase());
    if (v !== undefined && v.trim() !== '') return cleanText(v);
  }
  return undefined;
};

const DEVICE_ID = /\b([a-z0-9]{2,12}-[a-z]{2,4}[0-9]{2,3})\b/i;
const IPV4 = /\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b/g;
const list = (v: string | undefined) =>
  v
    ? v
        .split(/[\s,;]+/)
        .map((x) => cleanText(x, 64))
        .filter(Boolean)
    : [];

const deviceIdOf = (c: Cell) => prop(c, 'device', 'deviceId', 'device_id', 'simpul') ?? DEVICE_ID.exec(c.text)?.[1]?.toLowerCase();

function toNode(c: Cell, id: string): TopoNode {
  const lines = c.text.split('\n');
  const textIps = c.text.match(IPV4) ?? [];
  const mgmtLine = lines.find((l) => /mgmt|manajemen|management/i.test(l))?.match(IPV4)?.[0];
  const mgmtIp = prop(c, 'mgmt', 'mgmtIp', 'mgmt_ip', 'management', 'ip') ?? mgmtLine ?? textIps[0];
  const ips = c.props.size > 0 && prop(c, 'ips') !== undefined ? list(prop(c, 'ips')) : textIps.filter((ip) => ip !== mgmtIp);
  const model = prop(c, 'model', 'type') ?? lines.map((l) => /^model\s*[:=]\s*(.+)$/i.exec(l)?.[1]).find(Boolean);
  const node: TopoNode = { id, label: cleanText(lines[0] ?? '') || id, ips, ports: list(prop(c, 'ports', 'interfaces')) };
  const deviceId = deviceIdOf(c);
  if (deviceId) node.deviceId = deviceId;
  if (model) node.model = cleanText(model, 64);
  if (mgmtIp) node.mgmtIp = mgmtIp;
  const code = prop(c, 'code', 'tag');
  if (code) node.code = code.toUpperCase();
  const space = prop(c, 'space', 'room', 'ruang');
  if (space) node.space = space.toUpperCase();
  if (c.y !== undefined) node.at = { x: c.x, y: c.y };
  return node;
}

/** The cable label among an edge's text lines: the first line that looks like one. */
const labelFromText = (t: string) => {
  const lines = t.split('\n').filter(Boolean);
  return lines.find((l) => l.includes('/') && l.includes(':')) ?? lines[0];
};

function readPage(model: El, pageNo: number, limits: DiagramLimits, out: { nodes: TopoNode[]; links: TopoLink[] }): void {
  const raw = cells(model);
  checkCells(raw.length, limits);
  const all = raw.map(toCell);
  const pid = (id: string) => (pageNo === 0 ? id : `p${pageNo + 1}:${id}`);
  const byId = new Map<string, Cell>();
  for (const c of all) if (c.id) byId.set(c.id, c);
  const edges = all.filter((c) => c.edge);
  const edgeIds = new Set(edges.map((e) => e.id));
  const edgeLabels = new Map<string, Cell[]>();
  for (const c of all) if (c.vertex && c.parent && edgeIds.has(c.parent)) edgeLabels.set(c.parent, [...(edgeLabels.get(c.parent) ?? []), c]);
  const isDevice = (c: Cell) => c.vertex && !edgeIds.has(c.parent ?? '') && deviceIdOf(c) !== undefined;

  const nodeIds = new Set<string>();
  for (const c of all) if (isDevice(c)) nodeIds.add(c.id);
  // An edge end on a small shape inside a device (a port drawn on the device) is that device's port.
  const endpoint = (ref: string | undefined, portProp: string | undefined, portLabel: string | undefined) => {
    const c = ref ? byId.get(ref) : undefined;
    if (!c?.vertex) return { node: null, port: portProp ?? portLabel };
    const parent = c.parent ? byId.get(c.parent) : undefined;
    if (!nodeIds.has(c.id) && parent && isDevice(parent)) return { node: parent.id, port: portProp ?? portLabel ?? (c.text.split('\n')[0] || undefined) };
    nodeIds.add(c.id);
    return { node: c.id, port: portProp ?? portLabel };
  };
  const links: TopoLink[] = [];
  for (const e of edges) {
    const texts = edgeLabels.get(e.id) ?? [];
    const near = texts.find((t) => t.x < -0.3)?.text.split('\n')[0];
    const far = texts.find((t) => t.x > 0.3)?.text.split('\n')[0];
    const middle = texts
      .filter((t) => t.x >= -0.3 && t.x <= 0.3)
      .map((t) => t.text)
      .join('\n');
    const a = endpoint(e.source, prop(e, 'sourcePort', 'srcPort', 'portA', 'aPort', 'source_port'), near);
    const b = endpoint(e.target, prop(e, 'targetPort', 'dstPort', 'portB', 'bPort', 'target_port'), far);
    const link: TopoLink = { id: pid(e.id), a: { node: a.node === null ? null : pid(a.node) }, b: { node: b.node === null ? null : pid(b.node) } };
    if (a.port) link.a.port = a.port;
    if (b.port) link.b.port = b.port;
    const label = prop(e, 'cable', 'cableLabel', 'label_text') ?? labelFromText(middle) ?? labelFromText(e.text);
    if (label) link.label = label;
    const farLabel = prop(e, 'farLabel', 'labelB', 'cableB');
    if (farLabel) link.farLabel = farLabel;
    links.push(link);
    checkCounts(0, out.links.length + links.length, limits);
  }
  for (const c of all) {
    if (!nodeIds.has(c.id)) continue;
    out.nodes.push(toNode(c, pid(c.id)));
    checkCounts(out.nodes.length, 0, limits);
  }
  out.links.push(...links);
}

/** Parse a `.drawio` or `.drawio.svg` file. Throws DiagramError (4xx) on anything unsafe or unreadable. */
export function parseDrawio(input: Uint8Array | string, limits: DiagramLimits = DEFAULT_LIMITS): TopologyGraph {
  const text = decodeUpload(input, limits);
  // Cheap count before building any tree: every cell has an `<mxCell`.
  let count = 0;
  for (let i = text.indexOf('<mxCell'); i !== -1; i = text.indexOf('<mxCell', i + 7)) count++;
  checkCells(count, limits);
  let roots = parseXml(text).filter((e) => !e.name.startsWith('?'));
  let source: DiagramSource = 'drawio';
  const budget: Budget = { inflated: 0, limits };
  const first = roots[0];
  if (first?.name === 'svg') {
    source = 'drawio-svg';
    const content = first.attrs.get('content')?.trim() ?? '';
    if (!content) throw new DiagramError(415, 'DIAGRAM_FORMAT_UNKNOWN');
    roots = parseXml(content.startsWith('<') ? content : inflatePage(content, 'svg', budget)).filter((e) => !e.name.startsWith('?'));
  }
  const root = roots[0];
  let models: El[];
  if (root?.name === 'mxfile') models = pages(root, budget);
  else if (root?.name === 'mxGraphModel') models = [root];
  else throw new DiagramError(415, 'DIAGRAM_FORMAT_UNKNOWN');
  if (models.length === 0) throw new DiagramError(400, 'DIAGRAM_EMPTY');
  const out = { nodes: [] as TopoNode[], links: [] as TopoLink[] };
  models.forEach((m, i) => readPage(m, i, limits, out));
  return { source, nodes: out.nodes, links: out.links };
}
