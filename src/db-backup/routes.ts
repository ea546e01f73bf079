import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import type { DbBackupService } from './service.js';

const nullable = <T extends TSchema>(t: T) => Type.Unsafe<Static<T> | null>({ ...t, type: [t.type as string, 'null'] });
const NStr = nullable(Type.String());

const BackupId = Type.String({ pattern: '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$', description: 'backup id, e.g. 20261123T010000Z-a1b2c3' });
const IdParams = Type.Object({ id: BackupId }, { additionalProperties: false });
const TestBody = Type.Object({ backupId: Type.Optional(BackupId) }, { additionalProperties: false });

const Failure = Type.Object({ reason: Type.String(), detail: Type.String() });
const RestoreTest = Type.Object({
  id: Type.Integer(),
  backupId: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  ok: Type.Boolean(),
  durationMs: Type.Integer({ description: 'fetch from the target, decrypt, check: the recovery time of the data' }),
  recoveryPoint: nullable(Type.String({ description: 'the sentinel written just before the snapshot, read back from the restored copy' })),
  failures: Type.Array(Failure),
});
const Backup = Type.Object({
  id: Type.String(),
  startedAt: Type.String(),
  finishedAt: NStr,
  state: Type.Unsafe<string>({ type: 'string', enum: ['running', 'stored', 'failed', 'pruned'] }),
  target: Type.String(),
  file: Type.String(),
  size: nullable(Type.Integer()),
  sha256: NStr,
  error: NStr,
  recoveryPoint: NStr,
  schemaVersion: nullable(Type.Integer()),
  auditHead: nullable(Type.Object({ seq: Type.Integer(), hash: Type.String() })),
  restoreTests: Type.Array(RestoreTest, { description: 'newest first' }),
});
const List = Type.Object({
  target: nullable(Type.String({ description: 'null: backup.database.target is not configured' })),
  running: NStr,
  backups: Type.Array(Backup, { description: 'newest first' }),
});

const tags = ['database backups'];
const busy = { 409: Type.Ref('Problem'), 502: Type.Ref('Problem') };

export const dbBackupRoutes =
  (svc: DbBackupService): RoutePlugin =>
  (app) => {
    app.get('/backups', {
      schema: { tags, summary: 'Database backups on the DRC target, newest first, with their restore tests', response: { 200: List, ...problemReplies } },
      handler: (req) => svc.list(req.actor),
    });
    app.post('/backups', {
      schema: {
        tags,
        summary: 'Back the database up to the DRC now (noc-admin): 201 stored, 409 not configured or one running, 502 the target failed',
        response: { 201: Backup, ...problemReplies, ...busy },
      },
      handler: async (req, reply) => reply.status(201).send(await svc.create(req.actor)),
    });
    app.get<{ Params: Static<typeof IdParams> }>('/backups/:id', {
      schema: { tags, summary: 'One database backup with its restore tests', params: IdParams, response: { 200: Backup, ...problemReplies } },
      handler: (req) => svc.get(req.actor, req.params.id),
    });
    app.post<{ Body: Static<typeof TestBody> | undefined }>('/backups/restore-tests', {
      schema: {
        tags,
        summary: 'Fetch a backup (the newest by default) back from the target and test it: 200 with ok and the failures named',
        body: TestBody,
        response: { 200: RestoreTest, ...problemReplies, ...busy },
      },
      handler: (req) => svc.restoreTest(req.actor, req.body?.backupId),
    });
  };
