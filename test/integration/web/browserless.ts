import type { Daemon } from '../../../src/daemon.js';

/** Cookies as a browser keeps them: name -> value, updated from every answer's Set-Cookie. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  update(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A GET with the jar's cookies; redirects are not followed, so tests see them. */
export async function page(
  d: Pick<Daemon, 'url'>,
  jar: CookieJar,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; html: string }> {
  const res = await fetch(d.url + path, { redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html', ...headers } });
  jar.update(res);
  return { res, html: await res.text() };
}

/** The CSRF token of the first form on a page. */
export const csrfOf = (html: string): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
};

/**
 * Posts a form the way a browser does: reads a fresh CSRF token from `from` (default: the same
 * path), then sends fields urlencoded. `csrf: null` leaves the token out.
 */
export async function form(
  d: Pick<Daemon, 'url'>,
  jar: CookieJar,
  path: string,
  fields: Record<string, string>,
  opts: { from?: string; csrf?: string | null; headers?: Record<string, string> } = {},
): Promise<{ res: Response; html: string }> {
  const token = opts.csrf === undefined ? csrfOf((await page(d, jar, opts.from ?? path)).html) : opts.csrf;
  const body = new URLSearchParams(token === null ? fields : { _csrf: token, ...fields });
  const res = await fetch(d.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...opts.headers },
    body,
  });
  jar.update(res);
  return { res, html: await res.text() };
}

export interface UploadFile {
  name: string;
  body: Uint8Array | string;
  type?: string;
}

/**
 * Posts a multipart form as a browser does: fields, then each file in a `file` field, the CSRF
 * token read from `from` (default: the same path) and put in the action URL, as the pages' upload
 * forms do (the check runs before the body is read). `csrf: null` leaves it out.
 */
export async function upload(
  d: Pick<Daemon, 'url'>,
  jar: CookieJar,
  path: string,
  files: UploadFile[],
  fields: Record<string, string> = {},
  opts: { csrf?: string | null; from?: string } = {},
): Promise<{ res: Response; html: string }> {
  const token = opts.csrf === undefined ? csrfOf((await page(d, jar, opts.from ?? path)).html) : opts.csrf;
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append('file', new Blob([f.body], { type: f.type ?? 'application/octet-stream' }), f.name);
  const res = await fetch(`${d.url}${path}${token === null ? '' : `?_csrf=${encodeURIComponent(token)}`}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), accept: 'text/html' },
    body: fd,
  });
  jar.update(res);
  return { res, html: await res.text() };
}

/** Logs in through the login form; returns the jar holding the session cookie. */
export async function loginAs(d: Pick<Daemon, 'url'>, username: string, password: string, jar = new CookieJar()): Promise<CookieJar> {
  // Logged in already, the login page redirects home; any page's layout carries a token.
  const { res } = await form(d, jar, '/login', { username, password }, { from: jar.cookies.has('simpul_session') ? '/' : '/login' });
  if (res.status !== 303) throw new Error(`login as ${username} answered ${res.status}`);
  return jar;
}

/** The text of a page without tags, for asserting what a person reads. */
export const textOf = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
