import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { DeviceOut, LinkOut, OpdDetail, OpdSummary, problemReplies } from '../http/schemas.js';
import { DeviceRoles } from './model.js';
import { requirePermission } from '../auth/actor.js';
import { OpdCode } from './model.js';

const Counts = Type.Object({ added: Type.Integer(), changed: Type.Integer(), removed: Type.Integer() });
const SyncReportOut = Type.Object({ opds: Counts, sites: Counts, devices: Counts, links: Counts });

const CodeParam = Type.Object({ code: OpdCode() }, { additionalProperties: false });
const IdParam = Type.Object({ id: Type.String({ maxLength: 63 }) }, { additionalProperties: false });
const DeviceQuery = Type.Object(
  { opd: Type.Optional(OpdCode()), role: Type.Optional(Type.Union(DeviceRoles.map((r) => Type.Literal(r)))) },
  { additionalProperties: false },
);

export const inventoryRoutes: RoutePlugin = (app, s) => {
  app.get('/opds', {
    schema: { tags: ['inventory'], summary: 'OPDs (an opd-admin sees its own)', response: { 200: Type.Array(OpdSummary), ...problemReplies } },
    handler: (req) => s.inventory.listOpds(req.actor),
  });
  app.get<{ Params: Static<typeof CodeParam> }>('/opds/:code', {
    schema: { tags: ['inventory'], summary: 'One OPD with its sites and devices', params: CodeParam, response: { 200: OpdDetail, ...problemReplies } },
    handler: (req) => s.inventory.getOpd(req.actor, req.params.code),
  });
  app.get<{ Querystring: Static<typeof DeviceQuery> }>('/devices', {
    schema: {
      tags: ['inventory'],
      summary: 'Devices, filtered by OPD or role',
      querystring: DeviceQuery,
      response: { 200: Type.Array(DeviceOut), ...problemReplies },
    },
    handler: (req) => s.inventory.listDevices(req.actor, req.query),
  });
  app.get<{ Params: Static<typeof IdParam> }>('/devices/:id', {
    schema: { tags: ['inventory'], summary: 'One device', params: IdParam, response: { 200: DeviceOut, ...problemReplies } },
    handler: (req) => s.inventory.getDevice(req.actor, req.params.id),
  });
  app.post('/inventory/reload', {
    schema: {
      tags: ['inventory'],
      summary: 'Load the inventory files now and sync the store (as SIGHUP does; noc-admin)',
      description:
        'Every module hears the new inventory at once (pollers, routers, agents). An invalid inventory is 422 INVENTORY_INVALID with each problem (file, line, path, message); the previous one stays loaded.',
      response: { 200: SyncReportOut, ...problemReplies },
    },
    handler: (req) => {
      requirePermission(req.actor, 'admin');
      return s.reloadInventory(req.actor);
    },
  });
  app.get('/links', {
    schema: { tags: ['inventory'], summary: 'Backbone links with contracted capacity', response: { 200: Type.Array(LinkOut), ...problemReplies } },
    handler: (req) => s.inventory.listLinks(req.actor),
  });
};
