/**
 * Lab mode's SNMP side: one simulated agent per inventory device that has `snmp:`, on
 * 127.0.0.1, with backbone traffic that matches both ends of every link and LLDP neighbors
 * that match the cabling. The inventory's management addresses are never contacted.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import type { Device, Link } from '../../inventory/model.js';
import type { PollTarget, SnmpCredentials } from '../../snmp/session.js';
import type { SimPortConfig } from './model.js';
import { macBytes, SimulatedSwitch, type SimLldpNeighbor, type SimV3User } from './switch.js';

export interface SnmpLabOptions {
  clock?: Clock;
  /** Community served by every agent (v2c devices). */
  community?: string;
  /** User served by every agent (v3 devices): authPriv SHA-256 + AES. */
  v3User?: SimV3User;
}

export const LAB_V3_USER: SimV3User = { name: 'simpul', authKey: 'simpul-lab-auth', privKey: 'simpul-lab-priv' };

/** A stable number in [0, 1) from a string: the lab looks the same at every start. */
const unit = (s: string): number => createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
const macOf = (deviceId: string): string => {
  const h = createHash('sha256').update(deviceId).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
};
const speedFor = (port: string): number => (/sfp-?sfpplus|xe-|te|10g/i.test(port) ? 10_000 : 1000);

export class SnmpLab {
  private constructor(
    readonly sims: Map<string, SimulatedSwitch>,
    private readonly devices: Map<string, Device>,
    private readonly opts: SnmpLabOptions,
  ) {}

  static async start(inventory: { devices: Device[]; links: Link[] }, opts: SnmpLabOptions = {}): Promise<SnmpLab> {
    const devices = new Map(inventory.devices.filter((d) => d.snmp).map((d) => [d.id, d]));
    // ports: the device's own list, plus every port a link names on it
    const portNames = new Map<string, string[]>();
    for (const d of devices.values()) {
      portNames.set(d.id, d.interfaces ?? Array.from({ length: d.ports ?? 8 }, (_, i) => String(i + 1)));
    }
    for (const l of inventory.links) {
      for (const e of [l.a, l.b]) {
        const names = portNames.get(e.device);
        if (names && !names.includes(e.port)) names.push(e.port);
      }
    }
    const traffic = new Map<string, { inBps: number; outBps: number; speedMbps: number }>();
    const neighbors = new Map<string, SimLldpNeighbor[]>();
    const ifIndexOf = (device: string, port: string): number => (portNames.get(device)?.indexOf(port) ?? -1) + 1;
    for (const l of inventory.links) {
      // toward the OPD (a -> b) and back, as a share of the contracted capacity
      const down = l.capacityMbps * 1e6 * (0.1 + 0.6 * unit(`${l.id}:down`));
      const up = l.capacityMbps * 1e6 * (0.05 + 0.3 * unit(`${l.id}:up`));
      const speedMbps = Math.max(l.capacityMbps, speedFor(l.a.port), speedFor(l.b.port));
      traffic.set(`${l.a.device}:${l.a.port}`, { inBps: Math.round(up), outBps: Math.round(down), speedMbps });
      traffic.set(`${l.b.device}:${l.b.port}`, { inBps: Math.round(down), outBps: Math.round(up), speedMbps });
      for (const [near, far] of [
        [l.a, l.b],
        [l.b, l.a],
      ] as const) {
        if (!devices.has(near.device) || !devices.has(far.device)) continue;
        const list = neighbors.get(near.device) ?? [];
        list.push({
          localPortNum: ifIndexOf(near.device, near.port),
          chassisIdSubtype: 4,
          chassisId: macBytes(macOf(far.device)),
          portIdSubtype: 5,
          portId: far.port,
          sysName: devices.get(far.device)?.name ?? far.device,
        });
        neighbors.set(near.device, list);
      }
    }

    const sims = new Map<string, SimulatedSwitch>();
    try {
      for (const d of devices.values()) {
        const ports: SimPortConfig[] = (portNames.get(d.id) ?? []).map((name, i) => {
          const t = traffic.get(`${d.id}:${name}`);
          const light = unit(`${d.id}:${name}`);
          const inBps = t?.inBps ?? Math.round(light * 5e6);
          return {
            ifIndex: i + 1,
            name,
            speedMbps: t?.speedMbps ?? speedFor(name),
            inBps,
            outBps: t?.outBps ?? Math.round(light * 2e6),
            operUp: t !== undefined || light > 0.3,
            errorsPerSec: t ? 0 : light > 0.9 ? 0.5 : 0,
            // the 32-bit ifInOctets wraps within a minute of start, so the lab shows wraps handled
            startOctets: 2n ** 32n - (BigInt(Math.ceil(inBps / 8) * 60) % 2n ** 32n),
          };
        });
        const sim = await SimulatedSwitch.start({
          name: d.name,
          descr: `${d.vendor} ${d.model} (Simpul lab)`,
          ports,
          community: opts.community ?? 'public',
          v3Users: [opts.v3User ?? LAB_V3_USER],
          lldp: { neighbors: neighbors.get(d.id) ?? [], chassisMac: macOf(d.id) },
          ...(opts.clock ? { clock: opts.clock } : {}),
        });
        sims.set(d.id, sim);
      }
    } catch (e) {
      await Promise.all([...sims.values()].map((s) => s.close()));
      throw e;
    }
    return new SnmpLab(sims, devices, opts);
  }

  /** Poll targets pointing at the simulators; credentials match what the simulators serve. */
  targets(): PollTarget[] {
    return [...this.devices.values()].map((d) => {
      const sim = this.sims.get(d.id) as SimulatedSwitch;
      const u = this.opts.v3User ?? LAB_V3_USER;
      const credentials: SnmpCredentials =
        d.snmp?.version === '3'
          ? { version: '3', user: u.name, authKey: u.authKey, privKey: u.privKey }
          : { version: '2c', community: this.opts.community ?? 'public' };
      return {
        id: d.id,
        opd: d.opd,
        host: sim.address,
        port: sim.port,
        credentials,
        intervalMs: (d.snmp?.intervalSeconds ?? 60) * 1000,
        timeoutMs: 1000,
        retries: 1,
      };
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.sims.values()].map((s) => s.close()));
    this.sims.clear();
  }
}
