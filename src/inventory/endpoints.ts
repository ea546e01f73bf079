import type { DeviceService } from '../module.js';
import type { Device } from './model.js';

/** The services Simpul speaks to a device, with the transport their port belongs to. */
export const DEVICE_SERVICES: readonly { service: DeviceService; name: string; transport: 'tcp' | 'udp' }[] = [
  { service: 'routeros', name: 'RouterOS API', transport: 'tcp' },
  { service: 'routeros-ssh', name: 'RouterOS SSH', transport: 'tcp' },
  { service: 'snmp', name: 'SNMP', transport: 'udp' },
];

/**
 * The port a service of the device answers on at its management address (the inventory's port, or
 * the service's default); null when the device does not have that service. The daemon connects
 * there and the inventory check judges address uniqueness by it, so the two can never disagree.
 */
export function servicePort(d: Pick<Device, 'routeros' | 'snmp'>, service: DeviceService): number | null {
  if (service === 'snmp') return d.snmp ? (d.snmp.port ?? 161) : null;
  if (!d.routeros) return null;
  if (service === 'routeros-ssh') return d.routeros.sshPort ?? 22;
  return d.routeros.port ?? (d.routeros.tls ? 8729 : 8728);
}
