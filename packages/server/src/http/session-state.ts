import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopbackUrl } from '../config/loopback.js';
import { currentBrowserState } from '../logout/browser-state.js';
import { browserIdOfState, derivedBrowserState, isBrowserState, newBrowserState, sessionState } from '../logout/session-management.js';
import type { RedirectTarget } from '../oauth/authorize/request.js';
import type { Provider } from '../provider.js';
import { browserCookieName, cookieScope } from '../sessions/browser-cookie.js';
import { type ResolvedBrowser, resolveBrowser } from '../sessions/browser.js';
import { readCookie, setCookie } from './cookies.js';
import { originOf } from './pages/html.js';
import { pageChrome, uiLocalesOf } from './page-chrome.js';
import { sendAuthorizationResponse } from './respond.js';

/**
 * The browser-state cookie of Session Management 1.0 §3. Script in the check_session iframe must
 * read it, so it is not HttpOnly; it carries no secret. The iframe is embedded by clients, often
 * cross-site, so the cookie is `SameSite=None; Secure` wherever Secure is possible (https, and
 * loopback, which browsers treat as secure); browsers that block third-party cookies still hide
 * it from a cross-site iframe (README, "Third-party cookies"). The same property lets the iframe's
 * confirmation request (routes/check-session-state.ts) carry it cross-site, where the
 * SameSite=Lax browser cookie is never sent.
 */
export const browserStateCookieName = (p: Provider): string => `${cookieScope(p.config.issuer).prefix}signoff-state`;

/** The value set during this request, so later reads in the same request see it. */
const setThisRequest = new WeakMap<FastifyReply, string>();

const setBrowserState = (p: Provider, reply: FastifyReply, value: string): string => {
  const scope = cookieScope(p.config.issuer);
  const secure = scope.secure || isLoopbackUrl(p.config.issuer);
  // Path: the issuer's (cookieScope), which holds the check_session iframe that reads it.
  setCookie(reply, browserStateCookieName(p), value, { secure, path: scope.path, httpOnly: false, sameSite: secure ? 'None' : 'Lax' });
  setThisRequest.set(reply, value);
  return value;
};

const deps = (p: Provider) => ({ store: p.store, clock: p.clock });

/**
 * After a sign-in or a sign-out in this browser: the state for its sessions as they now are
 * (Session Management §3), or a random one when the provider does not know the browser.
 */
export const refreshBrowserState = async (p: Provider, reply: FastifyReply, browserId: string | undefined): Promise<string> =>
  setBrowserState(p, reply, (browserId === undefined ? undefined : await currentBrowserState(deps(p), browserId)) ?? newBrowserState());

/**
 * The browser state the iframe will see, brought up to date, so that after an ending elsewhere
 * the next authorization response (typically the client's prompt=none check after `changed`)
 * carries a state that reads `unchanged` again rather than one that stays `changed`:
 * - the browser cookie is sent (first-party): the state derived from that browser's sessions;
 * - it is not (a cross-site iframe never sends the SameSite=Lax cookie): the state cookie is kept
 *   while it is current or random, and replaced by a random one once outdated — never by the
 *   current state of the browser it names, which would hand that browser's state to whoever
 *   planted a cookie naming it;
 * - missing or malformed: a random one.
 * `known` is the browser this request already resolved (null: none) and has not changed since,
 * so that an authorization reads the browser and its sessions once (issue 18, P1).
 */
export const browserStateFor = async (p: Provider, req: FastifyRequest, reply: FastifyReply, known?: ResolvedBrowser | null): Promise<string> => {
  const already = setThisRequest.get(reply);
  if (already !== undefined) return already;
  const cookie = readCookie(req, browserStateCookieName(p));
  const resolved = known !== undefined ? known : await resolveBrowser(p.store, p.clock, readCookie(req, browserCookieName(p.config.issuer)));
  const named = browserIdOfState(cookie);
  let wanted: string | undefined;
  if (resolved) wanted = derivedBrowserState({ id: resolved.browserId, secretHash: resolved.secretHash }, resolved.sessions.map((s) => s.id));
  else if (named !== undefined) wanted = (await currentBrowserState(deps(p), named)) === cookie ? cookie : undefined;
  else if (isBrowserState(cookie)) wanted = cookie;
  if (wanted !== undefined && wanted === cookie) return cookie;
  return setBrowserState(p, reply, wanted ?? newBrowserState());
};

/** `session_state` for an authorization response to this client and redirect URI (§2). */
export const sessionStateFor = async (
  p: Provider,
  req: FastifyRequest,
  reply: FastifyReply,
  target: { clientId: string; redirectUri: string },
  known?: ResolvedBrowser | null,
): Promise<string | undefined> => {
  const origin = originOf(target.redirectUri);
  return origin === undefined ? undefined : sessionState(target.clientId, origin, await browserStateFor(p, req, reply, known));
};

/**
 * An authorization response — a code or an error — with its `session_state` (Session Management
 * §2: in every response, errors included, so a client can start watching even after
 * `login_required`). After a POST the redirect is a 303. `known`: as for browserStateFor.
 */
export const sendAuthorizationResult = async (
  p: Provider,
  req: FastifyRequest,
  reply: FastifyReply,
  target: RedirectTarget,
  params: Readonly<Record<string, string | undefined>>,
  viaPage = false,
  known?: ResolvedBrowser | null,
): Promise<FastifyReply> =>
  sendAuthorizationResponse(reply, p.config.issuer, target, { ...params, session_state: await sessionStateFor(p, req, reply, target, known) }, req.method === 'POST', pageChrome(p, req, target.uiLocales ?? uiLocalesOf(req)), viaPage);
