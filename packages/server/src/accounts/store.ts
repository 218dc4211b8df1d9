/** Accounts and their storage port. Times are seconds since the epoch; passwords only as hashes (accounts/passwords.ts). */
import type { EndReason, EndedSession, SessionEnding } from '../sessions/store.js';

export interface Account {
  id: string;
  username: string;
  passwordHash: string;
  claims: Record<string, unknown>;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  /** A deleted account is a tombstone: no username, password or claims, kept so that what names it stays whole. */
  deletedAt?: number | undefined;
}

export type AccountPatch = Partial<Pick<Account, 'username' | 'passwordHash' | 'claims' | 'disabled' | 'updatedAt' | 'deletedAt'>>;

/** The account changes that end the account's sessions, and may revoke its offline tokens (session.revokeOfflineTokensOn). */
export const ACCOUNT_CHANGE_REASONS = ['password_changed', 'account_disabled'] as const satisfies readonly EndReason[];
export type AccountChangeReason = (typeof ACCOUNT_CHANGE_REASONS)[number];

/** An account change's ending: every session of the account, through the one ending path's transaction. */
export interface AccountChangeEnding extends SessionEnding {
  reason: AccountChangeReason | 'account_deleted';
}

export interface AccountStore {
  insertAccount(account: Account): Promise<void>;
  accountById(id: string): Promise<Account | undefined>;
  accountByUsername(username: string): Promise<Account | undefined>;
  /** Every account but the deleted ones, by username. */
  listAccounts(): Promise<Account[]>;
  /** Up to `limit` accounts but the deleted ones, by username (byte order), after the username `after`. */
  pageAccounts(query: { after?: string | undefined; limit: number }): Promise<Account[]>;
  updateAccount(id: string, patch: AccountPatch): Promise<boolean>;
  /**
   * Replaces the password hash only while it is still `expected` (a sign-in's rehash under a new
   * argon2id cost): false when the password changed meanwhile, so a rehash of the old password never
   * overwrites a new one. The same password: no credential change, no event, no ending.
   */
  rehashPassword(id: string, expected: string, next: string): Promise<boolean>;
  /**
   * Applies the patch and, with an ending, ends every open session of the account through the
   * ending path (SessionStore.endSessions with `{ accountId: id }`, offline families too when
   * `ending.revokeOfflineTokens`) — in one transaction (issue 12 §1). An unknown account changes
   * and ends nothing: `found` is false. A patch that deletes the account (`deletedAt`) removes its
   * second factors, recovery codes and WebAuthn challenges in the same transaction.
   */
  changeAccount(id: string, patch: AccountPatch, ending?: AccountChangeEnding): Promise<{ found: boolean; ended: EndedSession[] }>;
}
