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
 * `__Host-` binds the cookie to this exact origin and requires Secure and Path=/ (RFC 6265bis
 * §4.1.3.2); only possible when the issuer is https at the root path.
 */
export const browserCookieName = (issuer: string): string => {
  const url = new URL(issuer);
  return url.protocol === 'https:' && url.pathname === '/' ? '__Host-signoff' : 'signoff';
};
