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
