import type { Account } from '../accounts/store.js';
import type { SealedJwk } from '../tokens/key-encryption.js';
import type { LinkingClaim } from './config.js';

/**
 * The records of federation and their storage port (issue 15 §1): which local account an upstream
 * identity is, and which upstream session an SSO session came from. Times are seconds since the epoch.
 */

/** An upstream identity — (issuer, sub), OIDC Core §2: unique only together — linked to a local account. */
export interface AccountLink {
  issuer: string;
  subject: string;
  /** The configured upstream it was first seen through (the issuer is what identifies it). */
  upstreamId: string;
  accountId: string;
  createdAt: number;
}

/** The upstream session an SSO session was signed in through. */
export interface UpstreamSession {
  sessionId: string;
  upstreamId: string;
  issuer: string;
  subject: string;
  /** The upstream's `sid` (Front-/Back-Channel Logout §2.1), when its ID token had one. */
  sid?: string | undefined;
  /** The upstream ID token, sealed under the key-encryption key: the id_token_hint of a federated logout, never shown. */
  idToken: SealedJwk;
  at: number;
}

export interface UpstreamStore {
  /** The local account an upstream identity is linked to. */
  linkedAccountId(issuer: string, subject: string): Promise<string | undefined>;
  /**
   * Links an upstream identity to an account — inserting `create` first when given (a
   * just-in-time account) — in one transaction. When the identity was linked meanwhile (two first
   * sign-ins at once) nothing is written and the account it is linked to is returned.
   */
  linkAccount(link: AccountLink, create?: Account): Promise<string>;
  /** Up to two accounts (not deleted) whose claim equals `value`, compared case-insensitively: one may be linked, two are ambiguous. */
  accountsWithClaim(claim: LinkingClaim, value: string): Promise<string[]>;
  /** The upstream session of an SSO session, if it was signed in through one. */
  upstreamSessionOf(sessionId: string): Promise<UpstreamSession | undefined>;
  /**
   * Forgets the upstream sessions of SSO sessions that ended before `endedBefore`, and with them
   * their sealed ID tokens: a federated logout reads one right after the ending (and keeps its own
   * copy in its interaction), nothing later does. Returns how many went.
   */
  forgetEndedUpstreamSessions(endedBefore: number): Promise<number>;
  /**
   * Remembers a logout token's `jti` until `expiresAt` (Back-Channel Logout §2.6 step 8: a replay
   * is refused); false when it was seen already. Forgets the expired ones.
   */
  rememberLogoutToken(upstreamId: string, jti: string, expiresAt: number, now: number): Promise<boolean>;
}
