import ipaddr from 'ipaddr.js';
import { ACCOUNT_CLIENT_ID } from '../account/client.js';
import { checkNewPassword } from '../accounts/password-policy.js';
import { DEFAULT_HASHING, owaspMinimumMemory } from '../accounts/passwords.js';
import { ACCOUNT_CHANGE_REASONS } from '../accounts/store.js';
import type { ClientMetadata } from '../clients/store.js';
import { ACR_LEVELS, type AcrValue, DEFAULT_ACR_VALUES } from '../oauth/authorize/acr.js';
import { parseClientMetadata } from '../clients/metadata.js';
import type { SeedClient } from '../clients/registry.js';
import { upstreamsField } from '../upstreams/config.js';
import { isLoopbackUrl } from './loopback.js';
import { ConfigError, array, boolean, duration, integer, object, oneOf, optional, record, string } from './validate.js';

/**
 * The one configuration schema: it checks every key, holds every documented default, and is
 * frozen after loading. Durations are in seconds.
 */
export interface SeedUser {
  username: string;
  password: string;
  claims: Record<string, unknown>;
}

/** The embedded SQLite file, or a PostgreSQL database (the URL's sslmode asks for TLS) with this instance's pool size. */
export type StoreConfig = { sqlite: string } | { postgres: string; poolSize: number };

const storeField = (value: unknown, key: string): StoreConfig => {
  const raw = record()(value ?? { sqlite: './data/signoff.sqlite' }, key);
  const keys = Object.keys(raw);
  if ('sqlite' in raw && keys.length === 1) return { sqlite: string({ minLength: 1 })(raw.sqlite, `${key}.sqlite`) };
  if ('postgres' in raw && keys.every((k) => k === 'postgres' || k === 'poolSize')) {
    return {
      postgres: string({ pattern: /^postgres(ql)?:\/\/[^\s]+$/, hint: 'expected a postgres:// URL' })(raw.postgres, `${key}.postgres`),
      poolSize: integer({ default: 10, min: 1, max: 1000 })(raw.poolSize, `${key}.poolSize`),
    };
  }
  const unknown = keys.find((k) => k !== 'sqlite' && k !== 'postgres' && k !== 'poolSize');
  if (unknown) throw new ConfigError(`${key}.${unknown}`, 'expected {"sqlite": PATH} or {"postgres": URL, "poolSize": N}');
  if ('sqlite' in raw && 'poolSize' in raw && !('postgres' in raw)) throw new ConfigError(`${key}.poolSize`, 'applies to a PostgreSQL store only');
  throw new ConfigError(key, 'expected {"sqlite": PATH} or {"postgres": URL, "poolSize": N}');
};

const issuerField = (value: unknown, key: string): string => {
  const issuer = string()(value, key);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(key, `"${issuer}" is not an absolute URL`);
  }
  // OIDC Discovery §3: https, no query or fragment. http is accepted for local development.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(key, 'must be an https (or, for development, http) URL');
  if (url.search || url.hash || issuer.includes('?') || issuer.includes('#')) throw new ConfigError(key, 'must not contain a query or fragment');
  if (issuer.endsWith('/')) throw new ConfigError(key, 'must not end with "/"');
  return issuer;
};

/** Names proxy-addr (Fastify's trustProxy) accepts for whole address ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which peers may say who the client is through X-Forwarded-For (Fastify's `trustProxy`): false
 * (the default: request.ip is the TCP peer), true (every peer, so only behind a proxy that
 * overwrites the header), a hop count, or a list of proxy addresses, CIDR ranges or the names
 * loopback, linklocal, uniquelocal. A typo here would silently trust the wrong peer, so every
 * entry must parse.
 */
export type TrustProxy = boolean | number | string[];

const trustProxyField = (value: unknown, key: string): TrustProxy => {
  if (value === undefined || typeof value === 'boolean') return value ?? false;
  if (typeof value === 'number') return integer({ min: 1, max: 100 })(value, key);
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(key, 'expected false, true, a hop count or a non-empty list of addresses or CIDR ranges');
  return value.map((entry, i) => {
    const item = string()(entry, `${key}[${i}]`);
    if (PROXY_RANGE_NAMES.has(item) || ipaddr.isValid(item) || ipaddr.isValidCIDR(item)) return item;
    throw new ConfigError(`${key}[${i}]`, `"${item}" is not an IP address, a CIDR range, loopback, linklocal or uniquelocal`);
  });
};

