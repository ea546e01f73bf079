/**
 * Backbone link health from the poller's latest samples (pure): status from both ends'
 * ifOperStatus, traffic, utilization against the contracted capacity (not the port speed),
 * errors and discards per second.
 */
import type { InterfaceRates } from './counters.js';

export interface LinkEnd {
  device: string;
  /** ifIndex, or ifName / ifDescr as the inventory writes it. */
  port: string | number;
}

export interface BackboneLink {
  id: string;
  a: LinkEnd;
  b: LinkEnd;
  /** Contracted capacity in Mb/s. */
  capacityMbps: number;
  /** The OPD the link serves (label only). */
  opd?: string;
}

/** What backbone needs from the poller (the Poller class satisfies it). */
export interface LinkSource {
  findInterface(deviceId: string, port: string | number): { operUp: boolean; operStatus?: number; rates?: InterfaceRates } | undefined;
  deviceState(deviceId: string): { state: string } | undefined;
}

export type LinkStatus = 'up' | 'down' | 'unknown';

export interface LinkEndHealth extends LinkEnd {
  /** The device answers and the interface was found. */
  known: boolean;
  operUp?: boolean;
  /** IF-MIB ifOperStatus, when known. */
  operStatus?: number;
  rates?: InterfaceRates;
}

export interface LinkHealth {
  id: string;
  opd?: string;
  capacityBps: number;
  /** down if a known end is down; up if every known end is up; unknown if no end is known. */
  status: LinkStatus;
  a: LinkEndHealth;
  b: LinkEndHealth;
  /** Seen from end A: received by A (= sent by B) and transmitted by A. Either end's counters serve. */
  receiveBps?: number;
  transmitBps?: number;
  /** max(receive, transmit) / contracted capacity. */
  utilization?: number;
  /** Sums over both ends and both directions. */
  errorsPerSec?: number;
  discardsPerSec?: number;
}

/** The device answers its polls: up, or degraded (it answers but part of a poll failed). */
export const answers = (deviceState: string | undefined): boolean => deviceState === 'up' || deviceState === 'degraded';

/** What a port reading carries that is only true while the device answers. */
export interface PortReading {
  operUp: boolean;
  operStatus?: number;
  adminStatus?: number;
  rates?: InterfaceRates;
}

/**
 * A port as it stands now. A device that does not answer has no current port status or rate,
 * whatever it said before: those are dropped (operStatus undefined means unknown), while
 * everything else (names, monotonic totals, when last sampled) is kept.
 */
export function currentPort<V extends PortReading>(v: V, deviceState: string | undefined): V {
  if (answers(deviceState)) return v;
  const out = { ...v, operUp: false };
  delete out.operStatus;
  delete out.adminStatus;
  delete out.rates;
  return out;
}

function endHealth(src: LinkSource, end: LinkEnd): LinkEndHealth {
  const found = src.findInterface(end.device, end.port);
  const itf = found && currentPort(found, src.deviceState(end.device)?.state);
  if (!itf || itf.operStatus === undefined) return { ...end, known: false };
  const h: LinkEndHealth = { ...end, known: true, operUp: itf.operUp, operStatus: itf.operStatus };
  if (itf.rates) h.rates = itf.rates;
  return h;
}

const sum = (xs: Array<number | undefined>): number | undefined => (xs.some((x) => x !== undefined) ? xs.reduce<number>((s, x) => s + (x ?? 0), 0) : undefined);

export function linkHealth(link: BackboneLink, src: LinkSource): LinkHealth {
  const a = endHealth(src, link.a);
  const b = endHealth(src, link.b);
  const known = [a, b].filter((e) => e.known);
  const status: LinkStatus = known.length === 0 ? 'unknown' : known.some((e) => !e.operUp) ? 'down' : 'up';
  const h: LinkHealth = { id: link.id, capacityBps: link.capacityMbps * 1e6, status, a, b };
  if (link.opd !== undefined) h.opd = link.opd;
  const receiveBps = a.rates?.inBps ?? b.rates?.outBps;
  const transmitBps = a.rates?.outBps ?? b.rates?.inBps;
  if (receiveBps !== undefined) h.receiveBps = receiveBps;
  if (transmitBps !== undefined) h.transmitBps = transmitBps;
  if (receiveBps !== undefined && transmitBps !== undefined && h.capacityBps > 0) h.utilization = Math.max(receiveBps, transmitBps) / h.capacityBps;
  const errors = sum([a.rates?.inErrorsPerSec, a.rates?.outErrorsPerSec, b.rates?.inErrorsPerSec, b.rates?.outErrorsPerSec]);
  const discards = sum([a.rates?.inDiscardsPerSec, a.rates?.outDiscardsPerSec, b.rates?.inDiscardsPerSec, b.rates?.outDiscardsPerSec]);
  if (errors !== undefined) h.errorsPerSec = errors;
  if (discards !== undefined) h.discardsPerSec = discards;
  return h;
}

export const backboneHealth = (links: BackboneLink[], src: LinkSource): LinkHealth[] => links.map((l) => linkHealth(l, src));
