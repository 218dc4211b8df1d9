/**
 * Authorization codes, token families and refresh tokens, and their storage port. Codes and
 * refresh tokens are only ever stored as SHA-256 hashes.
 */

/**
 * A token family: everything issued from one authorization code, through every refresh. Revoking
 * it revokes the code's refresh tokens and makes its access tokens inactive (RFC 6749 §4.1.2,
 * §10.4; RFC 7009 §2.1).
 */
export interface TokenFamily {
  id: string;
  clientId: string;
  accountId: string;
  /** The SSO session it was issued in. */
  sessionId: string;
  /** offline_access was granted: its refresh tokens outlive the session (OIDC Core §11). */
  offline: boolean;
  sid: string;
  scope: string[];
  authTime: number;
  acr: string;
  amr: string[];
  createdAt: number;
  revokedAt?: number | undefined;
}

export interface AuthorizationCode {
  hash: string;
  clientId: string;
  accountId: string;
  sessionId: string;
  sid: string;
  redirectUri: string;
  scope: string[];
  nonce?: string | undefined;
  codeChallenge?: string | undefined;
  authTime: number;
  acr: string;
  amr: string[];
  expiresAt: number;
  /** The family created when the code was exchanged; revoked if the code is replayed. */
  familyId?: string | undefined;
  usedAt?: number | undefined;
}

export interface RefreshToken {
  hash: string;
  familyId: string;
  clientId: string;
  scope: string[];
  createdAt: number;
  expiresAt: number;
  usedAt?: number | undefined;
}

export interface TokenStore {
  insertCode(code: AuthorizationCode): Promise<void>;
  /**
   * Atomically redeems a code: when unused, marks it used and creates its token family (id
   * `familyId`) and, when `refresh` is given, the family's first refresh token (the code's client
   * and scope, created `now`); when already used, revokes the family it created (RFC 6749 §4.1.2:
   * a replayed code revokes what it issued) and reports the replay; undefined when unknown.
   */
  redeemCode(
    hash: string,
    now: number,
    familyId: string,
    refresh?: { hash: string; expiresAt: number },
  ): Promise<{ code: AuthorizationCode; replayed: boolean } | undefined>;
  deleteExpiredCodes(now: number): Promise<number>;
  familyById(id: string): Promise<TokenFamily | undefined>;
  revokeFamily(id: string, now: number): Promise<void>;
  insertRefreshToken(token: RefreshToken): Promise<void>;
  refreshTokenByHash(hash: string): Promise<RefreshToken | undefined>;
  /** A refresh token and its family (undefined when the family is gone), read together. */
  refreshTokenWithFamily(hash: string): Promise<{ token: RefreshToken; family: TokenFamily | undefined } | undefined>;
  /** Marks the token used only if it was unused; false means it had been used (a replay). */
  markRefreshTokenUsed(hash: string, now: number): Promise<boolean>;
  /**
   * Rotation (RFC 9700 §4.14.2): marks the token used only if it was unused and, in the same
   * transaction, stores its successor; false means it had been used (a replay) and nothing is stored.
   */
  rotateRefreshToken(hash: string, now: number, next: RefreshToken): Promise<boolean>;
  /** Denylist for individually revoked access tokens (RFC 7009 §2.1), kept until they expire. */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;
}
