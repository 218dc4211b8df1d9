import type { FastifyInstance } from 'fastify';
import { fail } from '../../errors.js';
import { AUTHENTICATION_FAILED, authenticateClient } from '../../oauth/client-auth.js';
import { introspect } from '../../oauth/introspect.js';
import { revokeToken } from '../../oauth/revoke.js';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';
import { bodyParams } from '../params.js';
import { sendNoStore } from '../respond.js';

/** Revocation (RFC 7009) and introspection (RFC 7662): both authenticate the client first. */
export const revocationRoutes = (app: FastifyInstance, p: Provider): void => {
  const deps = { issuer: p.config.issuer, keys: p.keys, clock: p.clock, tokens: p.store, sessions: p.store, accounts: p.store, clients: p.store };

  app.post(ENDPOINTS.revocation, { config: { cors: true } }, async (req, reply) => {
    const params = bodyParams(req);
    const { client } = await authenticateClient(p.store, req.headers.authorization, params);
    await revokeToken(deps, client, params);
    return sendNoStore(reply, 200, '');
  });

  app.post(ENDPOINTS.introspection, async (req, reply) => {
    const params = bodyParams(req);
    const { client, method } = await authenticateClient(p.store, req.headers.authorization, params);
    // RFC 7662 §2.1: the caller must be authorized; a public client cannot prove who it is.
    // The same description as any other failure, so that it does not single out public client ids.
    if (method === 'none') fail('invalid_client', AUTHENTICATION_FAILED, `public client ${client.client_id} at introspection`);
    return sendNoStore(reply, 200, await introspect(deps, client, params));
  });
};
