/**
 * Simpul's own YAML topology format, for OPDs that keep their LAN as text:
 *
 *   format: simpul-topology/1
 *   opd: DISDIK
 *   nodes:
 *     - id: disdik-rtr01            # the inventory device id (or give `device:` separately)
 *       name: Router DISDIK
 *       model: RB5009UG+S+IN
 *       mgmt: 10.255.11.1
 *       ips: [10.20.11.1]
 *       ports: [ether1, ether2]
 *       space: L1R01                # optional; code: RTR01 optional
 *   links:
 *     - a: disdik-rtr01:ether2      # or { node: disdik-rtr01, port: ether2 }
 *       b: disdik-sw01:1
 *       label: DISDIK.L1R01.RTR01:ether2/DISDIK.L1R01.SW01:1
 *
 * Parsed with aliases forbidden, unknown keys refused (they are usually typos), counts capped.
 */
import { isAlias, parseDocument, visit } from 'yaml';
import { decodeUpload } from './decode.js';
import {
  checkCounts,
  cleanText,
  DEFAULT_LIMITS,
  DiagramError,
  type DiagramLimits,
  type TopoEndpoint,
  type TopoLink,
  type TopoNode,
  type TopologyGraph,
} from './model.js';
import { OPD_CODE_RE } from '../inventory/model.js';

export const TOPOLOGY_FORMAT = 'simpul-topology/1';

const bad = (path: string, reasonEn: string, reasonId: string): never => {
  throw new DiagramError(422, 'YAML_SCHEMA', { path, reasonEn, reasonId });
};

type Obj = Map<string, unknown>;

/** A mapping's own entries only; `__proto__` and friends are just unknown keys here. */
function mapping(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(path, 'expected a mapping (key: value)', 'seharusnya pemetaan (kunci: nilai)');
  const m: Obj = new Map(Object.entries(v));
  for (const k of m.keys())
    if (!allowed.includes(k)) bad(`${path}.${k}`, `unknown key; allowed: ${allowed.join(', ')}`, `kunci tidak dikenal; yang boleh: ${allowed.join(', ')}`);
  return m;
}

function str(v: unknown, path: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  if (v === undefined || v === null) return opts.required ? bad(path, 'required', 'wajib diisi') : undefined;
  if (typeof v !== 'string' && typeof v !== 'number') return bad(path, 'expected text', 'seharusnya teks');
  const s = cleanText(String(v), opts.max ?? 200);
  if (s === '') return opts.required ? bad(path, 'must not be empty', 'tidak boleh kosong') : undefined;
  return s;
}

function strList(v: unknown, path: string, max: number): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return bad(path, 'expected a list, e.g. [ether1, ether2]', 'seharusnya daftar, misalnya [ether1, ether2]');
  if (v.length > max) return bad(path, `at most ${max} items`, `paling banyak ${max} butir`);
  return v.map((x, i) => str(x, `${path}[${i}]`, { required: true, max: 64 }) as string);
}

function endpoint(v: unknown, path: string): TopoEndpoint {
  if (typeof v === 'string') {
    const i = v.lastIndexOf(':');
    if (i <= 0) return bad(path, 'write node:port, e.g. disdik-sw01:24', 'tulis node:port, misalnya disdik-sw01:24');
    const port = cleanText(v.slice(i + 1), 64);
    return { node: cleanText(v.slice(0, i), 64), ...(port ? { port } : {}) };
  }
  const m = mapping(v, path, ['node', 'port']);
  const port = str(m.get('port'), `${path}.port`, { max: 64 });
  return { node: str(m.get('node'), `${path}.node`, { required: true, max: 64 }) as string, ...(port ? { port } : {}) };
}

