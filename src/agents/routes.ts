/**
 * Agent routes. The NOC's (enrollment codes, revocation, listing) use API tokens like every route;
 * the agents' own (enroll, config, batches) are `public` to the token hook and authenticate the
 * agent here: a one-time code to enroll, then `Authorization: Agent <id>.<secret>`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, type RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import { AgentBatch, AgentConfig, AgentId, BatchAck, CONFIG_VERSION_HEADER, EnrollReply, EnrollRequest, MAX_BATCH_BYTES } from './protocol.js';
import type { Agent } from '../inventory/model.js';
import type { AgentService } from './service.js';

const nullable = <T extends TSchema>(t: T) => Type.Unsafe<Static<T> | null>({ ...t, type: [t.type as string, 'null'] });
const NStr = nullable(Type.String());
const IdParam = Type.Object({ id: AgentId }, { additionalProperties: false });
const AgentOut = Type.Object({
  id: Type.String(),
  opd: Type.String(),
  description: NStr,
  pollIntervalSeconds: Type.Integer(),
  devices: Type.Array(Type.String()),
  enrolled: Type.Boolean(),
  enrolledAt: NStr,
  revokedAt: NStr,
  hostname: NStr,
  agentVersion: NStr,
  address: NStr,
  lastSeenAt: NStr,
  up: Type.Boolean({ description: 'seen within 3 poll intervals' }),
  lastBatch: Type.Integer({ description: 'highest batch acknowledged' }),
  backlogBatches: Type.Integer({ description: 'batches the agent had queued at its last upload' }),
  droppedSamples: Type.Integer({ description: 'samples the agent dropped for age or size (cumulative)' }),
});
const CodeOut = Type.Object({
  agentId: Type.String(),
  code: Type.String({ description: 'one-time enrollment code; shown once' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
const agentReplies = { ...problemReplies, 409: Type.Ref('Problem'), 410: Type.Ref('Problem'), 413: Type.Ref('Problem'), 422: Type.Ref('Problem') };

type IdReq = FastifyRequest<{ Params: Static<typeof IdParam> }>;

export function agentRoutes(service: AgentService): RoutePlugin {
  return (app) => {
    const tags = ['agents'];
    const pub = { public: true };
    // before the body is read: an unknown caller cannot make the server parse 8 MiB
    const authenticated = new WeakMap<FastifyRequest, Agent>();
    const onRequest = async (req: IdReq, reply: FastifyReply) => {
      const agent = service.authenticate(req.params.id, req.headers.authorization);
      authenticated.set(req, agent);
      reply.header(CONFIG_VERSION_HEADER, service.config(agent).configVersion);
    };
    const agentOf = (req: FastifyRequest): Agent => authenticated.get(req) as Agent;

    app.get(
      '/agents',
      {
        schema: {
          tags,
          summary: 'Remote site agents: enrollment, last report, devices (an opd-admin sees its own office)',
          response: { 200: Type.Array(AgentOut), ...problemReplies },
        },
      },
      async (req) => service.list(actorOf(req)),
    );
    app.get<{ Params: Static<typeof IdParam> }>(
      '/agents/:id',
      { schema: { tags, summary: 'One remote site agent', params: IdParam, response: { 200: AgentOut, ...problemReplies } } },
      async (req) => service.get(actorOf(req), req.params.id),
    );
    app.post<{ Params: Static<typeof IdParam> }>(
      '/agents/:id/enrollment-code',
      {
        schema: {
          tags,
          summary: 'A one-time enrollment code for the agent, valid 24 h (NOC admin)',
          params: IdParam,
          response: { 201: CodeOut, ...problemReplies },
        },
      },
      async (req, reply) => reply.code(201).send(service.issueCode(actorOf(req), req.params.id)),
    );
    app.post<{ Params: Static<typeof IdParam> }>(
      '/agents/:id/revoke',
      {
        schema: {
          tags,
          summary: 'Revoke the agent: refused from its next request on (NOC admin)',
          params: IdParam,
          response: { 200: AgentOut, ...problemReplies },
        },
      },
      async (req) => service.revoke(actorOf(req), req.params.id),
    );

    app.post<{ Params: Static<typeof IdParam>; Body: EnrollRequest }>(
      '/agents/:id/enroll',
      {
        config: pub,
        schema: {
          tags,
          summary: 'Agent: trade a one-time code for the agent secret',
          security: [],
          params: IdParam,
          body: EnrollRequest,
          response: { 200: EnrollReply, ...agentReplies },
        },
      },
      async (req) => service.enroll(req.params.id, req.body, req.ip),
    );
    app.get<{ Params: Static<typeof IdParam> }>(
      '/agents/:id/config',
      {
        config: pub,
        onRequest,
        schema: {
          tags,
          summary: 'Agent: its devices with credentials, poll interval and queue limits',
          security: [],
          params: IdParam,
          response: { 200: AgentConfig, ...agentReplies },
        },
      },
      async (req) => {
        const agent = agentOf(req);
        service.seen(agent, req.ip);
        return service.config(agent);
      },
    );
    app.post<{ Params: Static<typeof IdParam>; Body: AgentBatch }>(
      '/agents/:id/batches',
      {
        config: pub,
        bodyLimit: MAX_BATCH_BYTES,
        onRequest,
        schema: {
          tags,
          summary: 'Agent: upload one batch of poll records (idempotent on its number)',
          security: [],
          params: IdParam,
          body: AgentBatch,
          response: { 200: BatchAck, ...agentReplies },
        },
      },
      async (req) => {
        const agent = agentOf(req);
        const r = service.ingest(agent, req.body, req.ip);
        if (r.stored)
          req.log.info(
            { agent: agent.id, batch: req.body.batch, polls: req.body.polls.length, applied: r.applied, backlog: req.body.backlogBatches },
            'agent batch stored',
          );
        return { acked: r.acked, configVersion: service.config(agent).configVersion };
      },
    );
  };
}
