import { Validator } from 'ip-num';
import type { Device, InventoryProblem, Link, Opd, Site, SourceRef } from './model.js';

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
  where(src: { file: string }, path: (string | number)[]): SourceRef;
}

export const isIpAddress = (s: string): boolean => Validator.isValidIPv4String(s)[0] || Validator.isValidIPv6String(s)[0];

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
      if (first) report(o, [sub], `duplicate ${what} '${k}' (first defined in ${inv.where(first.src, first.path).file}:${inv.where(first.src, first.path).line})`);
      else seen.set(k, o);
    }
    return seen;
  };

  const opds = unique(inv.opds, (o) => o.code, 'code', 'OPD code');
  const sites = unique(inv.sites, (s) => s.id, 'id', 'site id');
  const devices = unique(inv.devices, (d) => d.id, 'id', 'device id');
  unique(inv.links, (l) => l.id, 'id', 'link id');
  unique(inv.devices, (d) => d.mgmt, 'mgmt', 'management address');
  unique(
    inv.devices.filter((d) => d.value.label),
    (d) => `${d.opd}.${d.label}`,
    'label',
    'device label within the OPD',
  );
  const file = (o: At<Opd>) => o.src.file.split('/').pop()!.replace(/\.ya?ml$/, '');
  for (const o of inv.opds)
    if (file(o) !== o.value.code) report(o, ['code'], `the file name should be the OPD code: rename to ${o.value.code}.yaml`);

  for (const s of inv.sites) if (!opds.has(s.value.opd)) report(s, [], `site belongs to unknown OPD '${s.value.opd}'`);
  for (const d of inv.devices) {
    const site = sites.get(d.value.site);
    if (!site) report(d, ['site'], `unknown site '${d.value.site}'; sites of this OPD are defined under sites:`);
    else if (site.value.opd !== d.value.opd) report(d, ['site'], `site '${d.value.site}' belongs to ${site.value.opd}, not ${d.value.opd}`);
    if (!isIpAddress(d.value.mgmt)) report(d, ['mgmt'], `'${d.value.mgmt}' is not a valid IPv4 or IPv6 address`);
    if (d.value.ports && d.value.interfaces) report(d, ['ports'], 'give either ports (a count) or interfaces (names), not both');
    if (d.value.routeros && d.value.vendor.toLowerCase() !== 'mikrotik') report(d, ['routeros'], 'routeros: is only for MikroTik devices');
  }
  for (const l of inv.links) {
    for (const end of ['a', 'b'] as const) {
      const ref = l.value[end];
      const d = devices.get(ref.device);
      if (!d) {
        report(l, [end, 'device'], `link end ${end} names unknown device '${ref.device}'`);
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
