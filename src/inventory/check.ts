import { formatAddress, parseAddress } from '../common/net/cidr.js';
import type { Agent, Device, InventoryProblem, Link, Opd, Site, SourceRef } from './model.js';
import { DEVICE_SERVICES, servicePort } from './endpoints.js';

export interface At<T> {
  value: T;
  src: { file: string };
  path: (string | number)[];
}

/** The inventory's objects with where each was written, so every problem names file and line. */
export interface Located {
  opds: At<Opd>[];
  sites: At<Site>[];
  devices: At<Device>[];
  links: At<Link>[];
  agents: At<Agent>[];
  /** Ids written in the inventory whose objects failed the schema (reported there): known, not loaded. */
  invalid: { opds: Set<string>; sites: Set<string>; devices: Set<string>; agents: Set<string> };
  where(src: { file: string }, path: (string | number)[]): SourceRef;
}

/**
 * The address as one canonical text, so every spelling of it compares equal: IPv6 compressed and
 * lowercase, an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it carries.
 * Null when it is not an address (leading zeros included: some tools read them as octal).
 */
export function canonicalAddress(s: string): string | null {
  let a;
  try {
    a = parseAddress(s);
  } catch {
    return null;
  }
  return a.family === 6 && a.value >> 32n === 0xffffn ? formatAddress(4, a.value & 0xffffffffn) : a.text;
}

/** Ports a device has: its interface names, or 1..N. Null when the inventory does not say. */
export function devicePorts(d: Pick<Device, 'ports' | 'interfaces'>): Set<string> | null {
  if (d.interfaces) return new Set(d.interfaces);
  if (d.ports) return new Set(Array.from({ length: d.ports }, (_, i) => String(i + 1)));
  return null;
}

/** Meaning checks across files: duplicates, references, addresses, ports. Pure. */
export function checkInventory(inv: Located): InventoryProblem[] {
  const out: InventoryProblem[] = [];
  const report = <T>(o: At<T>, sub: (string | number)[], message: string) =>
    out.push({ ...inv.where(o.src, [...o.path, ...sub]), path: [...o.path, ...sub].join('.'), message });

  const unique = <T>(items: At<T>[], key: (v: T) => string, sub: string, what: string) => {
    const seen = new Map<string, At<T>>();
    for (const o of items) {
      const k = key(o.value);
      const first = seen.get(k);
      if (first)
        report(o, [sub], `duplicate ${what} '${k}' (first defined in ${inv.where(first.src, first.path).file}:${inv.where(first.src, first.path).line})`);
      else seen.set(k, o);
    }
    return seen;
  };

  const opds = unique(inv.opds, (o) => o.code, 'code', 'OPD code');
  const sites = unique(inv.sites, (s) => s.id, 'id', 'site id');
  const devices = unique(inv.devices, (d) => d.id, 'id', 'device id');
  unique(inv.links, (l) => l.id, 'id', 'link id');
  const agents = unique(inv.agents, (a) => a.id, 'id', 'agent id');
  for (const d of inv.devices) {
    const id = d.value.agent;
    if (id === undefined) continue;
    const a = agents.get(id);
    if (!a) {
      if (!inv.invalid.agents.has(id)) report(d, ['agent'], `unknown agent '${id}'; the agents of this OPD are defined under agents: in its file`);
    } else if (a.value.opd !== d.value.opd)
      report(d, ['agent'], `agent '${id}' belongs to ${a.value.opd}, not ${d.value.opd}: an office's agent polls only that office's devices`);
    else if (!d.value.snmp) report(d, ['agent'], 'an agent polls a device over SNMP: give the device an snmp: section too');
  }
  // Several devices may sit behind one address (NAT, VPN) with forwarded ports: what must be unique
  // is each service's address and port (TCP for the RouterOS API and SSH, UDP for SNMP), every
  // spelling of an address counting as the same one. One message per pair of devices.
  const endpoints = new Map<string, { o: At<Device>; name: string }>();
  for (const d of inv.devices) {
    const address = canonicalAddress(d.value.mgmt);
    if (!address) continue;
    const clashes = new Map<At<Device>, string[]>();
    for (const { service, name, transport } of DEVICE_SERVICES) {
      const port = servicePort(d.value, service);
      if (port === null) continue;
      const k = `${transport} ${address} ${port}`;
      const first = endpoints.get(k);
      if (!first) endpoints.set(k, { o: d, name });
      else
        clashes.set(first.o, [
          ...(clashes.get(first.o) ?? []),
          `${name} ${port}${first.name === name ? '' : ` (${first.o === d ? 'also' : 'its'} ${first.name})`}`,
        ]);
    }
    for (const [other, what] of clashes) {
      const w = inv.where(other.src, other.path);
      report(
        d,
        ['mgmt'],
        other === d
          ? `two services of this device answer on one port of ${address}: ${what.join(', ')}; give one of them another port`
          : `same address and port as '${other.value.id}' (${w.file}:${w.line}) at ${address}: ${what.join(', ')}; devices behind one address need their own ports (routeros.port, routeros.sshPort, snmp.port)`,
      );
    }
  }
  unique(
    inv.devices.filter((d) => d.value.label),
    (d) => `${d.opd}.${d.label}`,
    'label',
    'device label within the OPD',
  );
  const file = (o: At<Opd>) =>
    o.src.file
      .split('/')
      .pop()!
      .replace(/\.ya?ml$/, '');
  for (const o of inv.opds) if (file(o) !== o.value.code) report(o, ['code'], `the file name should be the OPD code: rename to ${o.value.code}.yaml`);

  for (const s of inv.sites) if (!opds.has(s.value.opd) && !inv.invalid.opds.has(s.value.opd)) report(s, [], `site belongs to unknown OPD '${s.value.opd}'`);
  for (const d of inv.devices) {
    const site = sites.get(d.value.site);
    if (!site) {
      if (!inv.invalid.sites.has(d.value.site)) report(d, ['site'], `unknown site '${d.value.site}'; sites of this OPD are defined under sites:`);
    } else if (site.value.opd !== d.value.opd) report(d, ['site'], `site '${d.value.site}' belongs to ${site.value.opd}, not ${d.value.opd}`);
    if (!canonicalAddress(d.value.mgmt)) report(d, ['mgmt'], `'${d.value.mgmt}' is not a valid IPv4 or IPv6 address`);
    if (d.value.ports && d.value.interfaces) report(d, ['ports'], 'give either ports (a count) or interfaces (names), not both');
    if (d.value.routeros && d.value.vendor.toLowerCase() !== 'mikrotik') report(d, ['routeros'], 'routeros: is only for MikroTik devices');
  }
  for (const l of inv.links) {
    for (const end of ['a', 'b'] as const) {
      const ref = l.value[end];
      const d = devices.get(ref.device);
      if (!d) {
        if (!inv.invalid.devices.has(ref.device)) report(l, [end, 'device'], `link end ${end} names unknown device '${ref.device}'`);
        continue;
      }
      const ports = devicePorts(d.value);
      if (ports && !ports.has(ref.port)) report(l, [end, 'port'], `device '${ref.device}' has no port '${ref.port}'`);
    }
    if (l.value.a.device === l.value.b.device) report(l, ['b', 'device'], 'a link must join two different devices');
  }
  const usedPorts = new Map<string, At<Link>>();
  for (const l of inv.links)
    for (const end of ['a', 'b'] as const) {
      const k = `${l.value[end].device}:${l.value[end].port}`;
      const other = usedPorts.get(k);
      if (other) report(l, [end, 'port'], `port ${k} is already used by link '${other.value.id}'`);
      else usedPorts.set(k, l);
    }
  return out;
}
