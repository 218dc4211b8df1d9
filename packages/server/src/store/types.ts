import type { Client } from '../clients/metadata.js';

/**
 * The Store: one narrow interface per concern. Every implementation passes the same contract
 * suite (test/store-contract.ts). Times are seconds since the epoch. Bearer secrets (codes,
 * refresh tokens, browser cookies, client secrets) are only ever stored as SHA-256 hashes.
 */

export interface Account {
  id: string;
  username: string;
  passwordHash: string;
  claims: Record<string, unknown>;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AccountStore {
  insertAccount(account: Account): Promise<void>;
  accountById(id: string): Promise<Account | undefined>;
  accountByUsername(username: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  updateAccount(id: string, patch: Partial<Pick<Account, 'passwordHash' | 'claims' | 'disabled' | 'updatedAt'>>): Promise<boolean>;
}

export interface ClientStore {
  upsertClient(client: Client): Promise<void>;
  clientById(id: string): Promise<Client | undefined>;
  listClients(): Promise<Client[]>;
  removeClient(id: string): Promise<boolean>;
}

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: number;
  /** When it stopped signing; undefined while it is the current key for its algorithm. */
  retiredAt?: number | undefined;
  /** Kept in the JWKS until then, so tokens it signed can still be verified. */
  publishUntil?: number | undefined;
}

export interface KeyStore {
  listKeys(): Promise<SigningKey[]>;
  insertKey(key: SigningKey): Promise<void>;
  retireKeys(alg: SigningKey['alg'], retiredAt: number, publishUntil: number): Promise<number>;
}

export interface Browser {
  id: string;
  secretHash: string;
  createdAt: number;
}

export interface Session {
  id: string;
  browserId: string;
  accountId: string;
  createdAt: number;
  authTime: number;
  lastSeen: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  amr: string[];
  acr: string;
  rememberMe: boolean;
  createdIp: string;
  createdUserAgent: string;
  lastIp: string;
  lastUserAgent: string;
  endedAt?: number | undefined;
  endReason?: string | undefined;
}

/** A client signed in through a session, with the `sid` that client sees (OIDC FCL/BCL §1). */
export interface Participant {
  sessionId: string;
  clientId: string;
  sid: string;
  firstAuthAt: number;
  lastAuthAt: number;
}

export interface SessionStore {
  insertBrowser(browser: Browser): Promise<void>;
  browserById(id: string): Promise<Browser | undefined>;
  updateBrowserSecret(id: string, secretHash: string): Promise<void>;
  insertSession(session: Session): Promise<void>;
  sessionById(id: string): Promise<Session | undefined>;
  /** Sessions of the browser that have not been ended, newest authentication first. */
  openSessionsOfBrowser(browserId: string): Promise<Session[]>;
  updateSession(id: string, patch: Partial<Omit<Session, 'id' | 'browserId' | 'accountId' | 'createdAt'>>): Promise<void>;
  /** Inserts the participant unless one exists for (session, client); returns the stored one. */
  upsertParticipant(p: Participant): Promise<Participant>;
  participantBySid(sid: string): Promise<Participant | undefined>;
}

/** The anonymous pre-authentication state of one authorization request (consumed once). */
export interface Interaction {
  id: string;
  /** SHA-256 of the secret in the browser's interaction cookie: binds it to that browser. */
  bindingHash: string;
  csrfToken: string;
  request: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  /** Set once the user has signed in, before consent. */
  sessionId?: string | undefined;
}

export interface InteractionStore {
  insertInteraction(i: Interaction): Promise<void>;
  interactionById(id: string): Promise<Interaction | undefined>;
  updateInteraction(id: string, patch: Partial<Pick<Interaction, 'sessionId' | 'csrfToken'>>): Promise<void>;
  /** Deletes and reports whether it existed: consuming is single-use. */
  deleteInteraction(id: string): Promise<boolean>;
  deleteExpiredInteractions(now: number): Promise<number>;
}

export interface Grant {
  accountId: string;
  clientId: string;
  scope: string[];
  createdAt: number;
}

export interface GrantStore {
  grantFor(accountId: string, clientId: string): Promise<Grant | undefined>;
  upsertGrant(grant: Grant): Promise<void>;
}

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
   * `familyId`); when already used, revokes the family it created (RFC 6749 §4.1.2: a replayed
   * code revokes what it issued) and reports the replay; undefined when unknown.
   */
  redeemCode(hash: string, now: number, familyId: string): Promise<{ code: AuthorizationCode; replayed: boolean } | undefined>;
  deleteExpiredCodes(now: number): Promise<number>;
  familyById(id: string): Promise<TokenFamily | undefined>;
  revokeFamily(id: string, now: number): Promise<void>;
  insertRefreshToken(token: RefreshToken): Promise<void>;
  refreshTokenByHash(hash: string): Promise<RefreshToken | undefined>;
  /** Marks the token used only if it was unused; false means it had been used (a replay). */
  markRefreshTokenUsed(hash: string, now: number): Promise<boolean>;
  /** Denylist for individually revoked access tokens (RFC 7009 §2.1), kept until they expire. */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;
}

/**
 * Every method is atomic on its own; operations that must change several records together are
 * single methods (redeemCode, markRefreshTokenUsed), never a transaction held across awaits.
 */
export interface Store
  extends AccountStore,
    ClientStore,
    KeyStore,
    SessionStore,
    InteractionStore,
    GrantStore,
    TokenStore {
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
