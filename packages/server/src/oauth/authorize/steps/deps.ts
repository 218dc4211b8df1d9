import type { FactorAttempts } from '../../../accounts/factors/attempts.js';
import type { Account, AccountStore } from '../../../accounts/store.js';
import type { ClientStore } from '../../../clients/store.js';
import type { Clock } from '../../../clock.js';
import type { BrowserCookie } from '../../../sessions/browser-cookie.js';
import type { EndingDeps } from '../../../sessions/end.js';
import type { SessionPolicy } from '../../../sessions/policy.js';
import type { Session, SessionStore } from '../../../sessions/store.js';
import type { TokenStore } from '../../../tokens/token-store.js';
import type { GrantStore } from '../../grants.js';
import type { AcrValue } from '../acr.js';
import type { InteractionStore } from '../interaction-store.js';
import type { AuthorizationInteraction } from '../interaction.js';
import type { KeyEncryptionKey } from '../../../tokens/key-encryption.js';
import type { Upstreams } from '../../../upstreams/registry.js';
import type { UpstreamStore } from '../../../upstreams/store.js';
import type { EventStore } from '../../../sessions/events.js';

/** Which second factors an account can use now (accounts/factors, issue 14 §2). */
export interface Enrolled {
  totp: boolean;
  passkey: boolean;
  /** Unused recovery codes are left. */
  recoveryCodes: boolean;
}

/** A passkey assertion the account's authenticator made, as verified (WebAuthn §7.2). */
export interface PasskeyAssertion {
  accountId: string;
  userVerified: boolean;
  deviceBound: boolean;
}

/** A WebAuthn ceremony's options for the page, and the id of its stored single-use challenge. */
export interface PasskeyChallenge {
  challengeId: string;
  options: unknown;
}

/** What the steps need of the account's factors: checks only, never a secret. */
export interface FactorChecks {
  enrolled(accountId: string): Promise<Enrolled>;
  verifyTotp(accountId: string, code: string): Promise<boolean>;
  useRecoveryCode(accountId: string, code: string): Promise<boolean>;
  /**
   * Options for a passkey assertion; without an account, for a discoverable credential
   * (passwordless). Undefined where passkeys cannot work: an issuer whose host is an IP address
   * has no RP ID (WebAuthn §5.1.4.1 requires a domain), or the account has none. `ceremonyId`
   * (at most 64 characters) names the one challenge of this page: showing it again replaces it.
   */
  passkeyChallenge(accountId: string | undefined, ceremonyId: string): Promise<PasskeyChallenge | undefined>;
  verifyPasskey(challengeId: string, response: unknown, expectedAccountId: string | undefined): Promise<PasskeyAssertion | undefined>;
}

/** The password check, with its throttling and audit (accounts/). */
export type PasswordCheck = (attempt: { username: string; password: string; ip: string }) => Promise<Account | undefined>;

/** The small slice of a running provider the sign-in steps use (ory/fosite: each handler declares what it needs). */
export interface StepDeps {
  store: AccountStore & ClientStore & SessionStore & GrantStore & InteractionStore & TokenStore & UpstreamStore & Pick<EventStore, 'appendEvent'>;
  /** The issuer: Signoff's URIs at an upstream derive from it (upstreams/paths.ts). */
  issuer: string;
  /** The upstream providers users may sign in through (issue 15). */
  upstreams: Upstreams;
  /** Seals the upstream ID token kept for a federated logout. */
  kek: KeyEncryptionKey;
  clock: Clock;
  session: SessionPolicy;
  codeTtl: number;
  acrValues: readonly AcrValue[];
  factors: FactorChecks;
  checkPassword: PasswordCheck;
  /** Wrong second factors counted per account across sign-ins (accounts/factors/attempts.ts). */
  factorAttempts: FactorAttempts;
  /** Counts a refused sign-in the password check did not see (metrics). */
  signInFailed: (reason: 'missing_credentials' | 'invalid_factor') => void;
  ending: Pick<EndingDeps, 'wake' | 'ended'>;
  signedIn: () => void;
}

/** Where the request came from: recorded on the session. */
export interface Seen {
  ip: string;
  userAgent: string;
  /** The browser the request came from, when its cookie was valid. */
  browserId?: string | undefined;
}

/** The authorization response for the client: a code, or an error (OIDC Core §3.1.2.5-6). */
export type AuthorizationAnswer = { code: string } | { error: string; error_description: string };

/** A sign-in the route must set the browser cookie for. */
export interface SignedInBrowser {
  cookie: BrowserCookie;
  rememberMe: boolean;
  session: Session;
  /** A new session, not an open one signed in again or stepped up (the new-device notice, issue 17 §4). */
  created?: boolean | undefined;
}

/** Why a step's form is shown again: a catalogue key of the page's message. */
export type Refusal = 'login.error.invalid' | 'login.error.other_account' | 'factor.error.invalid' | 'login.error.upstream';

/**
 * What a step did, for the route to render: the interaction moved on (show its new step), the
 * form is shown again with why, or the request is answered (back to the client).
 */
export type StepOutcome =
  | { kind: 'next'; interaction: AuthorizationInteraction; signedIn?: SignedInBrowser | undefined }
  | { kind: 'refused'; refusal: Refusal; status: number }
  | { kind: 'answer'; answer: AuthorizationAnswer; signedIn?: SignedInBrowser | undefined }
  /** The browser goes to an upstream provider to sign in there (issue 15 §1). */
  | { kind: 'redirect'; url: string };
