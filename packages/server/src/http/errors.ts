import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, type ErrorCode, SignoffError } from '../errors.js';
import { RedirectableError } from '../oauth/authorize/request.js';
import { errorDescription } from './error-description.js';
import { pageChrome, uiLocalesOf } from './page-chrome.js';
import { errorPage } from './pages/error.js';
import type { Provider } from '../provider.js';
import { sendNoStore, sendPage } from './respond.js';
import { sendAuthorizationResult } from './session-state.js';

/** Fastify's own failures (body parsing, limits) in terms of the error registry. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

const toSignoffError = (err: FastifyError | Error): SignoffError | undefined => {
  if (err instanceof SignoffError) return err;
  const code = 'code' in err && typeof err.code === 'string' ? FASTIFY_CODES[err.code] : undefined;
  if (code) return new SignoffError(code, err.message);
  const status = 'statusCode' in err ? err.statusCode : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) return new SignoffError('invalid_request', 'The request is malformed.', err.message);
  return undefined;
};

/** RFC 6749 §5.2: a failed Basic client authentication is challenged; RFC 6750 §3: bearer failures. */
const challengeFor = (err: SignoffError, request: FastifyRequest): string | undefined => {
  if (err.code === 'invalid_client' && /^Basic\b/i.test(request.headers.authorization ?? '')) return 'Basic realm="signoff"';
  if (err.code === 'token_required') return 'Bearer realm="signoff"';
  if (err.code === 'invalid_token') return `Bearer realm="signoff", error="invalid_token", error_description="${errorDescription(err.description)}"`;
  return undefined;
};

/** A lost database usually comes back within seconds (a failover, a restart); clients wait this long. */
const RETRY_AFTER_SECONDS = 5;

/** Routes that a person's browser opens render errors as pages, not JSON. */
declare module 'fastify' {
  interface FastifyContextConfig {
    page?: boolean;
  }
}

/**
 * One place maps every failure to its response: a spec-shaped error (`error`,
 * `error_description`) or an error page; an authorization error to the client's registered
 * redirect URI; anything unexpected to a logged `server_error` with no stack trace shown.
 */
export const installErrorHandling = (app: FastifyInstance, p: Provider): void => {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof RedirectableError) {
      request.log.info({ error: err.code, debug: err.debug }, 'authorization error returned to client');
      return sendAuthorizationResult(p, request, reply, err.target, { error: err.oauthError, error_description: errorDescription(err.description) });
    }
    let known = toSignoffError(err);
    if (known) {
      request.log.info({ error: known.code, debug: known.debug }, known.description);
    } else {
      request.log.error({ err }, 'unhandled error');
      known = new SignoffError('server_error', 'The server could not complete the request.');
    }
    const challenge = challengeFor(known, request);
    if (challenge) reply.header('www-authenticate', challenge);
    // RFC 9110 §10.2.3: when to ask again, for a store that is unreachable now (issue 11 §2).
    if (known.code === 'temporarily_unavailable') reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    if (request.routeOptions.config?.page) {
      return sendPage(reply, errorPage(pageChrome(p, request, uiLocalesOf(request)), { status: known.status, error: known.oauthError, description: known.description, requestId: request.id }));
    }
    return sendNoStore(reply, known.status, { error: known.oauthError, error_description: errorDescription(known.description) });
  });
  app.setNotFoundHandler((request, reply) =>
    sendNoStore(reply, ERRORS.not_found.status, { error: 'not_found', error_description: errorDescription(`No endpoint at ${request.method} ${request.url.split('?')[0]}`) }),
  );
};
