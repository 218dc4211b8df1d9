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
  /**
   * The private JWK sealed under the key-encryption key (tokens/key-encryption.ts). Stores
   * written before issue 10 hold it in plain; it is sealed when the provider next opens them.
   */
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: number;
  /**
   * When it starts signing; undefined means at createdAt. A rotation publishes the next key one
   * JWKS cache lifetime before this, so relying parties hold it before the first token it signs.
   */
  activatesAt?: number | undefined;
  /** When it stops (or stopped) signing; undefined while nothing has replaced it. */
  retiredAt?: number | undefined;
  /** Published and trusted for verification until then: after its last token has expired. */
  publishUntil?: number | undefined;
  /** Revoked (leaked): from then on neither published, nor trusted, nor used. */
  revokedAt?: number | undefined;
}

export interface KeyStore {
  listKeys(): Promise<SigningKey[]>;
  keyByKid(kid: string): Promise<SigningKey | undefined>;
  insertKey(key: SigningKey): Promise<void>;
  /** Stops the keys of `alg` that nothing has replaced yet from signing at `retiredAt`. */
  retireKeys(alg: SigningKey['alg'], retiredAt: number, publishUntil: number): Promise<number>;
  /** Replaces the stored private key (sealing a key stored in plain). */
  updateKeyPrivateJwk(kid: string, privateJwk: Record<string, unknown>): Promise<boolean>;
  /** Marks a key revoked (and retired, if it was not); false when there is no such key or it already was. */
  revokeKey(kid: string, at: number): Promise<boolean>;
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
  endReason?: EndReason | undefined;
  /** Who ended it: `user`, `client:<id>`, `admin:<name>`, `system`. */
  endedBy?: string | undefined;
}

/** Why a session ended; every ending goes through sessions/end.ts. */
export const END_REASONS = ['logout', 'admin', 'expired_idle', 'expired_absolute', 'password_changed', 'account_disabled', 'limit'] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Which sessions to end: one, every one of a browser or of an account, those whose idle or
 * absolute expiry — whichever came first — has passed by the given time, or the oldest ones past
 * an account's session limit.
 */
export type SessionSelector =
  | { sessionId: string }
  | { browserId: string }
  | { accountId: string }
  | { idleExpiredBy: number }
  | { absoluteExpiredBy: number }
  /** The account's live sessions beyond its `keep` newest (the concurrent-session limit). */
  | { overLimitOf: string; keep: number; liveAt: number };

export interface SessionEnding {
  reason: EndReason;
  actor: string;
  at: number;
}

/** A session the ending path ended, with the clients that were signed in through it. */
export interface EndedSession {
  id: string;
  browserId: string;
  accountId: string;
  participants: Participant[];
}

/** A client signed in through a session, with the `sid` that client sees (OIDC FCL/BCL §1). */
export interface Participant {
  sessionId: string;
  clientId: string;
  sid: string;
  firstAuthAt: number;
  lastAuthAt: number;
  /** Last authorization or refresh by this client in this session (per-client idle limit). */
  lastSeenAt: number;
}

export type SessionPatch = Partial<Omit<Session, 'id' | 'browserId' | 'accountId' | 'createdAt' | 'endedAt' | 'endReason' | 'endedBy'>>;

export interface SessionFilter {
  accountId?: string | undefined;
  browserId?: string | undefined;
  /** Include ended sessions (newest first); otherwise only open ones. */
  includeEnded?: boolean | undefined;
  limit: number;
}

export interface SessionStore {
  insertBrowser(browser: Browser): Promise<void>;
  browserById(id: string): Promise<Browser | undefined>;
  updateBrowserSecret(id: string, secretHash: string): Promise<void>;
  insertSession(session: Session): Promise<void>;
  sessionById(id: string): Promise<Session | undefined>;
  /** Sessions of the browser that have not been ended, newest authentication first. */
  openSessionsOfBrowser(browserId: string): Promise<Session[]>;
  /** Activity and re-authentication only: ending goes through endSessions. */
  updateSession(id: string, patch: SessionPatch): Promise<void>;
  /** Inserts the participant unless one exists for (session, client); returns the stored one. */
  upsertParticipant(p: Participant): Promise<Participant>;
  participantBySid(sid: string): Promise<Participant | undefined>;
  participantsOf(sessionId: string): Promise<Participant[]>;
  touchParticipant(sessionId: string, clientId: string, at: number): Promise<void>;
  listSessions(filter: SessionFilter): Promise<Session[]>;
  /** How many sessions are live at `now` (not ended, neither expiry passed): a metrics gauge. */
  countLiveSessions(now: number): Promise<number>;
  /**
   * The one ending path's transaction (DESIGN.md "One way to end a session"): marks the selected
   * open sessions ended, revokes their token families except offline_access ones, writes one
   * outbox row per participant whose client has a backchannel_logout_uri and one `session.ended`
   * event per session — all or nothing. Sessions already ended are left alone, so concurrent
   * callers (several instances' sweepers) end each session once.
   */
  endSessions(selector: SessionSelector, ending: SessionEnding): Promise<EndedSession[]>;
}

