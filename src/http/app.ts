import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/errors.js';
import { httpMetrics } from '../metrics/registry.js';
import { readSecret } from '../config/load.js';
import { errorHandler, sendProblem } from './problem.js';
import { Problem } from './schemas.js';
import { validatorCompiler } from './validation.js';
import type { RoutePlugin, Services } from './context.js';

export interface HttpOptions {
  routes: RoutePlugin[];
  /** Answers unknown routes outside /api/ (the pages' 404 page); the API's problem+json otherwise. */
  notFound?: (req: FastifyRequest, reply: FastifyReply) => unknown;

  logger?: FastifyServerOptions['logger'];
}

/** Log options: the authorization header never reaches a log line, whatever the level. */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger'];
}

/**
 * Returns the app wrapped: a Fastify instance is a thenable, and returning it from an async
 * function would await it, loading the API plugin before the modules have added their routes.
 */
export async function buildHttp(s: Services, opts: HttpOptions): Promise<{ app: FastifyInstance }> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: s.config.http.bodyLimitBytes,
    trustProxy: s.config.http.trustProxy,
    // Prototype-poisoning keys in JSON bodies are refused rather than parsed.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  });
  // Unknown fields are an error, not silently dropped; only query strings and params are coerced.
  app.setValidatorCompiler(validatorCompiler());
  app.addSchema(Problem);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    opts.notFound && !req.url.startsWith('/api/')
      ? opts.notFound(req, reply)
      : sendProblem(reply, req, { status: 404, code: 'ROUTE_NOT_FOUND', detail: `no route ${req.method} ${req.url.split('?')[0]}; see /docs for the API` }),
  );

  const { duration } = httpMetrics(s.registry);
  app.addHook('onResponse', async (req, reply) => {
    duration.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Simpul API', version: '1', description: 'Controller of the Jaringan Intra Pemerintah Daerah' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) ?? `def-${i}` },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness: the store and the inventory are usable' } }, async (req, reply) => {
    const failing: Record<string, string> = {};
    for (const [name, check] of s.readiness) {
      const why = check();
      if (why) failing[name] = why;
    }
    if (Object.keys(failing).length)
      return sendProblem(reply, req, {
        status: 503,
        code: 'NOT_READY',
        detail: Object.entries(failing)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; '),
        checks: failing,
      });
    return { status: 'ready', checks: [...s.readiness.keys()] };
  });

  const metricsToken = s.config.metrics.token ? Buffer.from(readSecret(s.config.metrics.token)) : null;
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (req, reply) => {
    if (metricsToken) {
      const got = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (got.length !== metricsToken.length || !timingSafeEqual(got, metricsToken))
        throw new AppError(401, 'TOKEN_INVALID', 'metrics need the bearer token from metrics.token');
    }
    reply.type(s.registry.contentType);
    return s.registry.metrics();
  });

  // Not awaited: the API plugin loads at ready(), so routes added to opts.routes until then count.
  void app.register(
    async (api) => {
      api.addHook('onRequest', async (req) => {
        // routes that authenticate their caller themselves (remote site agents: src/agents/routes.ts)
        if (req.routeOptions.config?.public) return;
        const h = req.headers.authorization;
        if (!h) throw new AppError(401, 'TOKEN_MISSING', 'send an API token as "Authorization: Bearer <token>"');
        const m = /^Bearer ([A-Za-z0-9_\-.~+/=]{16,512})$/.exec(h);
        if (!m) throw new AppError(401, 'TOKEN_MALFORMED', 'the Authorization header must be "Bearer <token>"');
        req.actor = s.tokens.authenticate(m[1]!);
      });
      for (const r of opts.routes) await r(api, s);
    },
    { prefix: '/api/v1' },
  );
  return { app };
}
