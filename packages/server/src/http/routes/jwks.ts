import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../provider.js';
import { JWKS_MAX_AGE_SECONDS } from '../../tokens/keys.js';
import { ENDPOINTS } from '../endpoints.js';

/**
 * The public signing keys: the next (published ahead of signing), current and recently retired
 * (RFC 7517 §5; OIDC Core §10.1.1). Its max-age sets how far ahead a rotation publishes.
 */
export const jwksRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(ENDPOINTS.jwks, { config: { cors: true } }, async (_req, reply) =>
    reply.header('content-type', 'application/json').header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).send(await p.keys.jwks()),
  );
};
