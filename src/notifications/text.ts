/**
 * A notification's words in one language, from the repo's catalogs (src/i18n/locales/<lang>/
 * notifications.json): the in-app title and text, and the plain-text mail around them. Times are
 * shown in the regency's zone, formatted for the reader's language.
 */
import { translator, type Lang } from '../i18n/i18n.js';
import type { NotificationKind, NotificationParams } from './kinds.js';

export interface TextOptions {
  /** IANA zone from config `timezone`. */
  timezone: string;
  /** Config `http.publicUrl`; without it the mail carries no link. */
  publicUrl?: string;
}

export interface RenderedNotification {
  title: string;
  /** The lines that say what happened and what to do, without greeting or footer. */
  text: string;
  /** Path of the page that shows it, relative to the public URL. */
  link: string;
}

const LOCALE: Record<Lang, string> = { id: 'id-ID', en: 'en-GB' };

export function formatTime(iso: string | number | null | undefined, lang: Lang, timezone: string, withTime = true): string {
  if (iso === null || iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const opts: Intl.DateTimeFormatOptions = withTime
    ? { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short', timeZone: timezone }
    : { day: 'numeric', month: 'long', year: 'numeric', timeZone: timezone };
  return new Intl.DateTimeFormat(LOCALE[lang], opts).format(d);
}

/** The page a notification points to (the web domain's paths). */
export function linkPath(kind: NotificationKind, p: NotificationParams): string {
  switch (kind) {
    case 'request-filed':
    case 'request-approved':
    case 'request-rejected':
      return `/requests/${p.id}`;
    case 'exception-ending':
      return p.requestId ? `/requests/${p.requestId}` : '/blocking/exceptions';
    case 'diagram-due':
    case 'diagram-overdue':
      return '/diagrams';
  }
}

export function renderNotification(kind: NotificationKind, p: NotificationParams, lang: Lang, o: TextOptions, createdAt?: string): RenderedNotification {
  const t = translator(lang);
  const k = (key: string) => `notifications:${kind}.${key}`;
  const type = typeof p.type === 'string' ? t(`notifications:types.${p.type}`, { defaultValue: p.type }) : '';
  const vars = {
    ...p,
    type,
    at: formatTime(createdAt, lang, o.timezone),
    until: formatTime(p.until as string | null, lang, o.timezone),
    due: formatTime(p.dueAt as string | null, lang, o.timezone, false),
  };
  const lines: string[] = [];
  let title: string;
  switch (kind) {
    case 'request-filed':
      title = t(k('subject'), vars);
      lines.push(t(k('body'), vars));
      if (p.by) lines.push(t(k('by'), vars));
      if (p.what) lines.push(t(k('what'), vars));
      lines.push('', t(k('next'), vars));
      break;
    case 'request-approved':
      title = t(k('subject'), vars);
      lines.push(t(k('body'), vars));
      if (p.outcome) lines.push(t(k(p.until ? 'outcomeUntil' : 'outcome'), vars));
      if (p.reason) lines.push(t(k('note'), vars));
      break;
    case 'request-rejected':
      title = t(k('subject'), vars);
      lines.push(t(k('body'), vars), t(k('reason'), vars), '', t(k('next'), vars));
      break;
    case 'exception-ending':
      title = t(k('subject'), vars);
      lines.push(t(k('body'), vars), '', t(k('next'), vars));
      break;
    case 'diagram-due':
      title = t(k('subject'), { ...vars, count: Math.max(0, Number(p.days ?? 0)) });
      lines.push(t(k('body'), vars), '', t(k('next'), vars));
      break;
    case 'diagram-overdue':
      title = t(k('subject'), vars);
      lines.push(t(k(p.dueAt ? 'body' : 'bodyNever'), vars), '', t(k('next'), vars));
      break;
  }
  return { title, text: lines.join('\n'), link: linkPath(kind, p) };
}

/** The whole plain-text mail: greeting, what happened, the link (when the public URL is known), footer. */
export function renderMail(
  kind: NotificationKind,
  p: NotificationParams,
  lang: Lang,
  o: TextOptions,
  to: { name: string },
  createdAt?: string,
): { subject: string; text: string } {
  const t = translator(lang);
  const n = renderNotification(kind, p, lang, o, createdAt);
  const parts = [t('notifications:mail.greeting', { name: to.name }), '', n.text];
  if (o.publicUrl) parts.push('', t('notifications:mail.open'), o.publicUrl.replace(/\/+$/, '') + n.link);
  parts.push('', '-- ', t('notifications:mail.footer'));
  return { subject: n.title, text: parts.join('\n') + '\n' };
}
