import { isPublic } from '../clients/metadata.js';
import type { Client, ClientStore } from '../clients/store.js';
import { fail } from '../errors.js';
import { constantTimeEqual, sha256 } from '../util/secrets.js';
import { type Params, one } from './params.js';

/** The `error_description` of every failed client authentication, whatever failed. */
export const AUTHENTICATION_FAILED = 'Client authentication failed.';

export interface AuthenticatedClient {
  client: Client;
  /** How it authenticated; `basic` failures get a WWW-Authenticate challenge (RFC 6749 §5.2). */
  method: Client['token_endpoint_auth_method'];
}

const decodeBasic = (header: string): { id: string; secret: string } | undefined => {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined.
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return undefined;
  }
};

/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3,
 * OIDC Core §9): exactly one method, the one the client registered, secrets compared by hash
 * in constant time.
 */
export const authenticateClient = async (
  clients: ClientStore,
  authorization: string | undefined,
  params: Params,
): Promise<AuthenticatedClient> => {
  const basic = authorization === undefined ? undefined : decodeBasic(authorization);
  if (authorization !== undefined && !basic && /^Basic/i.test(authorization)) fail('invalid_client', 'Malformed Basic authorization header.');
  const bodySecret = one(params, 'client_secret');
  const bodyId = one(params, 'client_id');
  if (basic && bodySecret !== undefined) fail('invalid_request', 'Use only one client authentication method.');
  if (basic && bodyId !== undefined && bodyId !== basic.id) fail('invalid_request', 'client_id does not match the authenticated client.');
  const clientId = basic?.id ?? bodyId;
  if (!clientId) fail('invalid_client', 'Client authentication is required.');
  const method: Client['token_endpoint_auth_method'] = basic ? 'client_secret_basic' : bodySecret !== undefined ? 'client_secret_post' : 'none';
  const c = await clients.clientById(clientId);
  // One public answer for every failure (issue 10 §6): naming the registered method only for
  // client ids that exist would tell a caller which ids do. The operator's log has the detail.
  if (!c) fail('invalid_client', AUTHENTICATION_FAILED, `unknown client ${clientId}`);
  if (c.token_endpoint_auth_method !== method) {
    fail('invalid_client', AUTHENTICATION_FAILED, `client ${clientId} is registered for ${c.token_endpoint_auth_method}, not ${method}`);
  }
  if (!isPublic(c)) {
    const secret = basic?.secret ?? bodySecret ?? '';
    if (!c.client_secret_hash || !constantTimeEqual(c.client_secret_hash, sha256(secret))) {
      fail('invalid_client', AUTHENTICATION_FAILED, `wrong secret for client ${clientId}`);
    }
  }
  return { client: c, method };
};
