import type { FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors.js';
import { doneOf } from './noc-access.js';

/** A positive integer id from the URL, or the 404 page (a junk id names nothing). */
export function idParam(req: FastifyRequest, name = 'id'): number {
  const v = (req.params as Record<string, unknown>)[name];
  if (typeof v !== 'string' || !/^[1-9][0-9]{0,11}$/.test(v)) throw new AppError(404, 'NOT_FOUND', 'no such object');
  return Number(v);
}

/** A paging cursor from the query (`?after=123`); junk means the first page. */
export function cursorOf(req: FastifyRequest, name: string): number | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' && /^[0-9]{1,12}$/.test(v) ? Number(v) : undefined;
}

/** `?page=n` between 1 and `pages`; junk means the first. */
export function pageOf(req: FastifyRequest, pages: number): number {
  const n = cursorOf(req, 'page') ?? 1;
  return Math.min(Math.max(1, n), pages);
}

/** `?done=<key>` after a redirect: `noc:done.<key>`, once. */
export const nocDone = (req: FastifyRequest): string | null => doneOf(req, req.web.t, 'noc');
