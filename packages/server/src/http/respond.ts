import type { FastifyReply } from 'fastify';
import type { RedirectTarget } from '../oauth/authorize/request.js';
import { continuePage } from './pages/continue.js';
import { formPostPage } from './pages/form-post.js';
import type { Page, PageChrome } from './pages/html.js';

export const sendPage = (reply: FastifyReply, p: Page): FastifyReply =>
  reply
    .code(p.status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', p.csp)
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .send(p.html);

/**
 * A page with nothing of the person who asks in it (no cookie read or set, no form token): shared
 * caches may keep it for `maxAgeSeconds`, one copy per language (it follows Accept-Language).
 */
export const sendPublicPage = (reply: FastifyReply, p: Page, maxAgeSeconds: number): FastifyReply =>
  reply
    .code(p.status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', p.csp)
    .header('x-frame-options', 'DENY')
    .header('cache-control', `public, max-age=${maxAgeSeconds}`)
    .header('vary', 'Accept-Language')
    .send(p.html);

/**
 * A page that the listed origins may frame (its CSP says frame-ancestors): no X-Frame-Options,
 * whose DENY would override it in older browsers and ALLOW-FROM is obsolete (RFC 7034 errata).
 */
export const sendFramablePage = (reply: FastifyReply, p: Page): FastifyReply =>
  reply.code(p.status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', p.csp).header('cache-control', 'no-store').send(p.html);

/** JSON that must never be cached: it carries tokens or token state (RFC 6749 §5.1). */
export const sendNoStore = (reply: FastifyReply, status: number, body: unknown): FastifyReply =>
  reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);

/**
 * An authorization response or error, returned to a registered redirect URI (RFC 6749 §4.1.2,
 * RFC 9207 `iss`): in the query, or as an auto-posting form for response_mode=form_post.
 * After a POST (a sign-in form) the redirect is 303 so the browser follows with GET.
 */
export const sendAuthorizationResponse = (
  reply: FastifyReply,
  issuer: string,
  target: RedirectTarget,
  params: Readonly<Record<string, string | undefined>>,
  afterPost: boolean,
  chrome: PageChrome,
  /** Through a page rather than a redirect: the request is the tail of another site's form submission (pages/continue.ts). */
  viaPage = false,
): FastifyReply => {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) all[k] = v;
  if (target.state !== undefined) all.state = target.state;
  all.iss = issuer;
  if (target.responseMode === 'form_post') return sendPage(reply, formPostPage(chrome, target.redirectUri, all));
  const url = new URL(target.redirectUri);
  for (const [k, v] of Object.entries(all)) url.searchParams.append(k, v);
  if (viaPage) return sendPage(reply.header('refresh', `0;url=${url.toString()}`), continuePage(chrome, url.toString()));
  return reply.code(afterPost ? 303 : 302).header('cache-control', 'no-store').redirect(url.toString(), afterPost ? 303 : 302);
};
