import type { ClientStore } from '../clients/store.js';
import type { Clock } from '../clock.js';
import { activeClientAccessToken } from '../tokens/client-access-token.js';
import type { KeyRing } from '../tokens/keys.js';
import type { TokenStore } from '../tokens/token-store.js';

export interface AdminAuthorizeDeps {
  issuer: string;
  keys: KeyRing;
  clock: Clock;
  tokens: TokenStore;
  clients: ClientStore;
}

export type AdminAuthorization =
  | { ok: true; clientId: string; scopes: string[] }
  /** RFC 6750 §3.1: 401 for a token that is not one of ours for this API; 403 for one lacking the scope. */
  | { ok: false; error: 'invalid_token' | 'insufficient_scope' };

/**
 * Whether a bearer token opens an admin API route needing `requiredScope` (issue 12 §2): only an
 * active access token Signoff issued through the client credentials grant for the admin API's
 * audience (tokens/client-access-token.ts) — a user's access token (`aud` the issuer) never is —
 * and only when its `scope` holds the route's scope.
 */
export const verifyAdminToken = async (deps: AdminAuthorizeDeps, token: string, requiredScope: string): Promise<AdminAuthorization> => {
  const active = await activeClientAccessToken(deps, token);
  if (!active) return { ok: false, error: 'invalid_token' };
  const scopes = active.claims.scope.split(' ').filter(Boolean);
  if (!scopes.includes(requiredScope)) return { ok: false, error: 'insufficient_scope' };
  return { ok: true, clientId: active.claims.client_id, scopes };
};
