// HTTP: router status, plans read from the router now, and operators' applies.
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { Nullable, problemReplies } from '../http/schemas.js';
import { errorOut, redactSecrets, stepOut, type RouterService } from './service.js';

const Params = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) }, { additionalProperties: false });
const Strings = Type.Record(Type.String(), Type.String());

const RouterSummary = {
  id: Type.String(),
  opd: Type.String(),
  name: Type.String(),
  state: Type.String({ description: 'unknown, syncing, in-sync, drift, unreachable, degraded' }),
  reason: Nullable(Type.String()),
  lastSuccessAt: Nullable(Type.String()),
  lastSyncAt: Nullable(Type.String()),
  drift: Type.Integer({ description: 'entries that differed from the desired state at the last read' }),
  entriesManaged: Type.Integer(),
  pendingApply: Type.Boolean(),
  nextRetryAt: Nullable(Type.String()),
};
const Step = Type.Object({
  op: Type.String(),
  menu: Type.String(),
  key: Type.String(),
  reason: Type.String(),
  id: Type.Optional(Type.String()),
  fields: Type.Optional(Strings),
  set: Type.Optional(Strings),
  unset: Type.Optional(Type.Array(Type.String())),
  placeBefore: Type.Optional(Type.String()),
  target: Type.Optional(Type.String()),
  before: Type.Optional(Type.String()),
});
const StepError = Type.Object({
  op: Type.String(),
  menu: Type.Optional(Type.String()),
  key: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  kind: Type.String(),
  category: Type.Optional(Type.Integer()),
  message: Type.String(),
});
const Dns = Type.Union([
  Type.Object(
    {
      mode: Type.String({ description: 'adlist: the router fetches its list from Simpul (RouterOS 7.15+); static: one DNS entry per name' }),
      names: Type.Union([Type.Integer(), Type.Null()], { description: "names the router's adlists hold, as it counts them" }),
    },
    { description: 'how the router blocks names, from its last apply' },
  ),
  Type.Null(),
]);
const RouterDetail = Type.Object({
  ...RouterSummary,
  system: Type.Union([
    Type.Object(
      { version: Nullable(Type.String()), board: Nullable(Type.String()) },
      { description: 'what the router reported in /system/resource at its last connection' },
    ),
    Type.Null(),
  ]),
  inventoryMismatch: Type.Array(Type.Object({ field: Type.String(), inventory: Type.String(), router: Type.String() }), {
    description: 'fields where the inventory disagrees with the router; the router is believed',
  }),
  dns: Dns,
  lastPlan: Type.Array(Step),
  errors: Type.Array(StepError),
  notes: Type.Array(Type.String()),
  syncs: Type.Object({ ok: Type.Integer(), degraded: Type.Integer(), unreachable: Type.Integer(), refused: Type.Integer() }),
});
const PlanOut = Type.Object({ router: Type.String(), state: Type.String(), steps: Type.Array(Step), notes: Type.Array(Type.String()), dns: Dns });
const ApplyOut = Type.Object({
  router: Type.String(),
  result: Type.String({ description: 'ok, degraded, unreachable, refused, failed' }),
  writes: Type.Integer(),
  steps: Type.Array(Step),
  errors: Type.Array(StepError),
  state: Type.String(),
  reason: Nullable(Type.String()),
  durationMs: Type.Number(),
});
const routerProblems = { ...problemReplies, 409: Type.Ref('Problem'), 502: Type.Ref('Problem'), 503: Type.Ref('Problem') };

export function routerRoutes(svc: RouterService): RoutePlugin {
  return (app) => {
    app.get('/routers', {
      schema: {
        tags: ['routers'],
        summary: 'Managed MikroTik routers and their sync state',
        response: { 200: Type.Array(Type.Object(RouterSummary)), ...problemReplies },
      },
      handler: (req) => svc.list(req.actor).map((r) => ({ ...r, reason: r.reason && redactSecrets(r.reason) })),
    });
    app.get<{ Params: Static<typeof Params> }>('/routers/:id', {
      schema: {
        tags: ['routers'],
        summary: 'One router: state, last plan, errors per entry, notes',
        params: Params,
        response: { 200: RouterDetail, ...problemReplies },
      },
      handler: (req) => {
        const r = svc.get(req.actor, req.params.id);
        return { ...r, reason: r.reason && redactSecrets(r.reason), lastPlan: r.lastPlan.map(stepOut), errors: r.errors.map(errorOut) };
      },
    });
    app.get<{ Params: Static<typeof Params> }>('/routers/:id/plan', {
      schema: {
        tags: ['routers'],
        summary: 'Read the router now and show what an apply would change (writes nothing)',
        params: Params,
        response: { 200: PlanOut, ...routerProblems },
      },
      handler: (req) => svc.plan(req.actor, req.params.id),
    });
    app.post<{ Params: Static<typeof Params> }>('/routers/:id/apply', {
      schema: {
        tags: ['routers'],
        summary: 'Apply the desired state to one router now (noc-operator and up); audited with its plan',
        params: Params,
        response: { 200: ApplyOut, ...routerProblems },
      },
      handler: (req) => svc.apply(req.actor, req.params.id),
    });
    app.post('/routers/apply', {
      schema: {
        tags: ['routers'],
        summary: 'Apply every router now (noc-operator and up); one result per router',
        response: { 200: Type.Object({ results: Type.Array(ApplyOut) }), ...problemReplies },
      },
      handler: async (req) => ({ results: await svc.applyAll(req.actor) }),
    });
  };
}