/** Parse a Simpul YAML topology. Throws DiagramError (4xx) naming the line or the path at fault. */
export function parseTopologyYaml(input: Uint8Array | string, limits: DiagramLimits = DEFAULT_LIMITS): TopologyGraph {
  const text = decodeUpload(input, limits);
  const doc = parseDocument(text, { uniqueKeys: true, merge: false, prettyErrors: true, schema: 'core', strict: true });
  const err = doc.errors[0];
  if (err) throw new DiagramError(400, 'YAML_SYNTAX', { line: err.linePos?.[0]?.line ?? 0, detail: cleanText(err.message.split('\n')[0] ?? '') });
  let alias = false;
  visit(doc, {
    Alias() {
      alias = true;
      return visit.BREAK;
    },
  });
  if (alias || isAlias(doc.contents)) throw new DiagramError(400, 'YAML_ALIAS_FORBIDDEN');
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 0 });
  } catch {
    throw new DiagramError(400, 'YAML_ALIAS_FORBIDDEN');
  }
  const top = mapping(data, '(top)', ['format', 'opd', 'nodes', 'links']);
  const format = str(top.get('format'), 'format');
  if (format !== undefined && format !== TOPOLOGY_FORMAT) bad('format', `expected ${TOPOLOGY_FORMAT}`, `seharusnya ${TOPOLOGY_FORMAT}`);
  const opd = str(top.get('opd'), 'opd', { max: 12 });
  if (opd !== undefined && !OPD_CODE_RE.test(opd))
    bad('opd', 'an OPD code is 2-12 capital letters or digits, e.g. DINKES', 'kode OPD berupa 2-12 huruf kapital atau angka, misalnya DINKES');
  const rawNodes = top.get('nodes') ?? [];
  const rawLinks = top.get('links') ?? [];
  if (!Array.isArray(rawNodes)) return bad('nodes', 'expected a list of devices', 'seharusnya daftar perangkat');
  if (!Array.isArray(rawLinks)) return bad('links', 'expected a list of cables', 'seharusnya daftar kabel');
  checkCounts(rawNodes.length, rawLinks.length, limits);

  const ids = new Set<string>();
  const nodes = rawNodes.map((raw: unknown, i): TopoNode => {
    const p = `nodes[${i}]`;
    const m = mapping(raw, p, ['id', 'device', 'name', 'model', 'mgmt', 'ips', 'ports', 'code', 'space']);
    const id = str(m.get('id'), `${p}.id`, { required: true, max: 64 }) as string;
    if (ids.has(id)) bad(`${p}.id`, `node id '${id}' is used twice`, `id node '${id}' dipakai dua kali`);
    ids.add(id);
    const node: TopoNode = {
      id,
      label: str(m.get('name'), `${p}.name`) ?? id,
      deviceId: (str(m.get('device'), `${p}.device`, { max: 64 }) ?? id).toLowerCase(),
      ips: strList(m.get('ips'), `${p}.ips`, 256),
      ports: strList(m.get('ports'), `${p}.ports`, 1024),
    };
    const model = str(m.get('model'), `${p}.model`, { max: 64 });
    if (model) node.model = model;
    const mgmt = str(m.get('mgmt'), `${p}.mgmt`, { max: 64 });
    if (mgmt) node.mgmtIp = mgmt;
    const code = str(m.get('code'), `${p}.code`, { max: 16 });
    if (code) node.code = code.toUpperCase();
    const space = str(m.get('space'), `${p}.space`, { max: 32 });
    if (space) node.space = space.toUpperCase();
    return node;
  });
  const linkIds = new Set<string>();
  const links = rawLinks.map((raw: unknown, i): TopoLink => {
    const p = `links[${i}]`;
    const m = mapping(raw, p, ['id', 'a', 'b', 'label', 'farLabel']);
    const id = str(m.get('id'), `${p}.id`, { max: 64 }) ?? `link-${i + 1}`;
    if (linkIds.has(id)) bad(`${p}.id`, `link id '${id}' is used twice`, `id kabel '${id}' dipakai dua kali`);
    linkIds.add(id);
    const link: TopoLink = { id, a: endpoint(m.get('a'), `${p}.a`), b: endpoint(m.get('b'), `${p}.b`) };
    const label = str(m.get('label'), `${p}.label`);
    if (label) link.label = label;
    const farLabel = str(m.get('farLabel'), `${p}.farLabel`);
    if (farLabel) link.farLabel = farLabel;
    return link;
  });
  return { source: 'yaml', ...(opd ? { opd } : {}), nodes, links };
}
