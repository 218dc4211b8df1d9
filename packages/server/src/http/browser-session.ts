import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Provider } from '../provider.js';
import { type BrowserCookie, browserCookieName, cookieScope, formatBrowserCookie } from '../sessions/browser-cookie.js';
import { type ResolvedBrowser, resolveBrowser } from '../sessions/browser.js';
import { lifetimesFor } from '../sessions/policy.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import { refreshBrowserState } from './session-state.js';

/** Secure and Path for every cookie the provider sets (cookieScope: the issuer's origin and path). */
const scope = (p: Provider): { secure: boolean; path: string } => {
  const { secure, path } = cookieScope(p.config.issuer);
  return { secure, path };
};

/** The browser a request comes from; an invalid cookie counts as none and is cleared. */
export const browserOf = async (p: Provider, request: FastifyRequest, reply: FastifyReply): Promise<(ResolvedBrowser & { cookie: BrowserCookie }) | undefined> => {
  const name = browserCookieName(p.config.issuer);
  const value = readCookie(request, name);
  if (value === undefined) return undefined;
  const resolved = await resolveBrowser(p.store, p.clock, value);
  if (!resolved) clearCookie(reply, name, scope(p));
  return resolved;
};

/**
 * Sets the browser cookie after sign-in: HttpOnly, SameSite=Lax; on https Secure and `__Host-`
 * (or `__Secure-` with the issuer's path, cookieScope);
 * and a new browser state for Session Management.
 * With "keep me signed in" it persists for the remember-me absolute lifetime; otherwise it is
 * a browser-session cookie.
 */
export const setBrowserCookie = async (p: Provider, reply: FastifyReply, cookie: BrowserCookie, rememberMe: boolean): Promise<void> => {
  setCookie(reply, browserCookieName(p.config.issuer), formatBrowserCookie(cookie), {
    ...scope(p),
    maxAge: rememberMe ? lifetimesFor(p.config.session, true).absoluteLifetime : undefined,
  });
  // A sign-in changes the set of sessions in the browser and its secret (Session Management §3).
  await refreshBrowserState(p, reply, cookie.browserId);
};

/**
 * The one cookie that binds this browser's interactions to it (oauth/authorize/interaction.ts).
 * It is refreshed whenever an interaction starts and left to expire: other tabs may still be
 * using it.
 */
const interactionCookieName = (p: Provider): string => `${cookieScope(p.config.issuer).prefix}signoff-ia`;

export const setInteractionCookie = (p: Provider, reply: FastifyReply, secret: string): void =>
  setCookie(reply, interactionCookieName(p), secret, { ...scope(p), maxAge: p.config.interactionTtl });

export const readInteractionCookie = (p: Provider, request: FastifyRequest): string | undefined => readCookie(request, interactionCookieName(p));

export const clientInfo = (request: FastifyRequest): { ip: string; userAgent: string } => ({
  ip: request.ip,
  userAgent: (request.headers['user-agent'] ?? '').slice(0, 512),
});
