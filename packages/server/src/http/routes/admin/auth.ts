import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyAdminToken } from '../../../admin/authorize.js';
import type { Provider } from '../../../provider.js';
import { AdminProblem } from './problems.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope an admin API route needs (issue 12 §2); routes without one are public (the OpenAPI document). */
    adminScope?: string;
    /** The body is RFC 7591 client metadata: a body that fails its schema is worded as §3.2.2 says. */
    clientMetadata?: boolean;
  }
  interface FastifyRequest {
    /** The client calling the admin API, once its token was accepted. */
    adminClient?: string;
  }
}

const REALM = 'Bearer realm="signoff-admin"';

/** What the OpenAPI document says of every route that needs a token. */
export const SECURED = { security: [{ bearer: [] }] };

/** The actor of a change made through the API, in the audit log and on ended sessions: the calling client. */
export const actorOf = (request: FastifyRequest): string => `client:${request.adminClient as string}`;

const bearer = (request: FastifyRequest): string | undefined => {
  const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(request.headers.authorization ?? '');
  return m?.[1];
};

/**
 * RFC 6750 §3: no token is a 401 with a bare challenge; a token that is not one of ours for this
 * audience, a 401 `invalid_token`; a good token without the route's scope, a 403
 * `insufficient_scope` naming it.
 */
export const installAdminAuth = (admin: FastifyInstance, p: Provider): void => {
  // onRequest: before the body is parsed or validated, so a caller without a token learns nothing else.
  admin.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config?.adminScope;
    if (scope === undefined) return;
    const token = bearer(request);
    if (!token) throw new AdminProblem(401, 'unauthorized', 'A Bearer access token is required.', REALM);
    const result = await verifyAdminToken({ issuer: p.config.issuer, keys: p.keys, clock: p.clock, tokens: p.store, clients: p.store }, token, scope);
    if (!result.ok && result.error === 'invalid_token') {
      throw new AdminProblem(401, 'invalid_token', 'The access token is not valid for this API.', `${REALM}, error="invalid_token"`);
    }
    if (!result.ok) {
      throw new AdminProblem(403, 'insufficient_scope', `This call needs the scope ${scope}.`, `${REALM}, error="insufficient_scope", scope="${scope}"`);
    }
    request.adminClient = result.clientId;
  });
};
