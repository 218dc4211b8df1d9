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
}

export type AccountPatch = Partial<Pick<Account, 'passwordHash' | 'claims' | 'disabled' | 'updatedAt'>>;

/** The account changes that end the account's sessions, and may revoke its offline tokens (session.revokeOfflineTokensOn). */
export const ACCOUNT_CHANGE_REASONS = ['password_changed', 'account_disabled'] as const satisfies readonly EndReason[];
export type AccountChangeReason = (typeof ACCOUNT_CHANGE_REASONS)[number];

/** An account change's ending: every session of the account, through the one ending path's transaction. */
export interface AccountChangeEnding extends SessionEnding {
  reason: AccountChangeReason;
}

export interface AccountStore {
  insertAccount(account: Account): Promise<void>;
  accountById(id: string): Promise<Account | undefined>;
  accountByUsername(username: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  updateAccount(id: string, patch: AccountPatch): Promise<boolean>;
  /**
   * Applies the patch and, with an ending, ends every open session of the account through the
   * ending path (SessionStore.endSessions with `{ accountId: id }`, offline families too when
   * `ending.revokeOfflineTokens`) — in one transaction (issue 12 §1). An unknown account changes
   * and ends nothing: `found` is false.
   */
  changeAccount(id: string, patch: AccountPatch, ending?: AccountChangeEnding): Promise<{ found: boolean; ended: EndedSession[] }>;
}
