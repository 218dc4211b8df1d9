/**
 * The account use cases (issue 12 §1): each takes values and returns values, and does its writes
 * in one store transaction — a password change or a disabled account ends the account's sessions
 * in the transaction that changes it (DESIGN.md "One way to end a session"). The CLI and, later,
 * the admin API are thin adapters over these.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { type EndingDeps, afterEnding } from '../sessions/end.js';
import { hashPassword } from './passwords.js';
import type { Account, AccountChangeReason, AccountPatch, AccountStore } from './store.js';

export class AccountError extends Error {
  override name = 'AccountError';
}

export const USERNAME_PATTERN = /^[^\s]{1,128}$/;

export interface LifecycleDeps extends Pick<EndingDeps, 'wake' | 'ended'> {
  accounts: Pick<AccountStore, 'accountByUsername' | 'insertAccount' | 'changeAccount'>;
  clock: Clock;
  /** session.revokeOfflineTokensOn: the changes that also revoke the account's offline_access refresh tokens. */
  revokeOfflineTokensOn: readonly AccountChangeReason[];
}

/** What a change did; undefined from a use case means the account does not exist. */
export interface AccountChange {
  endedSessions: number;
}

export const createAccount = async (
  deps: Pick<LifecycleDeps, 'accounts' | 'clock'>,
  input: { username: string; password: string; claims?: Record<string, unknown> },
): Promise<{ account: Account }> => {
  if (!USERNAME_PATTERN.test(input.username)) throw new AccountError('a username is 1-128 characters without spaces');
  if (input.password.length === 0) throw new AccountError('the password must not be empty');
  if (await deps.accounts.accountByUsername(input.username)) throw new AccountError(`user "${input.username}" already exists`);
  const now = nowSeconds(deps.clock);
  const account: Account = {
    id: randomUUID(),
    username: input.username,
    passwordHash: await hashPassword(input.password),
    claims: input.claims ?? {},
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  await deps.accounts.insertAccount(account);
  return { account };
};

const change = async (
  deps: LifecycleDeps,
  accountId: string,
  patch: AccountPatch,
  ending?: { reason: AccountChangeReason; actor: string },
): Promise<AccountChange | undefined> => {
  const at = nowSeconds(deps.clock);
  const e = ending && { ...ending, at, revokeOfflineTokens: deps.revokeOfflineTokensOn.includes(ending.reason) };
  const { found, ended } = await deps.accounts.changeAccount(accountId, { ...patch, updatedAt: at }, e);
  if (!found) return undefined;
  if (e) afterEnding(deps, e.reason, ended);
  return { endedSessions: ended.length };
};

/** Whoever knew the old password may hold a session: every session of the account ends. */
export const changePassword = async (
  deps: LifecycleDeps,
  input: { accountId: string; password: string; actor: string },
): Promise<AccountChange | undefined> => {
  if (input.password.length === 0) throw new AccountError('the password must not be empty');
  return change(deps, input.accountId, { passwordHash: await hashPassword(input.password) }, { reason: 'password_changed', actor: input.actor });
};

export const setClaims = (deps: LifecycleDeps, input: { accountId: string; claims: Record<string, unknown> }): Promise<AccountChange | undefined> =>
  change(deps, input.accountId, { claims: input.claims });

export const disableAccount = (deps: LifecycleDeps, input: { accountId: string; actor: string }): Promise<AccountChange | undefined> =>
  change(deps, input.accountId, { disabled: true }, { reason: 'account_disabled', actor: input.actor });

export const enableAccount = (deps: LifecycleDeps, input: { accountId: string }): Promise<AccountChange | undefined> =>
  change(deps, input.accountId, { disabled: false });
