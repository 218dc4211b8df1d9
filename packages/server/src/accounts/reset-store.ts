/**
 * Password-reset tokens and their storage port (issue 17 §4; OWASP Forgot Password Cheat Sheet):
 * only the SHA-256 of a token is stored, a token is taken once, and taking one drops every other
 * token of its account. Times are seconds since the epoch.
 */
export interface ResetToken {
  /** SHA-256 (base64url) of the random token sent by email. */
  hash: string;
  accountId: string;
  createdAt: number;
  expiresAt: number;
}

export interface ResetTokenStore {
  /**
   * Stores the token unless its account already has `limit.max` tokens created at or after
   * `limit.since` (the per-account throttle, checked and written in one step); drops tokens that
   * expired before `limit.since`. False when refused.
   */
  insertResetToken(token: ResetToken, limit: { since: number; max: number }): Promise<boolean>;
  /**
   * Takes a token once: when one with this hash has not expired at `at`, deletes it and every
   * other token of its account in one step and returns its account id; otherwise undefined.
   */
  takeResetToken(hash: string, at: number): Promise<string | undefined>;
  /** The account of a token that has not expired at `at`, without taking it (the form is shown, the policy checked, first). */
  peekResetToken(hash: string, at: number): Promise<string | undefined>;
  /** The ids of the live (not deleted) accounts whose `email` claim is exactly this address. */
  accountIdsByEmail(email: string): Promise<string[]>;
  /**
   * Housekeeping: deletes every token that expired before `now`, in one statement; how many. A
   * token expires exactly when it leaves its account's throttle window (both are
   * email.resetTokenTtl from its creation), so the per-account limit is unaffected.
   */
  deleteExpiredResetTokens(now: number): Promise<number>;
}