/** `null` turns the management listener off; a number (0: any free port) turns it on. */
const managementPort = (value: unknown, key: string): number | null =>
  value === null ? null : integer({ default: DEFAULT_MANAGEMENT_PORT, min: 0, max: 65535 })(value, key);

/** The management listener's default port (the Prometheus exporter convention of OpenTelemetry). */
export const DEFAULT_MANAGEMENT_PORT = 9464;

/**
 * A URL the pages link to or load (the branding's logo, support and password-reset pages): absolute
 * https, or http on a loopback host (checked against `development` in parseConfig), no credentials.
 */
const brandingUrl = (value: unknown, key: string): string => {
  const raw = string({ minLength: 1 })(value, key);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(key, `"${raw}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(key, `"${raw}" must be an https URL`);
  if (url.username || url.password) throw new ConfigError(key, `"${raw}" must not contain credentials`);
  return raw;
};

/** WCAG 2.2 relative luminance of a #rrggbb colour. */
const luminance = (hex: string): number => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

/** The contrast ratio of white text on a #rrggbb background (WCAG 2.2 §1.4.3). */
export const contrastWithWhite = (hex: string): number => 1.05 / (luminance(hex) + 0.05);

/**
 * The buttons' colour: a hex colour (#rgb or #rrggbb, kept as #rrggbb) that carries the buttons'
 * white text at 4.5:1 or more (WCAG 2.2 §1.4.3), so no configuration makes the pages unreadable.
 */
const primaryColor = (value: unknown, key: string): string => {
  const raw = string({ default: '#2456d3', pattern: /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, hint: 'expected a hex colour such as "#2456d3"' })(value, key);
  const hex = (raw.length === 4 ? `#${[...raw.slice(1)].map((c) => c + c).join('')}` : raw).toLowerCase();
  const ratio = contrastWithWhite(hex);
  if (ratio < 4.5) throw new ConfigError(key, `"${raw}" is too light: white text on it has a contrast of ${ratio.toFixed(2)}:1, at least 4.5:1 is needed`);
  return hex;
};

const userField = object(
  {
    username: string({ pattern: /^[^\s]{1,128}$/, hint: 'must be 1-128 characters without spaces' }),
    password: string({ minLength: 1 }),
    claims: record(),
  },
  { optional: false },
);

const sessionPolicy = (idle: string, absolute: string) =>
  object({ idleTimeout: duration(idle), absoluteLifetime: duration(absolute) });

/**
 * One counter of the sign-in throttle (accounts/throttle.ts). The defaults follow Keycloak's
 * brute-force detection (wait increment 1 minute, maximum wait 15 minutes, failure reset 12 hours)
 * and OWASP's Authentication Cheat Sheet (exponential back-off; lockout short and bounded).
 */
const throttleRule = (d: { freeFailures: number; delay: string; maxDelay: string; lockAfter: number; lockDuration: string }) =>
  object({
    freeFailures: integer({ default: d.freeFailures, min: 0, max: 1000 }),
    delay: duration(d.delay),
    maxDelay: duration(d.maxDelay),
    lockAfter: integer({ default: d.lockAfter, min: 1, max: 100_000 }),
    lockDuration: duration(d.lockDuration),
  });

/**
 * Outgoing mail (issue 17 §4; README "Email: password reset and security notices"): the SMTP
 * relay and the sender. Absent: no email features — no "Forgot password?" page, no notices.
 */
export interface EmailConfig {
  smtp: { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } | undefined; requireTLS: boolean };
  /** The From header: an address, or "Name <address>" (RFC 5322 §3.4). */
  from: string;
  /** How long a password-reset link works (OWASP: short-lived). */
  resetTokenTtl: number;
  /** At most this many reset mails per account, and per client address, within resetTokenTtl. */
  resetsPerAccount: number;
  resetsPerAddress: number;
  notices: { newDevice: boolean; passwordChanged: boolean; newPasskey: boolean };
}

