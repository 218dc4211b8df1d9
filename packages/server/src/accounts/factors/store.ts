/**
 * An account's second factors (issue 14 §2), its recovery codes and the WebAuthn challenges in
 * flight, and their storage port. Times are seconds since the epoch. Nothing here is kept in a
 * form that signs in by itself: a passkey is a public key, a TOTP secret is sealed under the
 * key-encryption key (tokens/key-encryption.ts), a recovery code is a SHA-256 hash.
 */
import type { SealedJwk } from '../../tokens/key-encryption.js';

export const FACTOR_KINDS = ['passkey', 'totp'] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];

interface FactorRecord {
  id: string;
  accountId: string;
  /** The account holder's name for it ("Work laptop"), shown on the account page. */
  label: string;
  createdAt: number;
  /** Unset while a TOTP enrolment waits for its first code; a passkey is confirmed when it is registered. */
  confirmedAt?: number | undefined;
  lastUsedAt?: number | undefined;
}

/** A WebAuthn credential (WebAuthn Level 3 §6.1 "credential record"). */
export interface PasskeyFactor extends FactorRecord {
  kind: 'passkey';
  /** base64url of the credential ID; unique across accounts. */
  credentialId: string;
  /** base64url of the COSE public key. */
  publicKey: string;
  /** The authenticator's signature counter (WebAuthn §6.1.1), 0 when it keeps none. */
  counter: number;
  transports: string[];
  /** Whether the credential may be synced to other devices (the BE flag, WebAuthn §6.1). */
  deviceType: 'singleDevice' | 'multiDevice';
  /** Whether it is backed up now (the BS flag). */
  backedUp: boolean;
}

/** An RFC 6238 authenticator app. */
export interface TotpFactor extends FactorRecord {
  kind: 'totp';
  /** The shared secret (the raw bytes as base32) sealed under the KEK, with the factor's id as AAD. */
  secret: SealedJwk;
  /** The last time step a code was accepted for: RFC 6238 §5.2 accepts a step's code once. */
  lastUsedStep?: number | undefined;
}

export type Factor = PasskeyFactor | TotpFactor;

export const CHALLENGE_PURPOSES = ['register', 'authenticate'] as const;
export type ChallengePurpose = (typeof CHALLENGE_PURPOSES)[number];

/** A WebAuthn challenge handed to the browser and expected back once (WebAuthn §13.4.3). */
export interface WebAuthnChallenge {
  id: string;
  /** base64url, as the options carry it. */
  challenge: string;
  /** The account it was issued to; none for a discoverable (passwordless) sign-in. */
  accountId?: string | undefined;
  purpose: ChallengePurpose;
  expiresAt: number;
}

export interface FactorStore {
  insertFactor(factor: Factor): Promise<void>;
  /** Every factor of the account, confirmed or not, oldest first. */
  factorsOf(accountId: string): Promise<Factor[]>;
  factorOf(accountId: string, id: string): Promise<Factor | undefined>;
  factorByCredentialId(credentialId: string): Promise<PasskeyFactor | undefined>;
  /** Marks an unconfirmed factor confirmed; false when it is unknown or was confirmed already. */
  confirmFactor(accountId: string, id: string, at: number): Promise<boolean>;
  /**
   * Records a TOTP code's time step as used, only when it is later than the last one used: one
   * conditional statement, so a code is accepted once across instances (RFC 6238 §5.2).
   */
  useTotpStep(id: string, step: number, at: number): Promise<boolean>;
  /**
   * Records a passkey's use and its new signature counter, only when the counter went forward (or
   * both it and the stored one are 0, an authenticator without a counter): WebAuthn §7.2 step 22.
   */
  usePasskey(id: string, counter: number, at: number): Promise<boolean>;
  /** Removes a factor; a confirmed one is a credential deleted at `at` (issue 16: CAEP credential-change). */
  deleteFactor(accountId: string, id: string, at: number): Promise<boolean>;
  /** Removes TOTP enrolments never confirmed, started before `before`. */
  deleteUnconfirmedFactors(before: number): Promise<number>;
  /** The account's recovery codes become exactly these hashes (none: the codes are revoked). */
  replaceRecoveryCodes(accountId: string, hashes: readonly string[], at: number): Promise<void>;
  /** Marks an unused code used; false when it is unknown or used already. */
  useRecoveryCode(accountId: string, hash: string, at: number): Promise<boolean>;
  recoveryCodesLeft(accountId: string): Promise<number>;
  /** Stores a challenge; one with the same id is replaced (a ceremony started again on the same page keeps one row). */
  insertChallenge(challenge: WebAuthnChallenge): Promise<void>;
  /** Removes and returns the challenge, unless it has expired by `now`: a challenge is taken once. */
  takeChallenge(id: string, now: number): Promise<WebAuthnChallenge | undefined>;
  deleteExpiredChallenges(now: number): Promise<number>;
}
