import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';

/** Prometheus exposition of the provider's metrics (README "Sessions and sign-off"). */
export const metricsRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(ENDPOINTS.metrics, async (_req, reply) =>
    reply.header('content-type', p.metrics.registry.contentType).header('cache-control', 'no-store').send(await p.metrics.registry.metrics()),
  );
};
