import { type JWTVerifyGetKey, createRemoteJWKSet } from 'jose';
import * as oidc from 'openid-client';
import type { UpstreamConfig } from './config.js';

/**
 * The configured upstream providers and their discovered metadata (OIDC Discovery §4), through
 * openid-client. Discovery runs in the background from start-up and retries with growing,
 * jittered delays, so an upstream that is down never stops the provider nor makes it crash-loop;
 * a sign-in through an upstream not yet discovered tries once more at that moment. Every instance
 * discovers for itself: the metadata is derived state (DESIGN.md "Storage").
 */

export type UpstreamStatus =
  | { state: 'discovering' }
  | { state: 'ready'; discoveredAt: number }
  | { state: 'unavailable'; error: string; retryAt: number };

export interface UpstreamLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface Entry {
  config: UpstreamConfig;
  discovered?: oidc.Configuration | undefined;
  status: UpstreamStatus;
  attempts: number;
  timer?: NodeJS.Timeout | undefined;
  inFlight?: Promise<oidc.Configuration | undefined> | undefined;
  /** The upstream's JWKS (its discovered jwks_uri), fetched and cached by jose; refetched on an unknown kid (key rotation). */
  keys?: { uri: string; set: JWTVerifyGetKey } | undefined;
}

/** What verifies a JWT the upstream signed (a logout token, Back-Channel Logout §2.6). */
export interface UpstreamVerification {
  /** The discovered issuer (OIDC Discovery §4.3: the configured one, checked by openid-client). */
  issuer: string;
  keys: JWTVerifyGetKey;
  /** The asymmetric algorithms the upstream advertises for ID tokens (RS256 when it says none, OIDC Discovery §3). */
  algorithms: string[];
}

/** JWS algorithms with a public key (RFC 7518 §3.1, RFC 8037): never `none`, never an HMAC whose key is the client secret. */
const ASYMMETRIC = /^(?:RS|PS|ES)(?:256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$/;

export interface RegistryOptions {
  log?: UpstreamLog | undefined;
  /** The first retry delay and the cap of the growing delays, in ms. */
  retry?: { firstMs: number; maxMs: number } | undefined;
  /** Seconds one discovery or token request may take. */
  timeoutSeconds?: number | undefined;
}

/** A loopback upstream over plain http (development and tests; the configuration allows nothing else). */
const isPlainHttp = (issuer: string): boolean => issuer.startsWith('http:');

export class Upstreams {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;
  private log: UpstreamLog | undefined;
  private readonly retry: { firstMs: number; maxMs: number };
  private readonly timeout: number;

  constructor(configs: readonly UpstreamConfig[], opts: RegistryOptions = {}) {
    for (const config of configs) this.entries.set(config.id, { config, status: { state: 'discovering' }, attempts: 0 });
    this.retry = opts.retry ?? { firstMs: 1000, maxMs: 5 * 60_000 };
    this.timeout = opts.timeoutSeconds ?? 5;
    this.log = opts.log;
  }

  /** The upstreams in their configured order. */
  list(): UpstreamConfig[] {
    return [...this.entries.values()].map((e) => e.config);
  }

  /** Where the browser signs in at the upstream: its authorization endpoint's origin once discovered, its issuer's before. */
  signInOrigin(id: string): string | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    const endpoint = e.discovered?.serverMetadata().authorization_endpoint;
    return new URL(endpoint ?? e.config.issuer).origin;
  }

  byId(id: string): UpstreamConfig | undefined {
    return this.entries.get(id)?.config;
  }

  status(id: string): UpstreamStatus | undefined {
    return this.entries.get(id)?.status;
  }

  /** Starts discovering every upstream in the background, logging to `log`. */
  start(log?: UpstreamLog): void {
    this.log = log ?? this.log;
    this.stopped = false;
    for (const e of this.entries.values()) void this.discover(e);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) clearTimeout(e.timer);
  }

  /**
   * The upstream's discovered configuration; when it is not discovered yet, one attempt now
   * (shared by the requests arriving meanwhile). Undefined while it cannot be reached.
   */
  async configuration(id: string): Promise<oidc.Configuration | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.discovered) return e.discovered;
    return this.discover(e);
  }

  /**
   * The keys and algorithms that verify what the upstream signs; undefined while it is not
   * discovered or publishes no jwks_uri. The remote key set is kept per upstream (and per
   * jwks_uri, should a rediscovery change it).
   */
  async verification(id: string): Promise<UpstreamVerification | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    const configuration = await this.configuration(id);
    const metadata = configuration?.serverMetadata();
    if (!metadata?.jwks_uri) return undefined;
    if (e.keys?.uri !== metadata.jwks_uri) {
      e.keys = { uri: metadata.jwks_uri, set: createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: this.timeout * 1000 }) };
    }
    const advertised = metadata.id_token_signing_alg_values_supported ?? ['RS256'];
    return { issuer: metadata.issuer, keys: e.keys.set, algorithms: advertised.filter((a) => ASYMMETRIC.test(a)) };
  }

  private discover(e: Entry): Promise<oidc.Configuration | undefined> {
    e.inFlight ??= this.attempt(e).finally(() => (e.inFlight = undefined));
    return e.inFlight;
  }

  private async attempt(e: Entry): Promise<oidc.Configuration | undefined> {
    const { config } = e;
    clearTimeout(e.timer);
    try {
      const auth = config.client_secret === undefined ? oidc.None() : oidc.ClientSecretBasic(config.client_secret);
      const discovered = await oidc.discovery(new URL(config.issuer), config.client_id, undefined, auth, {
        timeout: this.timeout,
        ...(isPlainHttp(config.issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      e.discovered = discovered;
      e.attempts = 0;
      e.status = { state: 'ready', discoveredAt: Math.floor(Date.now() / 1000) };
      this.log?.info({ upstream: config.id, issuer: config.issuer }, 'upstream discovered');
      return discovered;
    } catch (err) {
      e.attempts += 1;
      // Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): instances that
      // started together do not all retry at once.
      const ceiling = Math.min(this.retry.maxMs, this.retry.firstMs * 2 ** Math.min(e.attempts - 1, 20));
      const delay = Math.max(this.retry.firstMs, Math.floor(Math.random() * ceiling));
      const error = err instanceof Error ? err.message : String(err);
      e.status = { state: 'unavailable', error, retryAt: Math.floor((Date.now() + delay) / 1000) };
      this.log?.warn({ upstream: config.id, issuer: config.issuer, error, retryInMs: delay }, 'upstream discovery failed; retrying');
      if (!this.stopped) {
        e.timer = setTimeout(() => void this.discover(e), delay);
        e.timer.unref();
      }
      return undefined;
    }
  }
}
