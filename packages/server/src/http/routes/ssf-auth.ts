import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignoffError, fail } from '../../errors.js';
import type { Provider } from '../../provider.js';
import { authorizeReceiver } from '../../signals/receiver.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a Shared Signals route needs of the receiver's token (SSF 1.0 §8.1). */
    ssfNeed?: 'read' | 'manage';
  }
  interface FastifyRequest {
    /** The receiver calling, once its token was accepted. */
    receiver?: string;
  }
}

const REALM = 'Bearer realm="signoff-ssf"';

/** The client_id of the calling receiver (set by the onRequest hook of every route with ssfNeed). */
export const receiverOf = (request: FastifyRequest): string => request.receiver as string;

const send = (reply: FastifyReply, status: number, error: string, description: string, challenge?: string) => {
  if (challenge) reply.header('www-authenticate', challenge);
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
};

/**
 * RFC 6750 §3 for the stream management API (SSF 1.0 §8.1.1.x: 401 without a valid token, 403
 * without the scope), and its errors as JSON `{error, error_description}` at the registry's
 * status; a body that fails its schema or does not parse is 400. Encapsulated in the plugin.
 */
export const installSsfAuth = (ssf: FastifyInstance, p: Provider): void => {
  ssf.addHook('onRequest', async (request) => {
    const need = request.routeOptions.config?.ssfNeed;
    if (need === undefined) return;
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(request.headers.authorization ?? '');
    if (!m?.[1]) fail('token_required', 'A Bearer access token is required.');
    const result = await authorizeReceiver({ issuer: p.config.issuer, keys: p.keys, clock: p.clock, tokens: p.store, clients: p.store }, m[1], need);
    if (!result.ok && result.error === 'invalid_token') fail('invalid_token', 'The access token is not valid.');
    if (!result.ok) fail('insufficient_scope', `This call needs the scope ssf.${need}${need === 'read' ? ' or ssf.manage' : ''}.`);
    request.receiver = result.clientId;
  });
  ssf.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof SignoffError) {
      request.log.info({ error: err.code, debug: err.debug }, err.description);
      const challenge =
        err.code === 'token_required' ? REALM
        : err.code === 'invalid_token' ? `${REALM}, error="invalid_token"`
        : err.code === 'insufficient_scope' ? `${REALM}, error="insufficient_scope"`
        : undefined;
      if (err.code === 'temporarily_unavailable') reply.header('retry-after', '5');
      return send(reply, err.status, err.oauthError, err.description, challenge);
    }
    if (err.validation) return send(reply, 400, 'invalid_request', `${err.validationContext ?? 'request'} ${err.message.replace(/^(querystring|body|params)\s*/, '')}`);
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return send(reply, err.statusCode, 'invalid_request', 'The request is malformed.');
    request.log.error({ err }, 'unhandled error');
    return send(reply, 500, 'server_error', 'The server could not complete the request.');
  });
};
