import type { Config } from '../config/schema.js';

/**
 * Node's HTTP server settings for both listeners (issue 10 §6). Node answers 408 and closes a
 * connection whose request has not arrived whole within requestTimeout (headers within
 * headersTimeout), however slowly its bytes trickle in — an idle timeout alone would not catch a
 * body sent a byte at a time. Node checks for such connections only every
 * connectionsCheckingInterval (30 s by default), so that interval follows the timeout.
 */
export const serverOptions = (config: Pick<Config, 'http'>) => {
  const requestTimeout = config.http.requestTimeout * 1000;
  const headersTimeout = config.http.headersTimeout * 1000;
  return {
    requestTimeout,
    http: { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeout / 4))) },
  };
};

/**
 * Fastify's `trustProxy` from http.trustProxy, so that request.ip — recorded on sessions at
 * sign-in and use — is the client's address behind a load balancer. A hop count becomes a
 * function trusting that many hops nearest the provider, as Express does: Fastify itself
 * ignores a bare number (it trusts nothing then).
 */
export const trustProxyOption = (config: Pick<Config, 'http'>): boolean | string[] | ((address: string, hop: number) => boolean) => {
  const trust = config.http.trustProxy;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return Array.isArray(trust) ? [...trust] : trust;
};
