import { randomUUID } from 'node:crypto';
import type { Client } from '../../clients/store.js';
import { nowSeconds } from '../../clock.js';
import { SignoffError, fail } from '../../errors.js';
import { isLive } from '../../sessions/browser.js';
import { type TokenResponse, issueTokens, newRefreshToken } from '../../tokens/issue.js';
import type { TokenFamily } from '../../tokens/token-store.js';
import { constantTimeEqual, sha256 } from '../../util/secrets.js';
import { type Params, required, one } from '../params.js';
import type { GrantDeps } from './deps.js';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * The authorization_code grant (RFC 6749 §4.1.3, OIDC Core §3.1.3.2, RFC 7636 §4.6). A code is
 * redeemed once; a second attempt revokes every token issued from it (RFC 6749 §4.1.2).
 */
export const authorizationCodeGrant = async (deps: GrantDeps, client: Client, params: Params): Promise<TokenResponse> => {
  const code = required(params, 'code');
  const redirectUri = one(params, 'redirect_uri');
  const verifier = one(params, 'code_verifier');
  const now = nowSeconds(deps.clock);
  const familyId = randomUUID();
  const refresh = newRefreshToken(deps, client, now);
  const redeemed = await deps.tokens.redeemCode(sha256(code), now, familyId, refresh);
  if (!redeemed) fail('invalid_grant', 'The authorization code is invalid.');
  const { code: record, replayed } = redeemed;
  if (replayed) fail('invalid_grant', 'The authorization code was already used; the tokens issued from it are revoked.');
  try {
    if (record.clientId !== client.client_id) fail('invalid_grant', 'The authorization code was issued to another client.');
    if (record.expiresAt <= now) fail('invalid_grant', 'The authorization code has expired.');
    if (redirectUri !== record.redirectUri) fail('invalid_grant', 'redirect_uri does not match the authorization request.');
    if (record.codeChallenge !== undefined) {
      if (!verifier || !VERIFIER.test(verifier)) fail('invalid_grant', 'A valid code_verifier is required.');
      if (!constantTimeEqual(sha256(verifier), record.codeChallenge)) fail('invalid_grant', 'PKCE verification failed.');
    } else if (verifier !== undefined) {
      // RFC 9700 §2.1.1: a verifier without a challenge is a downgrade attempt.
      fail('invalid_grant', 'code_verifier given but the authorization request had no code_challenge.');
    }
    const [session, account] = await Promise.all([deps.sessions.sessionById(record.sessionId), deps.accounts.accountById(record.accountId)]);
    if (!session || !isLive(session, now)) fail('invalid_grant', 'The session this code was issued in has ended.');
    if (!account || account.disabled) fail('invalid_grant', 'The account is not available.');
    const family: TokenFamily = {
      id: familyId,
      clientId: record.clientId,
      accountId: record.accountId,
      sessionId: record.sessionId,
      offline: record.scope.includes('offline_access'),
      sid: record.sid,
      scope: record.scope,
      authTime: record.authTime,
      acr: record.acr,
      amr: record.amr,
      createdAt: now,
    };
    // The refresh token stored with the family dies with it if anything below refuses the grant.
    return await issueTokens(deps, { client, account, family, scope: record.scope, nonce: record.nonce, refreshToken: refresh?.value });
  } catch (err) {
    if (err instanceof SignoffError) await deps.tokens.revokeFamily(familyId, now);
    throw err;
  }
};
