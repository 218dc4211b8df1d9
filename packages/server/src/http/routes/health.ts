import type { FastifyInstance } from 'fastify';
import { ENDPOINTS } from '../endpoints.js';

/**
 * Liveness (the process answers). Readiness and metrics are on the management listener
 * (http/management.ts), not on the public port.
 */
export const healthRoutes = (app: FastifyInstance): void => {
  app.get(ENDPOINTS.health, async () => ({ status: 'ok' }));
};
