import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../auth/actor.js';
import { forbidden, notFound } from '../../common/errors.js';
import { TEXT_LINE_PATTERN, TEXT_LINES_PATTERN } from '../../common/text.js';
import type { Services } from '../../http/context.js';
import type { Translate } from '../../i18n/i18n.js';
import { formValidator, type FieldErrors } from '../forms.js';
import { blockForDevices, blockText, serviceErrors } from './request-view.js';

/** The largest office LAN a form may ask for: a /20 (4,093 devices); more is a conversation with the NOC. */
const MAX_DEVICES = 4093;

const Family = Type.Unsafe<4 | 6>({ type: 'integer', enum: [4, 6] });
const IpBlockForm = Type.Object(
  {
    devices: Type.Integer({ minimum: 1, maximum: MAX_DEVICES, 'x-error': 'requests:errors.devices' }),
    family: Family,
    purpose: Type.String({ minLength: 1, maxLength: 500 }),
    justification: Type.String({ minLength: 1, maxLength: 2000 }),
    preview: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
);
const UnblockForm = Type.Object(
  {
    site: Type.String({ minLength: 1, maxLength: 300 }),
    duty: Type.String({ minLength: 1, maxLength: 1000 }),
    justification: Type.String({ minLength: 1, maxLength: 2000 }),
    until: Type.String({ format: 'date', maxLength: 10, 'x-error': 'requests:errors.until' }),
  },
  { additionalProperties: false },
);
const checkIpBlock = formValidator(IpBlockForm);
const checkUnblock = formValidator(UnblockForm);

const ONE_LINE = new RegExp(TEXT_LINE_PATTERN, 'u');
const MULTI_LINE = new RegExp(TEXT_LINES_PATTERN, 'u');

/**
 * Control characters (NUL and the like) in free text, told in words; the schema only bounds
 * lengths, so this adds to its errors and the person sees every problem at once.
 */
function controlErrors(body: unknown, fields: Record<string, 'line' | 'lines'>, t: Translate, errors: FieldErrors): FieldErrors {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  for (const [f, kind] of Object.entries(fields)) {
    const v = b[f];
    if (typeof v === 'string' && !(kind === 'line' ? ONE_LINE : MULTI_LINE).test(v)) errors[f] ??= t('requests:errors.control');
  }
  return errors;
}

/** What a person types for a site (a name, an address, or a pasted link) as the policy question. */
export function siteQuery(site: string): { domain: string } | { address: string } {
  let v = site.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    try {
      v = new URL(v).hostname.replace(/^\[|\]$/g, '');
    } catch {
      // Not a link after all: asked as typed, and the service says what is wrong with it.
    }
  }
  const [head = '', bits] = v.split('/');
  if (isIP(head) && (bits === undefined || /^\d{1,3}$/.test(bits))) return { address: v };
  return { domain: v.split('/')[0]! };
}

/** The form with a table of what a count of devices becomes (IPv4), so nobody needs subnet arithmetic. */
function ipBlockPage(reply: FastifyReply, t: Translate, data: Record<string, unknown>, status = 200) {
  const sizes = [29, 28, 27, 26, 25, 24, 23, 22].map((len) => ({ devices: 2 ** (32 - len) - 3, block: blockText(t, 4, len) }));
  return reply.page('requests/ip-block', { ...data, sizes }, status);
}

/** The forms are an office's: its admin files for it; the NOC decides in its queue. */
function officeAdmin(actor: Actor): string {
  if (actor.role !== 'opd-admin' || !actor.opd) throw forbidden('requests are filed by the office admin (opd-admin)');
  return actor.opd;
}

