import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Provider } from '../provider.js';
import { installCors } from './cors.js';
import { ENDPOINTS } from './endpoints.js';
import { installErrorHandling } from './errors.js';
import { parseQueryString } from './params.js';
import { adminRoutes } from './routes/admin/index.js';
import { authorizeRoutes } from './routes/authorize.js';
import { devRoutes } from './routes/dev.js';
import { checkSessionRoutes } from './routes/check-session.js';
import { checkSessionStateRoutes } from './routes/check-session-state.js';
import { discoveryRoutes } from './routes/discovery.js';
import { ssfRoutes } from './routes/ssf.js';
import { accountRoutes } from './routes/account.js';
import { passwordResetRoutes } from './routes/password-reset.js';
import { endSessionRoutes } from './routes/end-session.js';
import { federatedLogoutRoutes } from './routes/federated-logout.js';
import { healthRoutes } from './routes/health.js';
import { interactionRoutes } from './routes/interaction.js';
import { jwksRoutes } from './routes/jwks.js';
import { landingRoutes } from './routes/landing.js';
import { revocationRoutes } from './routes/revocation.js';
import { tokenRoutes } from './routes/token.js';
import { upstreamLogoutRoutes } from './routes/upstream-logout.js';
import { userinfoRoutes } from './routes/userinfo.js';
import { paramsFrom } from '../oauth/params.js';
import { redactText, redactUrl } from './log-redaction.js';
import { serverOptions, trustProxyOption } from './server-options.js';
import { installTracing } from './tracing.js';

/** Form bodies are small; anything larger is refused before parsing (413). */
export const BODY_LIMIT = 64 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Assembles the Fastify application: parsers, security headers, error mapping, CORS, routes.
 * `logStream` sends the log somewhere other than standard output (tests read it). `tracing`
 * (default: when the configuration has `traces`) gives each request a server span.
 */
export const buildApp = (p: Provider, opts: { logger?: boolean; logStream?: NodeJS.WritableStream; tracing?: boolean } = {}): FastifyInstance => {
  const https = p.config.issuer.startsWith('https:');
  const app = Fastify({
    logger:
      opts.logger === false || p.config.logging.level === 'silent'
        ? false
        : {
            level: p.config.logging.level,
            ...(opts.logStream ? { stream: opts.logStream } : {}),
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            // Query values are redacted (log-redaction.ts) in message texts, whoever wrote them…
            hooks: {
              logMethod(args, method) {
                method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as typeof args);
              },
            },
            // …and in Fastify's own request serializer, otherwise unchanged.
            serializers: {
              req: (req: FastifyRequest) => ({
                method: req.method,
                url: redactUrl(req.url),
                host: req.host,
                remoteAddress: req.ip,
                remotePort: req.socket?.remotePort,
              }),
            },
          },
    ...serverOptions(p.config),
    bodyLimit: BODY_LIMIT,
    // Request ids: a sane incoming X-Request-Id is kept (log correlation), otherwise a new one.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: {
      ignoreTrailingSlash: false,
      maxParamLength: 100,
      querystringParser: (query) => parseQueryString(query) as Record<string, string[]>,
    },
    // The client's address behind a load balancer (config http.trustProxy); off, X-Forwarded-For is ignored.
    trustProxy: trustProxyOption(p.config),
    // Request schemas (the admin API's) refuse what they do not list, rather than drop it
    // silently: a mistyped field is a 400, not an option quietly ignored.
    ajv: { customOptions: { removeAdditional: false } },
  });

  // Only form bodies are accepted (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1, RFC 6750 §2.2).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, paramsFrom(new URLSearchParams(body as string)));
  });

  // Upstream providers are discovered by the instances that serve (issue 15 §1), in the background.
  app.addHook('onReady', async () => p.upstreams.start(app.log));
  app.addHook('onClose', async () => p.upstreams.stop());
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // RFC 6797: browsers that once saw the provider over https never try plain http to it again.
    if (https) reply.header('strict-transport-security', `max-age=${p.config.http.hstsMaxAge}`);
  });
  // Latency by route pattern (never the raw URL: unbounded label values) and status class.
  app.addHook('onResponse', async (req, reply) => {
    p.metrics.httpRequest(req.routeOptions.url, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  if (opts.tracing ?? p.config.traces !== undefined) installTracing(app);
  installErrorHandling(app, p);
  installCors(app, p, [ENDPOINTS.discovery, ENDPOINTS.jwks, ENDPOINTS.token, ENDPOINTS.userinfo, ENDPOINTS.revocation]);
  for (const routes of [
    discoveryRoutes, jwksRoutes, authorizeRoutes, interactionRoutes, endSessionRoutes, federatedLogoutRoutes, checkSessionRoutes, checkSessionStateRoutes, tokenRoutes, userinfoRoutes,
    revocationRoutes, healthRoutes, devRoutes, adminRoutes, accountRoutes, passwordResetRoutes, upstreamLogoutRoutes, ssfRoutes, landingRoutes,
  ]) {
    routes(app, p);
  }
  return app;
};
