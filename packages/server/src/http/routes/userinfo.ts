import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../../errors.js';
import { one } from '../../oauth/params.js';
import { userinfo } from '../../oauth/userinfo.js';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';
import { bodyParams } from '../params.js';
import { sendNoStore } from '../respond.js';

/**
 * The bearer token of a request (RFC 6750 §2.1 header, §2.2 form body); using more than one
 * method is an invalid request (§2).
 */
const bearerToken = (req: FastifyRequest): string => {
  const header = req.headers.authorization;
  const fromBody = req.method === 'POST' ? one(bodyParams(req), 'access_token') : undefined;
  if (header !== undefined && fromBody !== undefined) fail('invalid_request', 'Send the access token in one place only.');
  if (fromBody !== undefined) return fromBody;
  if (header === undefined) fail('token_required', 'An access token is required.');
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) fail('invalid_token', 'The Authorization header is not a Bearer token.');
  return match[1] as string;
};

/** UserInfo (OIDC Core §5.3), GET and POST. */
export const userinfoRoutes = (app: FastifyInstance, p: Provider): void => {
  const deps = { issuer: p.config.issuer, keys: p.keys, clock: p.clock, tokens: p.store, sessions: p.store, accounts: p.store, clients: p.store };
  const handler = async (req: FastifyRequest, reply: FastifyReply) => sendNoStore(reply, 200, await userinfo(deps, bearerToken(req)));
  app.get(ENDPOINTS.userinfo, { config: { cors: true } }, handler);
  app.post(ENDPOINTS.userinfo, { config: { cors: true } }, handler);
};
