import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';

/** Liveness (the process answers) and readiness (the store answers). */
export const healthRoutes = (app: FastifyInstance, p: Provider): void => {
  app.get(ENDPOINTS.health, async () => ({ status: 'ok' }));
  app.get(ENDPOINTS.ready, async (_req, reply) => {
    const ok = await p.store.ping().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable' });
  });
};
