import type { ClientStore } from '../clients/store.js';
import type { Clock } from '../clock.js';
import { activeClientAccessToken } from '../tokens/client-access-token.js';
import type { KeyRing } from '../tokens/keys.js';
import type { TokenStore } from '../tokens/token-store.js';

/**
 * Who calls the stream management API (SSF 1.0 §8.1, authorization_schemes urn:ietf:rfc:6749):
 * a receiver with an active client credentials access token (tokens/client-access-token.ts)
 * whose scope holds `ssf.manage` for changes, `ssf.read` or `ssf.manage` for reading.
 */
export const authorizeReceiver = async (
  deps: { issuer: string; keys: KeyRing; clock: Clock; tokens: TokenStore; clients: ClientStore },
  token: string,
  need: 'read' | 'manage',
): Promise<{ ok: true; clientId: string } | { ok: false; error: 'invalid_token' | 'insufficient_scope' }> => {
  const active = await activeClientAccessToken(deps, token);
  if (!active) return { ok: false, error: 'invalid_token' };
  const scopes = active.claims.scope.split(' ');
  const ok = scopes.includes('ssf.manage') || (need === 'read' && scopes.includes('ssf.read'));
  return ok ? { ok: true, clientId: active.claims.client_id } : { ok: false, error: 'insufficient_scope' };
};
