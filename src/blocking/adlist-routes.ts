// HTTP for router-fetched lists: `GET /adlist/{router}/{secret}.txt` (outside /api/v1: the router
// has no token, the secret in the URL is its capability), answered only to the router's own
// management address (or blocking.adlist.allowFrom), with an ETag naming the list version; and
// the NOC's revocation of a router's URL in the API.
import { fstatSync, openSync, createReadStream } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../http/context.js';
import { problemReplies } from '../http/schemas.js';
import { AppError, notFound } from '../common/errors.js';
import { containsPrefix, makePrefix, parseAddress, parsePrefix, type Prefix } from '../common/net/cidr.js';
import { requirePermission, type Actor } from '../auth/actor.js';
import type { AdlistFiles } from './adlist-files.js';
import type { AdlistSecrets } from './adlist-secrets.js';

export interface AdlistRouter {
  opd: string;
  /** Where the router's requests come from: its management address (lab: its simulator's). */
  address: string | null;
  /** The router's desired state uses its adlist (RouterOS 7.15+, adlist enabled). */
  adlist: boolean;
}

export interface AdlistServing {
  files: AdlistFiles;
  secrets: AdlistSecrets;
  /** An OPD router the blocking contributor manages, or null. */
  router(id: string): AdlistRouter | null;
  /** blocking.adlist.allowFrom: addresses or prefixes that may fetch any router's list. */
  allowFrom: readonly string[];
  /** A router received this whole version. */
  served(router: string, version: string): void;
  /** Revoked: the router's desired state must carry its new URL. */
  revoked(router: string): void;
}

const Params = Type.Object(
  { router: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }), file: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}\\.txt$' }) },
  { additionalProperties: false },
);
const RevokeParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) }, { additionalProperties: false });

function asPrefix(text: string): Prefix | null {
  try {
    if (text.includes('/')) return parsePrefix(text);
    const a = parseAddress(text);
    return makePrefix(a.family, a.value, a.family === 4 ? 32 : 128);
  } catch {
    return null;
  }
}

/** True when the peer address is the router's own or inside an allowed range. */
export function addressAllowed(peer: string, own: string | null, allowFrom: readonly string[]): boolean {
  const p = asPrefix(peer.replace(/^::ffff:(?=\d+\.)/, ''));
  if (!p) return false;
  return [own, ...allowFrom].some((a) => {
    const range = a === null ? null : asPrefix(a);
    return range !== null && range.family === p.family && containsPrefix(range, p);
  });
}

/** Matches `If-None-Match` (a list, weak or strong) against our ETag. */
const notModified = (header: string | undefined, etag: string): boolean =>
  header !== undefined && (header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));

/** The list itself, registered at the root of the HTTP and HTTPS listeners. */
export function adlistPublicRoutes(s: AdlistServing): RoutePlugin {
  return (app) => {
    app.get<{ Params: Static<typeof Params> }>('/adlist/:router/:file', {
      // request lines carry the secret: not logged (fastify logs requests at info)
      logLevel: 'warn',
      schema: {
        tags: ['blocking'],
        summary: "A router's block list as a hosts file (RouterOS /ip/dns/adlist); the URL is the router's capability",
        params: Params,
        security: [],
        response: { ...problemReplies },
      },
      handler: async (req, reply) => {
        const { router: id, file } = req.params;
        // the secret travels in the URL: never over plain HTTP
        if (!(req.raw.socket as TLSSocket).encrypted)
          throw new AppError(403, 'ADLIST_TLS_ONLY', "block lists are served over Simpul's HTTPS listener (http.tls) only");
        const r = s.router(id);
        // an unknown router and a wrong or revoked secret look the same
        if (!r || !s.secrets.verify(id, file.slice(0, -'.txt'.length)))
          throw new AppError(404, 'ADLIST_NOT_FOUND', 'no block list at this address (the secret is wrong or was revoked)');
        const peer = req.socket.remoteAddress ?? '';
        if (!addressAllowed(peer, r.address, s.allowFrom))
          throw new AppError(
            403,
            'ADLIST_ADDRESS_REFUSED',
            `this list is served to router ${id}'s management address only, not ${peer} (blocking.adlist.allowFrom adds others)`,
          );
        if (!r.adlist)
          throw new AppError(
            404,
            'ADLIST_NOT_IN_USE',
            `router ${id} does not fetch its list (RouterOS before 7.15, or blocking.adlist.enabled is off): it holds static entries`,
          );
        const v = s.files.version(r.opd);
        const etag = `"${v.version}"`;
        reply.header('etag', etag).header('cache-control', 'no-cache');
        if (notModified(req.headers['if-none-match'], etag)) {
          s.served(id, v.version);
          return reply.code(304).send();
        }
        // opened now, in the same tick as version(): a newer version may unlink the path, never this file
        const fd = openSync(v.path, 'r');
        reply.raw.once('finish', () => s.served(id, v.version));
        return reply
          .type('text/plain; charset=utf-8')
          .header('content-length', String(fstatSync(fd).size))
          .send(createReadStream('', { fd }));
      },
    });
  };
}

/** The NOC revokes a router's list URL (a new one replaces it at the next sync). */
export function adlistApiRoutes(s: AdlistServing): RoutePlugin {
  return (app) => {
    app.post<{ Params: Static<typeof RevokeParams> }>('/routers/:id/adlist/revoke', {
      schema: {
        tags: ['routers'],
        summary: "Revoke a router's block-list URL (noc-operator and up): the old URL answers 404 at once, the router gets a new one at its next sync",
        params: RevokeParams,
        response: { 200: Type.Object({ router: Type.String(), revokedAt: Type.String() }), ...problemReplies },
      },
      handler: (req) => {
        const actor: Actor = req.actor;
        requirePermission(actor, 'operate');
        if (!s.router(req.params.id)) throw notFound('router', req.params.id);
        const out = s.secrets.revoke(actor, req.params.id);
        s.revoked(req.params.id);
        return out;
      },
    });
  };
}