/** Minta blok IP and Minta buka blokir situs: the formal requests an office files. */
export async function requestFormPages(app: FastifyInstance, s: Services): Promise<void> {
  app.get('/requests/new/ip-block', async (req, reply) => {
    officeAdmin(req.web.actor!);
    return ipBlockPage(reply, req.web.t, { values: { family: '4' }, preview: null });
  });

  app.post('/requests/new/ip-block', async (req, reply) => {
    const actor = req.web.actor!;
    officeAdmin(actor);
    const { t } = req.web;
    const form = checkIpBlock(req.body, t);
    const errors = controlErrors(req.body, { purpose: 'lines', justification: 'lines' }, t, form.ok ? {} : { ...form.errors });
    // "Hitung ukuran" shows what the count becomes without filing anything.
    const devices = form.ok ? form.value.devices : Number(form.values.devices);
    const family = form.values.family === '6' ? 6 : 4;
    const preview =
      Number.isInteger(devices) && devices >= 1 && devices <= MAX_DEVICES ? blockText(t, family, blockForDevices(devices, family).prefixLength) : null;
    if (form.ok && form.value.preview && !Object.keys(errors).length) return ipBlockPage(reply, t, { values: form.values, preview });
    if (!form.ok || Object.keys(errors).length) return ipBlockPage(reply, t, { values: form.values, errors, preview }, 400);
    const v = form.value;
    try {
      const r = s.requests.file(actor, {
        type: 'ip-block',
        family: v.family,
        prefixLength: blockForDevices(v.devices, v.family).prefixLength,
        purpose: v.purpose,
        justification: v.justification,
      });
      return reply.redirect(`/requests/${r.id}?ok=requestFiled`, 303);
    } catch (e) {
      const { status, errors: se } = serviceErrors(e, t, 'devices');
      return ipBlockPage(reply, t, { values: form.values, errors: se.prefixLength ? { devices: se.prefixLength } : se, preview }, status);
    }
  });

  /** The check comes first: is the site blocked for this office, and why. A GET: it changes nothing. */
  app.get<{ Querystring: { site?: string } }>('/requests/new/unblock', async (req, reply) => {
    const opd = officeAdmin(req.web.actor!);
    const site = typeof req.query.site === 'string' ? req.query.site.slice(0, 300) : '';
    return renderUnblock(s, req, reply, opd, site, { site }, {}, 200);
  });

  app.post('/requests/new/unblock', async (req, reply) => {
    const actor = req.web.actor!;
    const opd = officeAdmin(actor);
    const { t } = req.web;
    const form = checkUnblock(req.body, t);
    const errors = controlErrors(req.body, { site: 'line', duty: 'lines', justification: 'lines' }, t, form.ok ? {} : { ...form.errors });
    const site = (form.values.site ?? '').slice(0, 300);
    if (!form.ok || Object.keys(errors).length) return renderUnblock(s, req, reply, opd, ONE_LINE.test(site) ? site : '', form.values, errors, 400);
    const v = form.value;
    try {
      const r = s.requests.file(actor, { type: 'unblock', ...siteQuery(v.site), duty: v.duty, justification: v.justification, until: v.until });
      return reply.redirect(`/requests/${r.id}?ok=requestFiled`, 303);
    } catch (e) {
      const { status, errors: se } = serviceErrors(e, t, 'site');
      const mapped: FieldErrors = {};
      for (const [k, m] of Object.entries(se)) mapped[k === 'domain' || k === 'address' ? 'site' : k] = m;
      // A site the service refused is not checked again below the form (one message, not two).
      return renderUnblock(s, req, reply, opd, mapped.site ? '' : v.site, form.values, mapped, status);
    }
  });
}

/** The unblock page: the check's answer (when a site is named) and the formal request below it. */
async function renderUnblock(
  s: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  opd: string,
  site: string,
  values: Record<string, string>,
  errors: FieldErrors,
  status: number,
) {
  const blocking = s.use('blocking');
  if (!blocking) throw notFound('page', 'unblock');
  let check: { site: string; blocked: boolean; blockedBy: string[]; openBy: { id: number; until: string }[]; excluded: string[] } | null = null;
  let checkError: string | null = null;
  if (site.trim()) {
    try {
      const a = blocking.explain(req.web.actor!, opd, siteQuery(site));
      const shown = (m: { kind: string; value: string }) => `${m.kind === 'wildcard' ? '*.' : ''}${m.value}`;
      check = {
        site: a.query.value,
        blocked: a.blocked,
        blockedBy: a.matches
          .filter((m) => m.applies && m.openedBy === null)
          .map((m) => req.web.t('requests:unblock.entry', { category: m.category, entry: shown(m) })),
        openBy: a.exceptions.map((e) => ({ id: e.id, until: e.until })),
        excluded: [...new Set(a.matches.filter((m) => !m.applies).map((m) => m.category))],
      };
    } catch (e) {
      checkError = Object.values(serviceErrors(e, req.web.t, 'site').errors)[0] ?? null;
    }
  }
  return reply.page('requests/unblock', { check, checkError, values, errors, opd }, status);
}
