import { decodeProtectedHeader } from 'jose';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { fail } from '../errors.js';
import { verifyOwnJwt } from './jwt.js';
import type { KeyRing } from './keys.js';

/** What a verified id_token_hint says: the client it was issued to, the account and its session. */
export interface IdTokenHint {
  clientId: string;
  sub: string;
  sid?: string | undefined;
}

export interface IdTokenHintDeps {
  issuer: string;
  keys: KeyRing;
  clock: Clock;
}

const NOT_OURS = 'The id_token_hint is not an ID token issued by this provider.';

/**
 * An `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout 1.0 §2) must be an ID token this
 * provider issued: signature by one of its keys and its issuer. An expired one is still accepted
 * (the hint names a past authentication; RP-Initiated Logout §2 "The OP need not be concerned
 * about the expiration"). Access and logout tokens are refused: ID tokens carry no `typ` other
 * than JWT (Back-Channel Logout §2.4 gives logout tokens their own). Every failure is an
 * `invalid_request`, whatever the token holds.
 */
export const verifyIdTokenHint = async (deps: IdTokenHintDeps, token: string): Promise<IdTokenHint> => {
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch {
    fail('invalid_request', NOT_OURS);
  }
  const claims =
    typ === undefined || typ === 'JWT'
      ? await verifyOwnJwt(deps.keys, token, { issuer: deps.issuer, ignoreExpiry: true, nowSeconds: nowSeconds(deps.clock) })
      : undefined;
  if (!claims || typeof claims.sub !== 'string') fail('invalid_request', NOT_OURS);
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const clientId = typeof claims.azp === 'string' ? claims.azp : audiences.length === 1 ? audiences[0] : undefined;
  if (!clientId || !audiences.includes(clientId)) fail('invalid_request', 'The id_token_hint names no single client.');
  return { clientId, sub: claims.sub, sid: typeof claims.sid === 'string' ? claims.sid : undefined };
};