/** "Name <local@domain>" or "local@domain"; no line breaks, so no header can be injected. */
const FROM_PATTERN = /^(?:[^<>\r\n\p{Cc}]{1,100} <[^\s<>@]{1,64}@[^\s<>@]{1,253}>|[^\s<>@]{1,64}@[^\s<>@]{1,253})$/u;

const emailField = (value: unknown, key: string): EmailConfig | undefined => {
  if (value === undefined) return undefined;
  const raw = object(
    {
      smtp: object(
        {
          host: string({ minLength: 1, pattern: /^[^\s/]{1,253}$/, hint: 'expected a host name or address' }),
          port: integer({ default: 587, min: 1, max: 65535 }),
          // true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered.
          secure: boolean(false),
          auth: optional(object({ user: string({ minLength: 1 }), pass: string({ minLength: 1 }) }, { optional: false })),
          // Refuse to send unless STARTTLS succeeds (nodemailer's requireTLS).
          requireTLS: boolean(false),
        },
        { optional: false },
      ),
      from: string({ pattern: FROM_PATTERN, hint: 'expected "Name <address@example.com>" or "address@example.com"' }),
      resetTokenTtl: duration('15m'),
      resetsPerAccount: integer({ default: 3, min: 1, max: 100 }),
      resetsPerAddress: integer({ default: 10, min: 1, max: 10_000 }),
      notices: object({ newDevice: boolean(false), passwordChanged: boolean(false), newPasskey: boolean(false) }),
    },
    { optional: false },
  )(value, key);
  if (raw.resetTokenTtl > 24 * 3600) throw new ConfigError(`${key}.resetTokenTtl`, 'must be at most 24h (a reset link is short-lived)');
  return raw;
};

/** OpenTelemetry traces (issue 17 §2; docs/deploy.md "Traces and logs"). Absent: nothing is traced. */
export interface TracesConfig {
  /** The collector's OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces. */
  endpoint: string;
  /** Sent with every export (a collector's API key). */
  headers: Record<string, string>;
  serviceName: string;
  /** Of the traces this provider starts, this percentage is kept; a traced caller's choice is followed. */
  samplePercent: number;
}

