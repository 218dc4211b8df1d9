import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignoffError } from '../../../errors.js';

/** An admin API failure: RFC 9457 problem details, with RFC 6750's challenge where it applies. */
export class AdminProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly challenge?: string,
  ) {
    super(detail ?? title);
  }
}

const send = (reply: FastifyReply, p: AdminProblem) => {
  if (p.challenge) reply.header('www-authenticate', p.challenge);
  return reply
    .code(p.status)
    .header('content-type', 'application/problem+json')
    .header('cache-control', 'no-store')
    .send({ type: 'about:blank', title: p.title, status: p.status, ...(p.detail ? { detail: p.detail } : {}) });
};

/** RFC 7591 §3.2.2 for client metadata: invalid_redirect_uri for a redirect URI, else invalid_client_metadata. */
const validationTitle = (request: FastifyRequest, err: FastifyError): string => {
  if (err.validationContext !== 'body' || !request.routeOptions.config?.clientMetadata) return 'invalid_request';
  const path = err.validation?.[0]?.instancePath ?? '';
  return /^\/(redirect_uris|post_logout_redirect_uris)(\/|$)/.test(path) ? 'invalid_redirect_uri' : 'invalid_client_metadata';
};

/**
 * Every admin API error as problem details (RFC 9457): schema validation and body parsing 400,
 * the registry's errors at their status (a lost store 503), anything unexpected a logged 500
 * without a stack trace. Encapsulated: the OAuth endpoints keep their own error format.
 */
export const installProblems = (admin: FastifyInstance): void => {
  admin.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AdminProblem) return send(reply, err);
    if (err instanceof SignoffError) {
      request.log.info({ error: err.code, debug: err.debug }, err.description);
      if (err.code === 'temporarily_unavailable') reply.header('retry-after', '5');
      return send(reply, new AdminProblem(err.status, err.oauthError, err.description));
    }
    if (err.validation) return send(reply, new AdminProblem(400, validationTitle(request, err), `${err.validationContext ?? 'request'} ${err.message.replace(/^(querystring|body|params)\s*/, '')}`));
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return send(reply, new AdminProblem(err.statusCode, 'invalid_request', 'The request is malformed.'));
    request.log.error({ err }, 'unhandled error');
    return send(reply, new AdminProblem(500, 'server_error', 'The server could not complete the request.'));
  });
  admin.setNotFoundHandler((request, reply) => send(reply, new AdminProblem(404, 'not_found', `No endpoint at ${request.method} ${request.url.split('?')[0]}`)));
};
