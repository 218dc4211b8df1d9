import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientOrigins } from '../clients/metadata.js';
import type { Provider } from '../provider.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers cross-origin requests from registered client origins. */
    cors?: boolean;
  }
}

/**
 * CORS for browser-based clients on the endpoints they call from script (discovery, JWKS, token,
 * userinfo, revocation). An origin is allowed when it is the origin of one of a client's redirect
 * URIs or listed in its allowed_origins; others get no CORS headers at all, so the browser
 * refuses them. Pages and the authorization endpoint never send CORS headers.
 */
export const installCors = (app: FastifyInstance, p: Provider, paths: readonly string[], ttlMs = 5000): void => {
  let cached: { at: number; origins: Set<string> } | undefined;
  const allowed = async (origin: string): Promise<boolean> => {
    const now = p.clock.nowMs();
    if (!cached || now - cached.at > ttlMs) {
      const origins = new Set((await p.store.listClients()).flatMap(clientOrigins));
      cached = { at: now, origins };
    }
    return cached.origins.has(origin);
  };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.routeOptions.config?.cors) return;
    const origin = req.headers.origin;
    reply.header('vary', 'Origin');
    if (origin && (await allowed(origin))) reply.header('access-control-allow-origin', origin);
  });

  for (const url of paths) {
    app.options(url, { config: { cors: true } }, async (_req, reply) =>
      reply
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .code(204)
        .send(),
    );
  }
};
