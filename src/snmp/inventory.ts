/**
 * What SNMP polling derives from the inventory (pure): one poll target per device with `snmp:`
 * (marked with its `agent` when a remote site agent polls it, not the controller),
 * and the backbone links with the OPD each one serves. The daemon's endpoint and credential
 * resolvers are passed in, so lab mode and production differ only there.
 */
import type { Device, Inventory } from '../inventory/model.js';
import type { Endpoint } from '../module.js';
import type { BackboneLink } from './backbone.js';
import type { PollTarget, SnmpCredentials } from './session.js';

export interface PollDefaults {
  intervalSeconds: number;
  timeoutMs: number;
  retries: number;
  maxRepetitions: number;
}

export interface PlanInput {
  endpoint(device: Device): Endpoint | null;
  /** A named credential with its secrets read; throws when it cannot be resolved. */
  credentials(name: string): Record<string, string>;
  defaults: PollDefaults;
}

export interface PollPlan {
  targets: PollTarget[];
  /** Devices with `snmp:` that are not polled, and why (for logs and the device's poll state). */
  skipped: Map<string, string>;
}

const AUTH = ['sha224', 'sha256', 'sha384', 'sha512'] as const;
const PRIV = ['aes', 'aes256b', 'aes256r'] as const;
const oneOf = <T extends string>(xs: readonly T[], v: string | undefined, fallback: T): T | undefined =>
  v === undefined || v === '' ? fallback : (xs as readonly string[]).includes(v) ? (v as T) : undefined;

/**
 * The session credentials of one device: the version is the inventory's (never the library's
 * default v1); v3 is authPriv only. Throws an Error whose message says what to fix.
 */
export function snmpCredentials(version: '2c' | '3', name: string, c: Record<string, string>): SnmpCredentials {
  if (version === '2c') {
    if (!c.community) throw new Error(`credential '${name}' has no community (needed for SNMP v2c)`);
    return { version: '2c', community: c.community };
  }
  for (const k of ['user', 'authKey', 'privKey'] as const) if (!c[k]) throw new Error(`credential '${name}' has no ${k} (needed for SNMPv3 authPriv)`);
  const authProtocol = oneOf(AUTH, c.authProtocol, 'sha256');
  if (!authProtocol) throw new Error(`credential '${name}': authProtocol '${c.authProtocol}' is not one of ${AUTH.join(', ')}`);
  const privProtocol = oneOf(PRIV, c.privProtocol, 'aes');
  if (!privProtocol) throw new Error(`credential '${name}': privProtocol '${c.privProtocol}' is not one of ${PRIV.join(', ')}`);
  return { version: '3', user: c.user as string, authProtocol, authKey: c.authKey as string, privProtocol, privKey: c.privKey as string };
}

export function pollPlan(inv: Inventory, input: PlanInput): PollPlan {
  const targets: PollTarget[] = [];
  const skipped = new Map<string, string>();
  for (const d of inv.devices) {
    if (!d.snmp) continue;
    const ep = input.endpoint(d);
    if (!ep) {
      skipped.set(d.id, 'no SNMP endpoint for this device (in lab mode: no simulator)');
      continue;
    }
    let credentials: SnmpCredentials;
    try {
      credentials = snmpCredentials(d.snmp.version, d.snmp.credentials, input.credentials(d.snmp.credentials));
    } catch (e) {
      skipped.set(d.id, (e as Error).message);
      continue;
    }
    targets.push({
      id: d.id,
      opd: d.opd,
      host: ep.host,
      port: ep.port,
      credentials,
      timeoutMs: input.defaults.timeoutMs,
      retries: input.defaults.retries,
      maxRepetitions: input.defaults.maxRepetitions,
      intervalMs: (d.snmp.intervalSeconds ?? input.defaults.intervalSeconds) * 1000,
      ...(d.agent !== undefined ? { agent: d.agent } : {}),
    });
  }
  return { targets, skipped };
}

/** Backbone links; a link serves the OPD of its far end (b), or of end a when b is unknown. */
export function backboneLinks(inv: Inventory): BackboneLink[] {
  const opdOf = new Map(inv.devices.map((d) => [d.id, d.opd]));
  return inv.links.map((l) => {
    const link: BackboneLink = { id: l.id, a: { ...l.a }, b: { ...l.b }, capacityMbps: l.capacityMbps };
    const opd = opdOf.get(l.b.device) ?? opdOf.get(l.a.device);
    if (opd !== undefined) link.opd = opd;
    return link;
  });
}
