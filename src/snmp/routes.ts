import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import type { SnmpService } from './service.js';

// Nullable as a JSON type list, not a union: fast-json-stringify serializes it without trying branches.
const nullable = <T extends TSchema>(t: T) => Type.Unsafe<Static<T> | null>({ ...t, type: [t.type as string, 'null'] });
const NNum = nullable(Type.Number());
const NInt = nullable(Type.Integer());
const NStr = nullable(Type.String());

const IdParam = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'inventory device id' }) }, { additionalProperties: false });

const LinkEnd = Type.Object({ device: Type.String(), port: Type.String(), operStatus: NStr, inBps: NNum, outBps: NNum });
const Link = Type.Object({
  id: Type.String(),
  opd: NStr,
  capacityBps: Type.Number({ description: 'contracted capacity' }),
  status: Type.String({ description: 'up, down (a known end is down) or unknown (no end can be read)' }),
  since: nullable(Type.String({ format: 'date-time', description: 'when Simpul saw the status change, or first saw it after start' })),
  a: LinkEnd,
  b: LinkEnd,
  receiveBps: NNum,
  transmitBps: NNum,
  utilization: nullable(Type.Number({ description: 'max(receive, transmit) / contracted capacity' })),
  errorsPerSec: NNum,
  discardsPerSec: NNum,
});
const Interface = Type.Object({
  index: Type.Integer(),
  name: Type.String(),
  descr: Type.String(),
  alias: Type.String(),
  operStatus: NStr,
  adminStatus: NStr,
  speedBps: NNum,
  inBps: NNum,
  outBps: NNum,
  inErrorsPerSec: NNum,
  outErrorsPerSec: NNum,
  inDiscardsPerSec: NNum,
  outDiscardsPerSec: NNum,
  counterBits: NInt,
  receiveBytesTotal: Type.String({ description: 'bytes accumulated from counter deltas since Simpul first saw the interface (decimal)' }),
  transmitBytesTotal: Type.String(),
  lastDiscontinuity: nullable(Type.String({ description: 'first_sample, reboot, discontinuity_time, interface_changed, counter_width_changed' })),
  lastDiscontinuityAt: NStr,
  lastRejected: NStr,
  sampledAt: NStr,
});
const Interfaces = Type.Object({ device: Type.String(), state: Type.String(), lastPollAt: NStr, interfaces: Type.Array(Interface) });
const Neighbor = Type.Object({
  localPort: Type.String(),
  localIfIndex: NInt,
  remoteChassis: Type.String(),
  remoteChassisSubtype: NInt,
  remotePort: Type.String(),
  remotePortSubtype: NInt,
  remotePortDesc: NStr,
  remoteSysName: NStr,
  remoteDevice: NStr,
  firstSeen: Type.String(),
  lastSeen: Type.String(),
});
const Neighbors = Type.Object({ device: Type.String(), neighbors: Type.Array(Neighbor) });
const Counts = Type.Record(Type.String(), Type.Integer());
const PollState = Type.Object({
  device: Type.String(),
  opd: Type.String(),
  version: Type.String(),
  polled: Type.Boolean(),
  state: Type.String({ description: 'up, degraded (answers but part of the poll failed), down (does not answer), unknown (not polled yet), not_polled' }),
  reason: NStr,
  sysName: NStr,
  uptimeSeconds: NNum,
  lastPollAt: NStr,
  lastPollSeconds: NNum,
  interfaceCount: Type.Integer(),
  hasIfXTable: nullable(Type.Boolean()),
  errors: Counts,
  rejected: Counts,
});

const tags = ['snmp'];

export const snmpRoutes =
  (svc: SnmpService): RoutePlugin =>
  (app) => {
    app.get('/backbone', {
      schema: {
        tags,
        summary: 'Backbone links: status, traffic and utilization against the contracted capacity',
        response: { 200: Type.Array(Link), ...problemReplies },
      },
      handler: (req) => svc.backbone(req.actor),
    });
    app.get('/snmp/devices', {
      schema: {
        tags,
        summary: 'SNMP poll state of every device with snmp: (an opd-admin sees its own)',
        response: { 200: Type.Array(PollState), ...problemReplies },
      },
      handler: (req) => svc.pollStates(req.actor),
    });
    app.get<{ Params: Static<typeof IdParam> }>('/devices/:id/snmp', {
      schema: {
        tags,
        summary: 'SNMP poll state of one device: up, degraded or down with the reason, last poll',
        params: IdParam,
        response: { 200: PollState, ...problemReplies },
      },
      handler: (req) => svc.pollState(req.actor, req.params.id),
    });
    app.get<{ Params: Static<typeof IdParam> }>('/devices/:id/interfaces', {
      schema: {
        tags,
        summary: 'Interfaces of a polled device: status, speed, traffic, errors, counters',
        params: IdParam,
        response: { 200: Interfaces, ...problemReplies },
      },
      handler: (req) => svc.interfaces(req.actor, req.params.id),
    });
    app.get<{ Params: Static<typeof IdParam> }>('/devices/:id/neighbors', {
      schema: {
        tags,
        summary: 'LLDP neighbors of a device as last stored, with the inventory device they name',
        params: IdParam,
        response: { 200: Neighbors, ...problemReplies },
      },
      handler: (req) => svc.neighbors(req.actor, req.params.id),
    });
  };
