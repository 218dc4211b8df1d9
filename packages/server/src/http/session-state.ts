import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopbackIssuer } from '../config/schema.js';
import { cookieScope } from '../sessions/browser-cookie.js';
import { BROWSER_STATE, newBrowserState, sessionState } from '../logout/session-management.js';
import type { RedirectTarget } from '../oauth/authorize/request.js';
import type { Provider } from '../provider.js';
import { readCookie, setCookie } from './cookies.js';
import { originOf } from './pages/html.js';
import { sendAuthorizationResponse } from './respond.js';

/**
 * The browser-state cookie of Session Management 1.0 §3. Script in the check_session iframe must
 * read it, so it is not HttpOnly; it carries no secret. The iframe is embedded by clients, often
 * cross-site, so the cookie is `SameSite=None; Secure` wherever Secure is possible (https, and
 * loopback, which browsers treat as secure); browsers that block third-party cookies still hide
 * it from a cross-site iframe (README, "Third-party cookies").
 */
export const browserStateCookieName = (p: Provider): string => `${cookieScope(p.config.issuer).prefix}signoff-state`;

/** The value set during this request, so later reads in the same request see it. */
const setThisRequest = new WeakMap<FastifyReply, string>();

export const rotateBrowserState = (p: Provider, reply: FastifyReply): string => {
  const value = newBrowserState();
  const scope = cookieScope(p.config.issuer);
  const secure = scope.secure || isLoopbackIssuer(p.config.issuer);
  // Path: the issuer's (cookieScope), which holds the check_session iframe that reads it.
  setCookie(reply, browserStateCookieName(p), value, { secure, path: scope.path, httpOnly: false, sameSite: secure ? 'None' : 'Lax' });
  setThisRequest.set(reply, value);
  return value;
};

/** The browser state the iframe will see: the cookie's, or a new one when it is missing. */
export const browserStateFor = (p: Provider, req: FastifyRequest, reply: FastifyReply): string => {
  const current = setThisRequest.get(reply) ?? readCookie(req, browserStateCookieName(p));
  return current !== undefined && BROWSER_STATE.test(current) ? current : rotateBrowserState(p, reply);
};

/** `session_state` for an authorization response to this client and redirect URI (§2). */
export const sessionStateFor = (p: Provider, req: FastifyRequest, reply: FastifyReply, target: { clientId: string; redirectUri: string }): string | undefined => {
  const origin = originOf(target.redirectUri);
  return origin === undefined ? undefined : sessionState(target.clientId, origin, browserStateFor(p, req, reply));
};

/**
 * An authorization response — a code or an error — with its `session_state` (Session Management
 * §2: in every response, errors included, so a client can start watching even after
 * `login_required`). After a POST the redirect is a 303.
 */
export const sendAuthorizationResult = (
  p: Provider,
  req: FastifyRequest,
  reply: FastifyReply,
  target: RedirectTarget,
  params: Readonly<Record<string, string | undefined>>,
): FastifyReply =>
  sendAuthorizationResponse(reply, p.config.issuer, target, { ...params, session_state: sessionStateFor(p, req, reply, target) }, req.method === 'POST');
