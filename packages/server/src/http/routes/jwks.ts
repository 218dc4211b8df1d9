import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';

/** The public signing keys, current and recently retired (RFC 7517 §5; OIDC Core §10.1.1). */
export const jwksRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(ENDPOINTS.jwks, { config: { cors: true } }, async (_req, reply) =>
    reply.header('content-type', 'application/json').header('cache-control', 'public, max-age=60').send(await p.keys.jwks()),
  );
};
