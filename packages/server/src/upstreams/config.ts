import { isLoopbackUrl } from '../config/loopback.js';
import { ConfigError, array, object, oneOf, optional, record, string } from '../config/validate.js';

/**
 * The configuration of upstream OpenID providers that Signoff federates to (issue 15 §1):
 * Signoff is their relying party. Each upstream's redirect, post-logout and logout URIs are fixed
 * by its `id` (upstreams/paths.ts), so an operator registers Signoff there before it starts.
 */

/** When an RP-initiated logout also ends the upstream session (Auth0's `federated` parameter). */
export const FEDERATED_LOGOUT = ['never', 'on_request', 'always'] as const;
export type FederatedLogout = (typeof FEDERATED_LOGOUT)[number];

/** The claims a linked account may take from the upstream's ID token and userinfo (OIDC Core §5.1). */
export const MAPPABLE_CLAIMS = [
  'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website',
  'email', 'email_verified', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number', 'phone_number_verified', 'updated_at',
] as const;

/** The verified claims that may link an upstream identity to an existing local account (each has a *_verified flag, OIDC Core §5.1). */
export const LINKING_CLAIMS = ['email', 'phone_number'] as const;
export type LinkingClaim = (typeof LINKING_CLAIMS)[number];

export interface UpstreamConfig {
  /** A path segment: `ISSUER/upstreams/ID/…`. */
  id: string;
  issuer: string;
  client_id: string;
  /** Absent: a public client (token_endpoint_auth_method none, PKCE only). */
  client_secret?: string | undefined;
  scope: string;
  display_name: string;
  logout: { federated: FederatedLogout };
  /** Local claim ← upstream claim; by default the standard claims under their own names. */
  claims: Record<string, string>;
  /** The verified claim that links a first sign-in to an existing local account; none: never linked, always a new account. */
  link_by?: LinkingClaim | undefined;
  /** login_hint domains (`user@DOMAIN`) that go straight to this upstream. */
  domains: string[];
}

const ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** OIDC Discovery §3: https; plain http only on a loopback host, where nothing crosses a network. */
const issuerUrl = (value: unknown, key: string): string => {
  const text = string()(value, key);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(key, `"${text}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(text))) throw new ConfigError(key, 'must be an https URL (http only on a loopback host)');
  if (url.search || url.hash || text.includes('?') || text.includes('#')) throw new ConfigError(key, 'must not contain a query or fragment');
  return text;
};

const claimMapping = (value: unknown, key: string): Record<string, string> => {
  if (value === undefined) return Object.fromEntries(MAPPABLE_CLAIMS.map((c) => [c, c]));
  const raw = record()(value, key);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [local, upstream] of Object.entries(raw)) {
    if (!(MAPPABLE_CLAIMS as readonly string[]).includes(local)) throw new ConfigError(`${key}.${local}`, `not a claim an account may take (one of ${MAPPABLE_CLAIMS.join(', ')})`);
    out[local] = string({ pattern: /^[\x21-\x7e]{1,100}$/, hint: 'expected the name of an upstream claim' })(upstream, `${key}.${local}`);
  }
  return out;
};

const upstreamObject = object(
  {
    id: string({ pattern: ID, hint: 'must be 1-32 lowercase letters, digits or hyphens (it is a path segment of the upstream URIs)' }),
    issuer: issuerUrl,
    client_id: string({ pattern: /^[\x21-\x7e]{1,255}$/, hint: 'must be 1-255 visible ASCII characters' }),
    client_secret: optional(string({ minLength: 1 })),
    scope: string({ default: 'openid email profile', pattern: /^(?:[\x21\x23-\x5b\x5d-\x7e]+ )*[\x21\x23-\x5b\x5d-\x7e]+$/, hint: 'expected space-separated scope values (RFC 6749 §3.3)' }),
    display_name: optional(string({ pattern: /^(?=.*\S)[^\p{Cc}]{1,100}$/u, hint: 'must be 1-100 characters, not only spaces' })),
    logout: object({ federated: oneOf(FEDERATED_LOGOUT, 'on_request') }),
    claims: claimMapping,
    link_by: optional(oneOf(LINKING_CLAIMS)),
    domains: array(string({ pattern: DOMAIN, hint: 'expected a lowercase domain name such as "example.com"' }), []),
  },
  { optional: false },
);

/** The `upstreams` key: ids and login_hint domains name one upstream each; scope asks for `openid` (OIDC Core §3.1.2.1). */
export const upstreamsField = (value: unknown, key: string): UpstreamConfig[] => {
  const list = array(upstreamObject, [])(value, key);
  const ids = new Set<string>();
  const domains = new Map<string, string>();
  return list.map((u, i) => {
    if (ids.has(u.id)) throw new ConfigError(`${key}[${i}].id`, `duplicate upstream id "${u.id}"`);
    ids.add(u.id);
    if (!u.scope.split(' ').includes('openid')) throw new ConfigError(`${key}[${i}].scope`, 'must include "openid"');
    u.domains.forEach((d, j) => {
      const other = domains.get(d);
      if (other !== undefined) throw new ConfigError(`${key}[${i}].domains[${j}]`, `"${d}" already goes to upstream "${other}"`);
      domains.set(d, u.id);
    });
    return { ...u, display_name: u.display_name ?? u.id };
  });
};
