/**
 * The one graph every LAN diagram is normalized to, whatever it was drawn in: devices are nodes,
 * cables are links between (node, port) endpoints. Validation, diffs and rendering read only this.
 */
import { BilingualError, msg, type Message, type MessageCode, type Params } from '../labels/messages.js';

export interface TopoNode {
  /** Id within the diagram (draw.io cell id, or the YAML node id). */
  id: string;
  /** What the person wrote on the shape. */
  label: string;
  /** Inventory device id, e.g. dinkes-sw01. */
  deviceId?: string;
  model?: string;
  mgmtIp?: string;
  /** Other host addresses drawn on the device. */
  ips: string[];
  ports: string[];
  /** Device code used in cable labels, e.g. SW01, when the diagram gives it. */
  code?: string;
  /** Room code, e.g. L1R02, when the diagram gives it. */
  space?: string;
  /** Where the file drew the shape (draw.io): the picture keeps that order, ELK keeps the spacing. */
  at?: { x: number; y: number };
}

export interface TopoEndpoint {
  /** Node id; null when the line's end is not attached to any shape. */
  node: string | null;
  port?: string;
}

export interface TopoLink {
  id: string;
  a: TopoEndpoint;
  b: TopoEndpoint;
  /** The cable label (as read at the a end, or either end). */
  label?: string;
  /** The label as read at the b end, when the diagram records both stickers. */
  farLabel?: string;
}

export type DiagramSource = 'drawio' | 'drawio-svg' | 'yaml';

export interface TopologyGraph {
  source: DiagramSource;
  /** OPD code the file declares (YAML `opd:`), if any. */
  opd?: string;
  nodes: TopoNode[];
  links: TopoLink[];
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: MessageCode;
  severity: Severity;
  /** Node or link id in the diagram (or an inventory device id for LLDP-only findings). */
  element: string;
  message: Message;
  /** The wording an opd-admin reads when `message` names another office's device, owner or ports. */
  office?: { code: MessageCode; message: Message };
}

/** An inventory device, as much as label and diagram checks need (inventory `Device` fits). */
export interface DeviceRef {
  id: string;
  opd: string;
  /** Inventory role (router, switch, ap, ...): the yearly submission must draw the office's routers and switches. */
  role?: string;
  /** Device code in labels, e.g. SW01. */
  label?: string;
  space?: string;
  ports?: number;
  interfaces?: readonly string[];
  mgmt?: string;
}

export interface DiagramLimits {
  /** Raw upload size. */
  maxBytes: number;
  /** Total output of inflating compressed pages. */
  maxInflatedBytes: number;
  maxPages: number;
  maxNodes: number;
  maxLinks: number;
}

/** Room for a large OPD (the bench diagram has 2,000 devices and 5,000 links). */
export const DEFAULT_LIMITS: DiagramLimits = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxInflatedBytes: 20 * 1024 * 1024,
  maxPages: 50,
  maxNodes: 5_000,
  maxLinks: 20_000,
});

/** A refused upload: stable code, HTTP status (4xx), message in both languages. */
export class DiagramError extends BilingualError {
  constructor(status: 400 | 413 | 415 | 422, code: MessageCode, params: Params = {}) {
    super(status, code, msg(code, params), { ...params });
    this.name = 'DiagramError';
  }
}

/** Device code from an inventory-style id: `dinkes-sw01` -> `SW01`. */
export function deviceCodeFromId(id: string, opd?: string): string {
  const lower = id.toLowerCase();
  const prefix = opd ? `${opd.toLowerCase()}-` : undefined;
  const rest = prefix && lower.startsWith(prefix) ? lower.slice(prefix.length) : (lower.split('-').pop() ?? lower);
  return rest.toUpperCase();
}

// C0/C1 controls (but tab and newline) and bidi overrides: they hide or reorder what a person sees.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** Text from an upload, safe to store, show and log. */
export function cleanText(s: string, max = 200): string {
  const t = s.replace(UNSAFE_CHARS, '').trim();
  return t.length > max ? t.slice(0, max) : t;
}

/** Reject graphs past the node and link caps (parsers call this before building more). */
export function checkCounts(nodes: number, links: number, limits: DiagramLimits): void {
  if (nodes > limits.maxNodes) throw new DiagramError(413, 'DIAGRAM_TOO_MANY', { whatId: 'perangkat', whatEn: 'devices', count: nodes, max: limits.maxNodes });
  if (links > limits.maxLinks) throw new DiagramError(413, 'DIAGRAM_TOO_MANY', { whatId: 'kabel', whatEn: 'cables', count: links, max: limits.maxLinks });
}