export const EVENT_TYPES = ['session.created', 'session.reauthenticated', 'session.ended'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An audit event. */
export interface AuditEvent {
  id: number;
  at: number;
  type: EventType;
  sessionId?: string | undefined;
  accountId?: string | undefined;
  clientId?: string | undefined;
  reason?: string | undefined;
  actor?: string | undefined;
}

export interface EventStore {
  appendEvent(event: Omit<AuditEvent, 'id'>): Promise<void>;
  /** Events after `afterId` (oldest first), or the latest `limit` when afterId is not given. */
  listEvents(query: { afterId?: number | undefined; sessionId?: string | undefined; limit: number }): Promise<AuditEvent[]>;
}

/** One back-channel logout notification owed to a client (Back-Channel Logout 1.0 §2.5). */
export interface LogoutDelivery {
  id: string;
  clientId: string;
  sessionId: string;
  accountId: string;
  sid: string;
  reason: EndReason;
  createdAt: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError?: string | undefined;
  finishedAt?: number | undefined;
  /** The worker that holds the current attempt, until `leaseUntil` (DESIGN.md "Back-channel delivery"). */
  leaseOwner?: string | undefined;
  leaseUntil?: number | undefined;
  /** When an operator last asked for a retry: the give-up time counts from here, not from createdAt. */
  retriedAt?: number | undefined;
}

export type DeliveryStatus = LogoutDelivery['status'];

/** What a delivery worker asks for: due rows, leased to `owner` until now + leaseSeconds. */
export interface DeliveryClaim {
  owner: string;
  now: number;
  leaseSeconds: number;
  limit: number;
  /** Clients whose rows are not claimed now (they have as many attempts in flight as they may). */
  skipClients?: readonly string[] | undefined;
}

export interface DeliveryStore {
  listDeliveries(query: { status?: DeliveryStatus | undefined; sessionId?: string | undefined; limit: number }): Promise<LogoutDelivery[]>;
  /**
   * Leases up to `limit` pending rows that are due and not leased (or whose lease expired) and
   * counts the attempt, in one atomic statement: several workers on one store never hold the
   * same row at once. Times may be fractional seconds.
   */
  claimDeliveries(claim: DeliveryClaim): Promise<LogoutDelivery[]>;
  /** The outcome of a leased attempt; false (and no change) when `owner` no longer holds the lease. */
  markDelivered(id: string, owner: string, at: number): Promise<boolean>;
  rescheduleDelivery(id: string, owner: string, nextAttemptAt: number, error: string): Promise<boolean>;
  markDeliveryFailed(id: string, owner: string, at: number, error: string): Promise<boolean>;
  /**
   * Hands back every pending row `owner` holds (a shutdown cut its attempts off), in one
   * statement: lease cleared, due at `now` at the latest, the cut-off attempt not counted.
   * Returns how many rows were released.
   */
  releaseDeliveries(owner: string, now: number): Promise<number>;
  /**
   * Makes every pending row of `clientId` that waits for a later retry due at `now`, in one
   * statement (its application answered again: the backoff no longer has a reason). Returns how
   * many rows were brought forward.
   */
  bringDeliveriesForward(clientId: string, now: number): Promise<number>;
  /** An operator's retry: a failed or pending row becomes due now, its attempt count and give-up window restart. */
  retryDelivery(id: string, now: number): Promise<boolean>;
  /**
   * An operator's retry of several rows, all or none, in one statement: when one of `ids` is not
   * a pending or failed row nothing changes and `unknown` names those ids.
   */
  retryDeliveries(ids: readonly string[], now: number): Promise<{ retried: number; unknown: string[] }>;
  /** An operator's retry of every pending or failed row of one client, in one statement; returns how many. */
  retryClientDeliveries(clientId: string, now: number): Promise<number>;
  countDeliveries(): Promise<Record<DeliveryStatus, number>>;
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
  /**
   * What the user is asked before that: to sign in, or to choose among the signed-in accounts;
   * `logout` marks an end-session request awaiting the user's confirmation.
   */
  step: 'login' | 'choose' | 'logout';
}

export interface InteractionStore {
  insertInteraction(i: Interaction): Promise<void>;
  interactionById(id: string): Promise<Interaction | undefined>;
  updateInteraction(id: string, patch: Partial<Pick<Interaction, 'sessionId' | 'step' | 'request'>>): Promise<void>;
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
 * single methods (redeemCode, markRefreshTokenUsed, endSessions), never a transaction held across awaits.
 */
/**
 * Which store was opened, for the operator: a mistyped SQLite path would otherwise silently start
 * an empty store (issue 10 §8), so `signoff start` names it and warns when it was just created.
 */
export interface StoreOrigin {
  kind: 'sqlite';
  /** The absolute file path (or `:memory:`). */
  location: string;
  /** True when opening created it: no data of an earlier run is in it. */
  created: boolean;
}

export interface Store
  extends AccountStore,
    ClientStore,
    KeyStore,
    SessionStore,
    InteractionStore,
    GrantStore,
    TokenStore,
    EventStore,
    DeliveryStore {
  readonly origin: StoreOrigin;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
