import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AppError } from '../common/errors.js';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import type { BackupOutcome, BackupService } from './service.js';

const nullable = <T extends TSchema>(t: T) => Type.Unsafe<Static<T> | null>({ ...t, type: [t.type as string, 'null'] });
const NStr = nullable(Type.String());
const NInt = nullable(Type.Integer());

const RouterId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'inventory router id' });
const VersionNo = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'version number, 1 = the first backup kept' });
const IdParams = Type.Object({ id: RouterId }, { additionalProperties: false });
const VersionParams = Type.Object({ id: RouterId, a: VersionNo }, { additionalProperties: false });
const DiffParams = Type.Object({ id: RouterId, a: VersionNo, b: VersionNo }, { additionalProperties: false });
const ResetBody = Type.Object(
  {
    fingerprint: Type.Optional(
      Type.String({ maxLength: 100, description: "pin exactly this key (`SHA256:...`, from the router's console); absent = trust the next key seen" }),
    ),
  },
  { additionalProperties: false },
);

const Version = Type.Object({
  version: Type.Integer(),
  takenAt: Type.String({ description: 'when this content was first fetched' }),
  lastSeenAt: Type.String({ description: 'the last check that found the router still at this content' }),
  size: Type.Integer({ description: 'bytes of masked text' }),
  hash: Type.String({ description: 'SHA-256 of the masked text without the export timestamp line' }),
  linesAdded: NInt,
  linesRemoved: NInt,
  changedLines: nullable(Type.Integer({ description: 'lines added + removed since the previous version; null for the first' })),
});
const Status = Type.Object({
  router: Type.String(),
  hostKey: Type.Object({
    fingerprint: nullable(Type.String({ description: 'the pinned key; null = the next key seen is trusted' })),
    pinnedAt: NStr,
    pinnedBy: NStr,
    refusedFingerprint: nullable(Type.String({ description: 'a different key the router presented; backups are refused while set' })),
    refusedAt: NStr,
  }),
  lastCheck: nullable(Type.Object({ lastCheckAt: Type.String(), lastResult: Type.String(), lastError: NStr, lastSuccessAt: NStr })),
});
const Versions = Type.Composite([Status, Type.Object({ versions: Type.Array(Version) })]);
const Outcome = Type.Object({ router: Type.String(), result: Type.String(), version: NInt, error: NStr });
const Text = Type.String({ description: 'text/plain' });

const tags = ['backups'];

/** A failed on-demand backup as a problem: the router's fault (502) or a state to fix (409). */
function outcomeOrThrow(o: BackupOutcome): BackupOutcome {
  if (o.result === 'changed' || o.result === 'unchanged') return o;
  if (o.result === 'host_key_changed')
    throw new AppError(
      409,
      'HOST_KEY_CHANGED',
      `${o.error ?? ''}. Nothing was stored. Check the router, then a noc-admin re-pins with POST /api/v1/routers/${o.router}/host-key/reset`,
      undefined,
      { result: o.result },
    );
  if (o.result === 'skipped')
    throw new AppError(409, 'BACKUP_SKIPPED', `router '${o.router}' is not backed up: ${o.error ?? ''}`, undefined, { result: o.result });
  throw new AppError(502, 'BACKUP_FAILED', `backup of '${o.router}' failed (${o.result}): ${o.error ?? ''}`, undefined, { result: o.result });
}

export const backupRoutes =
  (svc: BackupService): RoutePlugin =>
  (app) => {
    app.get<{ Params: Static<typeof IdParams> }>('/routers/:id/backups', {
      schema: {
        tags,
        summary: 'Config backup versions of a router (newest first), its pinned host key and last check',
        params: IdParams,
        response: { 200: Versions, ...problemReplies },
      },
      handler: (req) => svc.versions(req.actor, req.params.id),
    });
    app.post<{ Params: Static<typeof IdParams> }>('/routers/:id/backups', {
      schema: {
        tags,
        summary: 'Back the router up now: 201 with a new version, 200 when unchanged, 409 host key changed, 502 router unreachable or refusing',
        params: IdParams,
        response: { 200: Outcome, 201: Outcome, ...problemReplies, 409: Type.Ref('Problem'), 502: Type.Ref('Problem') },
      },
      handler: async (req, reply) => {
        const o = outcomeOrThrow(await svc.requestBackup(req.actor, req.params.id));
        return reply.status(o.result === 'changed' ? 201 : 200).send(o);
      },
    });
    app.get<{ Params: Static<typeof VersionParams> }>('/routers/:id/backups/:a', {
      schema: { tags, summary: 'One version as masked export text', params: VersionParams, response: { 200: Text, ...problemReplies } },
      handler: (req, reply) => {
        const v = svc.version(req.actor, req.params.id, req.params.a);
        return reply.type('text/plain; charset=utf-8').header('etag', `"${v.hash}"`).header('last-modified', new Date(v.takenAt).toUTCString()).send(v.content);
      },
    });
    app.get<{ Params: Static<typeof DiffParams> }>('/routers/:id/backups/:a/diff/:b', {
      schema: {
        tags,
        summary: 'Unified diff from version a to version b (the export timestamp line ignored)',
        params: DiffParams,
        response: { 200: Text, ...problemReplies, 422: Type.Ref('Problem') },
      },
      handler: (req, reply) => reply.type('text/x-diff; charset=utf-8').send(svc.diff(req.actor, req.params.id, req.params.a, req.params.b)),
    });
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ResetBody> | undefined }>('/routers/:id/host-key/reset', {
      schema: {
        tags,
        summary: "Re-pin the router's SSH host key after a verified change (noc-admin)",
        params: IdParams,
        body: ResetBody,
        response: { 200: Status, ...problemReplies },
      },
      handler: (req) => svc.resetHostKey(req.actor, req.params.id, req.body?.fingerprint),
    });
  };
