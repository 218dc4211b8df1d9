import type { FastifyInstance } from 'fastify';
import { fail } from '../../errors.js';
import { authenticateClient } from '../../oauth/client-auth.js';
import { required } from '../../oauth/params.js';
import { authorizationCodeGrant } from '../../oauth/token/authorization-code.js';
import { clientCredentialsGrant } from '../../oauth/token/client-credentials.js';
import type { GrantDeps } from '../../oauth/token/deps.js';
import { refreshTokenGrant } from '../../oauth/token/refresh-token.js';
import type { Provider } from '../../provider.js';
import { clientInfo } from '../browser-session.js';
import { ENDPOINTS } from '../endpoints.js';
import { bodyParams } from '../params.js';
import { sendNoStore } from '../respond.js';
import { inSpan } from '../../telemetry/trace.js';

const tokenResponseSchema = {
  200: {
    type: 'object',
    properties: {
      access_token: { type: 'string' },
      token_type: { type: 'string' },
      expires_in: { type: 'integer' },
      id_token: { type: 'string' },
      refresh_token: { type: 'string' },
      scope: { type: 'string' },
    },
    // No id_token from the client credentials grant (RFC 6749 §4.4.3): no user signed in.
    required: ['access_token', 'token_type', 'expires_in'],
  },
};

/** The token endpoint (RFC 6749 §3.2, OIDC Core §3.1.3). */
export const tokenRoutes = (app: FastifyInstance, p: Provider): void => {
  const deps: GrantDeps = {
    issuer: p.config.issuer,
    keys: p.keys,
    clock: p.clock,
    tokens: p.store,
    accounts: p.store,
    sessions: p.store,
    policy: p.config.session,
    ttl: p.config.tokens,
  };
  app.post(ENDPOINTS.token, { config: { cors: true }, schema: { response: tokenResponseSchema } }, async (req, reply) => {
    const params = bodyParams(req);
    const { client } = await authenticateClient(p.store, req.headers.authorization, params);
    const grantType = required(params, 'grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token' && grantType !== 'client_credentials') {
      fail('unsupported_grant_type', `grant_type "${grantType}" is not supported.`);
    }
    if (!client.grant_types.includes(grantType)) fail('unauthorized_client', `This client may not use the ${grantType} grant.`);
    // Traced (issue 17 §2): which grant, for which client.
    const body = await inSpan('signoff.token', { 'signoff.grant_type': grantType, 'signoff.client_id': client.client_id }, () =>
      grantType === 'authorization_code'
        ? authorizationCodeGrant(deps, client, params)
        : grantType === 'refresh_token'
          ? refreshTokenGrant(deps, client, params, clientInfo(req))
          : clientCredentialsGrant(deps, client, params),
    );
    p.metrics.tokenIssued(grantType);
    return sendNoStore(reply, 200, body);
  });
};
