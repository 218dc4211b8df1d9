import { randomUUID } from 'node:crypto';
import { randomToken } from '../util/secrets.js';

/**
 * The browser cookie's value is `<browser id>.<secret>`: the id finds the record, the secret
 * (256 bits) proves possession; only SHA-256(secret) is stored (Lucia's session guide).
 */
export interface BrowserCookie {
  browserId: string;
  secret: string;
}

export const newBrowserCookie = (browserId: string = randomUUID()): BrowserCookie => ({ browserId, secret: randomToken(32) });

export const formatBrowserCookie = (c: BrowserCookie): string => `${c.browserId}.${c.secret}`;

export const parseBrowserCookie = (value: string | undefined): BrowserCookie | undefined => {
  if (!value) return undefined;
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(value);
  return match ? { browserId: match[1] as string, secret: match[2] as string } : undefined;
};

/**
 * Where the provider's cookies live, from the issuer (issue 10 §6, RFC 6265bis §4.1.3):
 * - https at the root: `__Host-` — Secure, Path=/, no Domain: bound to this exact origin;
 * - https with a path (https://example.com/id): `__Host-` would need Path=/ and so reach every
 *   application on the host; `__Secure-` with Path=the issuer's path keeps them to the provider;
 * - http (loopback development): no prefix is possible; still scoped to the issuer's path.
 */
export interface CookieScope {
  prefix: '__Host-' | '__Secure-' | '';
  path: string;
  secure: boolean;
}

const scopeOf = (issuer: string): CookieScope => {
  const url = new URL(issuer);
  const secure = url.protocol === 'https:';
  const path = url.pathname === '' ? '/' : url.pathname;
  if (!secure) return Object.freeze({ prefix: '', path, secure });
  return Object.freeze(path === '/' ? { prefix: '__Host-', path, secure } : { prefix: '__Secure-', path, secure });
};

/**
 * Read several times per request (every cookie's name and attributes): the issuer is
 * configuration, so each one's scope is parsed once (issue 18: fewer allocations per request).
 */
const scopes = new Map<string, CookieScope>();

export const cookieScope = (issuer: string): CookieScope => {
  let scope = scopes.get(issuer);
  if (!scope) {
    scope = scopeOf(issuer);
    scopes.set(issuer, scope);
  }
  return scope;
};

/** The browser cookie: `__Host-signoff`, `__Secure-signoff` or `signoff` (see cookieScope). */
export const browserCookieName = (issuer: string): string => `${cookieScope(issuer).prefix}signoff`;
