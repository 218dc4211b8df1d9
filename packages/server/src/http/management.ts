import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Provider } from '../provider.js';
import { ENDPOINTS } from './endpoints.js';
import { serverOptions } from './server-options.js';

const READY_TIMEOUT_MS = 2000;

/**
 * The management listener (config `management`, 127.0.0.1:9464 by default): Prometheus metrics
 * and the readiness check, kept off the public port so that neither the provider's traffic
 * figures nor its store's state are visible to the internet (issue 10 §6). The public port keeps
 * only the liveness check `/healthz`.
 */
export const buildManagementApp = (p: Provider, opts: { logger?: boolean } = {}): FastifyInstance => {
  const app = Fastify({
    logger: opts.logger === false || p.config.logging.level === 'silent' ? false : { level: p.config.logging.level },
    // A scraper calls every few seconds; its requests would drown the log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024,
    trustProxy: false,
    ...serverOptions(p.config),
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });
  app.get(ENDPOINTS.metrics, async (_req, reply) =>
    reply.header('content-type', p.metrics.registry.contentType).send(await p.metrics.registry.metrics()),
  );
  // Ready when the store answers a query: a closed or unreachable store takes the instance out
  // of a load balancer's rotation (503) while liveness (/healthz) stays up. A store that does not
  // answer within READY_TIMEOUT_MS is not ready either: a probe's own timeout is short, and a
  // network that drops packets would otherwise hold the answer for a statement timeout (issue 11 §2).
  app.get(ENDPOINTS.ready, async (_req, reply) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS)));
    const ok = await Promise.race([p.store.ping().catch(() => false), late]).finally(() => clearTimeout(timer));
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable' });
  });
  return app;
};
