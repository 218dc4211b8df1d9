import { randomUUID } from 'node:crypto';
import type { ClientMetadata } from '../../clients/store.js';
import { signJwt } from '../../tokens/jwt.js';
import type { KeyRing } from '../../tokens/keys.js';
import { LOGOUT_TOKEN_TTL_SECONDS } from '../../tokens/lifetimes.js';

/** Back-Channel Logout 1.0 §2.4: the `events` member that marks a JWT as a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutTokenInput {
  issuer: string;
  client: Pick<ClientMetadata, 'client_id' | 'id_token_signed_response_alg'>;
  /** The account's `sub`, as in the client's ID tokens. */
  sub: string;
  /** The participant's `sid`: the value this client received in its ID tokens (§2.4). */
  sid: string;
  nowSeconds: number;
}

/**
 * Builds and signs one logout token (Back-Channel Logout 1.0 §2.4). A fresh `jti`, `iat` and
 * `exp` every call, so each delivery attempt carries its own token. Signed with the key and
 * algorithm of the client's ID tokens (§2.4), typed `logout+jwt` (§2.4, and so it can never pass
 * as an ID token, §4.1); it never carries a `nonce` (§2.4). Both `sub` and `sid` are sent, which
 * satisfies clients with and without `backchannel_logout_session_required`.
 */
export const signLogoutToken = (keys: KeyRing, input: LogoutTokenInput): Promise<string> =>
  signJwt(
    keys,
    input.client.id_token_signed_response_alg,
    {
      iss: input.issuer,
      aud: input.client.client_id,
      iat: input.nowSeconds,
      exp: input.nowSeconds + LOGOUT_TOKEN_TTL_SECONDS,
      jti: randomUUID(),
      sub: input.sub,
      sid: input.sid,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    },
    'logout+jwt',
  );