/** RFC 9110 §5.1 field names; values without line breaks, so no header can be injected. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const HEADER_VALUE = /^[^\r\n\0]{0,4096}$/;

const tracesField = (value: unknown, key: string): TracesConfig | undefined => {
  if (value === undefined) return undefined;
  const raw = object(
    {
      endpoint: string({ pattern: /^https?:\/\/[^\s]{1,2000}$/, hint: 'expected the collector\'s OTLP/HTTP traces URL, e.g. "http://127.0.0.1:4318/v1/traces"' }),
      headers: record(),
      serviceName: string({ default: 'signoff', pattern: /^[\x21-\x7e]{1,100}$/, hint: 'must be 1-100 visible ASCII characters' }),
      samplePercent: integer({ default: 100, min: 0, max: 100 }),
    },
    { optional: false },
  )(value, key);
  if (!URL.canParse(raw.endpoint)) throw new ConfigError(`${key}.endpoint`, `"${raw.endpoint}" is not a URL`);
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw.headers)) {
    if (!HEADER_NAME.test(name)) throw new ConfigError(`${key}.headers`, `"${name}" is not an HTTP header name`);
    if (typeof v !== 'string' || !HEADER_VALUE.test(v)) throw new ConfigError(`${key}.headers.${name}`, 'expected a string without line breaks, at most 4096 characters');
    Object.defineProperty(headers, name, { value: v, enumerable: true });
  }
  return { ...raw, headers };
};

const rawSchema = object({
  issuer: issuerField,
  port: integer({ default: 3000, min: 0, max: 65535 }),
  host: string({ default: '127.0.0.1' }),
  store: storeField,
  // The management listener: /metrics and /readyz, kept off the public port (issue 10 §6).
  management: object({ port: managementPort, host: string({ default: '127.0.0.1' }) }),
  // A request must arrive whole within requestTimeout (headers within headersTimeout), so a
  // slowly sent body cannot hold a connection for minutes (issue 10 §6). An https issuer sends
  // Strict-Transport-Security with hstsMaxAge on every response.
  // trustProxy: behind a load balancer, request.ip (recorded on sessions) is the client's address.
  http: object({ requestTimeout: duration('30s'), headersTimeout: duration('10s'), hstsMaxAge: duration('365d'), trustProxy: trustProxyField }),
  session: object({
    idleTimeout: duration('30m'),
    absoluteLifetime: duration('10h'),
    rememberMe: sessionPolicy('7d', '30d'),
    // At most this many open sessions per account; signing in past it ends the oldest (reason `limit`).
    maxSessionsPerAccount: optional(integer({ min: 1 })),
    // How often expired sessions are ended through the ending path (and their clients notified).
    sweepInterval: duration('60s'),
    // The account changes that also revoke the account's offline_access refresh tokens (issue 12 §1).
    revokeOfflineTokensOn: array(oneOf(ACCOUNT_CHANGE_REASONS), [...ACCOUNT_CHANGE_REASONS]),
  }),
  // Failed password sign-ins are throttled per account, per (account, address) and per address
  // (issue 14 §4; README "Sign-in throttling" explains the defaults and why a lock cannot keep the
  // real user out for long).
  signIn: object({
    throttle: object({
      enabled: boolean(true),
      resetAfter: duration('12h'),
      knownAddressFor: duration('30d'),
      // Distributed guessing at one account: Keycloak's failure factor (30) before a 15-minute lock.
      account: throttleRule({ freeFailures: 10, delay: '1s', maxDelay: '1m', lockAfter: 30, lockDuration: '15m' }),
      // One address at one account: OWASP's few free mistakes, then back-off, then a short lock.
      pair: throttleRule({ freeFailures: 5, delay: '1s', maxDelay: '1m', lockAfter: 20, lockDuration: '15m' }),
      // One address at any account: loose, since many users share a NAT or a proxy.
      address: throttleRule({ freeFailures: 30, delay: '1s', maxDelay: '1m', lockAfter: 100, lockDuration: '15m' }),
    }),
  }),
  // Session Management 1.0: how long the check_session iframe trusts its last confirmation of the
  // browser state with the provider (README "Session Management"): an ending elsewhere is seen
  // within this time plus the client's own polling interval; each open iframe asks at most once per interval.
  checkSession: object({ confirmInterval: duration('5s') }),
  tokens: object({
    authorizationCodeTtl: duration('60s'),
    accessTokenTtl: duration('10m'),
    idTokenTtl: duration('1h'),
    refreshTokenTtl: duration('30d'),
  }),
  // The private signing keys are sealed at rest under a key-encryption key (issue 10 §5): from
  // SIGNOFF_KEY_ENCRYPTION_KEY, else this file (tokens/key-encryption.ts).
  keys: object({ encryptionKeyFile: optional(string({ minLength: 1 })) }),
  interactionTtl: duration('10m'),
  outbound: object({ allowPrivateNetworks: optional(boolean()) }),
  // Back-Channel Logout delivery (README "Sessions and sign-off"): attempts in flight per
  // process, the timeout of one attempt, when an undelivered notification is marked failed, how
  // often the outbox is checked for rows other processes (the CLI) wrote, and how long a
  // shutdown waits for attempts in flight.
  backchannel: object({
    // Enough that a few applications that hang (each attempt held up to attemptTimeout) leave room for the rest.
    concurrency: integer({ default: 64, min: 1, max: 1000 }),
    // Of those, at most this many to one client (default: half), so one that hangs leaves room.
    concurrencyPerClient: optional(integer({ min: 1, max: 1000 })),
    attemptTimeout: duration('5s'),
    giveUpAfter: duration('24h'),
    pollInterval: duration('1s'),
    // On SIGTERM, attempts in flight get this long; the rest are cut off and their rows handed
    // back at once, so the drain fits Docker's 10 s and Kubernetes' 30 s grace periods.
    shutdownGrace: duration('5s'),
  }),
  clients: array((v, k) => {
    const parsed = parseClientMetadata(v, k);
    return parsed.secret === undefined ? { metadata: parsed.metadata } : { metadata: parsed.metadata, secret: parsed.secret };
  }, []),
  users: array(userField, []),
  // NIST SP 800-63B-4 §3.1.1.2, wherever a password is set (accounts/password-policy.ts): at least
  // 15 characters for a password that is the only factor, at least 8 with a second factor, at
  // least 64 accepted, no composition rules, common and breached passwords refused.
  passwords: object({
    minLength: integer({ default: 15, min: 8, max: 1024 }),
    minLengthWithSecondFactor: integer({ default: 8, min: 8, max: 1024 }),
    maxLength: integer({ default: 256, min: 64, max: 1024 }),
    rejectCommon: boolean(true),
    // argon2id's cost (accounts/passwords.ts; issue 18 P5): memory in KiB, passes, lanes. The OWASP
    // Password Storage Cheat Sheet's minimum memory for the passes is enforced below.
    hashing: object({
      memory: integer({ default: DEFAULT_HASHING.memory, min: 7168, max: 4_194_304 }),
      iterations: integer({ default: DEFAULT_HASHING.iterations, min: 1, max: 64 }),
      parallelism: integer({ default: DEFAULT_HASHING.parallelism, min: 1, max: 16 }),
    }),
  }),
  // The pages' product name, logo, button colour and links (issue 13 §2).
  branding: object({
    productName: string({ default: 'Signoff', pattern: /^(?=.*\S)[^\p{Cc}]{1,100}$/u, hint: 'must be 1-100 characters, not only spaces' }),
    logoUrl: optional(brandingUrl),
    primaryColor,
    supportUrl: optional(brandingUrl),
    passwordResetUrl: optional(brandingUrl),
  }),
  // The acr values this provider answers with, lowest level first (issue 14 §2; README "Authentication levels").
  acrValues: array(
    object({ value: string({ pattern: /^[\x21-\x7e]{1,256}$/, hint: 'must be 1-256 visible ASCII characters' }), level: oneOf(ACR_LEVELS) }, { optional: false }),
    DEFAULT_ACR_VALUES.map((v) => ({ ...v })),
  ),
  // Upstream OpenID providers users may sign in through (issue 15; README "Federation").
  upstreams: upstreamsField,
  logging: object({ level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info') }),
  email: emailField,
  traces: tracesField,
  development: boolean(false),
});

type Raw = ReturnType<typeof rawSchema>;

export interface Config extends Omit<Raw, 'outbound' | 'clients' | 'users' | 'backchannel'> {
  outbound: { allowPrivateNetworks: boolean };
  backchannel: Raw['backchannel'] & { concurrencyPerClient: number };
  clients: SeedClient[];
  users: SeedUser[];
}


/** Validates a parsed configuration object; throws ConfigError naming the first bad key. */
export const parseConfig = (input: unknown): Readonly<Config> => {
  const raw = rawSchema(input, '');
  // OIDC Discovery §3 requires https; plain http is only safe where nothing crosses a network.
  if (raw.issuer.startsWith('http:') && !isLoopbackUrl(raw.issuer) && !raw.development) {
    throw new ConfigError('issuer', 'must be an https URL (http is accepted only on a loopback host, or with "development": true)');
  }
  // The pages load the logo and link to these: https, or http on a loopback host in development.
  for (const k of ['logoUrl', 'supportUrl', 'passwordResetUrl'] as const) {
    const value = raw.branding[k];
    if (value === undefined || value.startsWith('https:')) continue;
    if (!isLoopbackUrl(value) || !(raw.development || isLoopbackUrl(raw.issuer))) {
      throw new ConfigError(`branding.${k}`, `"${value}" must be an https URL (http only on a loopback host, in development)`);
    }
  }
  if (raw.http.headersTimeout > raw.http.requestTimeout) throw new ConfigError('http.headersTimeout', 'must not be longer than http.requestTimeout');
  const ids = new Set<string>();
  raw.clients.forEach((c, i) => {
    if (ids.has(c.metadata.client_id)) throw new ConfigError(`clients[${i}].client_id`, `duplicate client_id "${c.metadata.client_id}"`);
    if (c.metadata.client_id === ACCOUNT_CLIENT_ID) throw new ConfigError(`clients[${i}].client_id`, `"${ACCOUNT_CLIENT_ID}" is the account pages' own client`);
    ids.add(c.metadata.client_id);
  });
  for (const k of ['minLength', 'minLengthWithSecondFactor'] as const) {
    if (raw.passwords[k] > raw.passwords.maxLength) throw new ConfigError(`passwords.${k}`, 'must not be greater than passwords.maxLength');
  }
  const { hashing } = raw.passwords;
  const leastMemory = owaspMinimumMemory(hashing.iterations);
  if (hashing.memory < leastMemory) {
    throw new ConfigError('passwords.hashing.memory', `must be at least ${leastMemory} (KiB) with passwords.hashing.iterations ${hashing.iterations}: the OWASP Password Storage Cheat Sheet's argon2id minimum`);
  }
  const names = new Set<string>();
  raw.users.forEach((u, i) => {
    if (names.has(u.username)) throw new ConfigError(`users[${i}].username`, `duplicate username "${u.username}"`);
    names.add(u.username);
    // A seeded user has no second factor when it is created: its password is its only factor.
    const verdict = checkNewPassword(raw.passwords, u.password, { username: u.username, hasSecondFactor: false });
    if (!verdict.ok) throw new ConfigError(`users[${i}].password`, verdict.message);
  });
  checkAcrValues(raw.acrValues, raw.clients.map((c) => c.metadata));
  if (raw.session.absoluteLifetime < raw.session.idleTimeout) {
    throw new ConfigError('session.absoluteLifetime', 'must not be shorter than session.idleTimeout');
  }
  if (raw.session.rememberMe.absoluteLifetime < raw.session.rememberMe.idleTimeout) {
    throw new ConfigError('session.rememberMe.absoluteLifetime', 'must not be shorter than session.rememberMe.idleTimeout');
  }
  for (const kind of ['account', 'pair', 'address'] as const) {
    const rule = raw.signIn.throttle[kind];
    if (rule.maxDelay < rule.delay) throw new ConfigError(`signIn.throttle.${kind}.maxDelay`, `must not be shorter than signIn.throttle.${kind}.delay`);
  }
  // A logout token lives two minutes (Back-Channel Logout §2.4): an attempt must end well before.
  if (raw.backchannel.attemptTimeout > 60) throw new ConfigError('backchannel.attemptTimeout', 'must be at most 60s (a logout token expires after 120s)');
  const config: Config = {
    ...raw,
    // Back-Channel Logout targets on private networks are refused unless allowed; a loopback
    // issuer is a development set-up whose applications are on loopback too.
    outbound: { allowPrivateNetworks: raw.outbound.allowPrivateNetworks ?? isLoopbackUrl(raw.issuer) },
    backchannel: {
      ...raw.backchannel,
      concurrencyPerClient: Math.min(raw.backchannel.concurrencyPerClient ?? Math.ceil(raw.backchannel.concurrency / 2), raw.backchannel.concurrency),
    },
  };
  return deepFreeze(config);
};

/** The acr list rises strictly, names each value once, and every client's acr settings name one of it. */
const checkAcrValues = (values: readonly AcrValue[], clients: readonly ClientMetadata[]): void => {
  if (values.length === 0) throw new ConfigError('acrValues', 'must list at least one acr value');
  values.forEach((v, i) => {
    if (values.findIndex((w) => w.value === v.value) !== i) throw new ConfigError(`acrValues[${i}].value`, `duplicate acr value "${v.value}"`);
    const before = values[i - 1];
    if (before && ACR_LEVELS.indexOf(before.level) >= ACR_LEVELS.indexOf(v.level)) throw new ConfigError(`acrValues[${i}].level`, 'levels must rise: password, then mfa, then phishing-resistant');
  });
  const known = new Set(values.map((v) => v.value));
  clients.forEach((c, i) => {
    for (const [key, asked] of [['require_acr', c.require_acr === undefined ? [] : [c.require_acr]], ['default_acr_values', c.default_acr_values ?? []]] as const) {
      const unknown = asked.find((v) => !known.has(v));
      if (unknown !== undefined) throw new ConfigError(`clients[${i}].${key}`, `"${unknown}" is not one of acrValues`);
    }
  });
};

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};
