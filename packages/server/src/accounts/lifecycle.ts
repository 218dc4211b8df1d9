/**
 * The account use cases (issue 12 §1): each takes values and returns values, and does its writes
 * in one store transaction — a password change or a disabled account ends the account's sessions
 * in the transaction that changes it (DESIGN.md "One way to end a session"). The CLI, the admin
 * API and the password reset are thin adapters over these; a new password is told to
 * `passwordChanged` after it committed, whichever adapter set it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { type AuditDeps, recordChange } from '../sessions/audit-log.js';
import { type EndingDeps, afterEnding } from '../sessions/end.js';
import { activeTraceParent } from '../telemetry/trace.js';
import { cutPage, decodeCursor, isKeyString, pageLimit } from '../util/paging.js';
import { type PasswordPolicy, checkNewPassword } from './password-policy.js';
import { hashPassword } from './passwords.js';
import type { Account, AccountChangeEnding, AccountChangeReason, AccountPatch, AccountStore } from './store.js';

/** A rule of the account use cases broken: bad input, or a username that is taken (`exists`). */
export class AccountError extends Error {
  override name = 'AccountError';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'exists' = 'invalid',
  ) {
    super(message);
  }
}

/** 1-128 characters (code points, as the admin API's schema counts them), none of them a space. */
export const USERNAME_PATTERN = /^[^\s]{1,128}$/u;

export interface LifecycleDeps extends Pick<EndingDeps, 'wake' | 'ended'>, AuditDeps {
  accounts: Pick<AccountStore, 'accountById' | 'accountByUsername' | 'insertAccount' | 'changeAccount' | 'pageAccounts'>;
  clock: Clock;
  /** session.revokeOfflineTokensOn: the changes that also revoke the account's offline_access refresh tokens. */
  revokeOfflineTokensOn: readonly AccountChangeReason[];
  /** The configuration's `passwords`: what a new password must satisfy (NIST SP 800-63B-4 §3.1.1.2). */
  passwords: Readonly<PasswordPolicy>;
  /** Whether the account has a second factor, which lowers the minimum length; without it, none has. */
  hasSecondFactor?: (accountId: string) => Promise<boolean>;
  /**
   * Told once after a change that set a new password committed — never before, never for a
   * refused one — with the account as it is after the change (issue 17 §4: the password-changed
   * notice, email/notice-sender.ts). It must return at once and not throw: the change is done.
   */
  passwordChanged?: ((account: Account) => void) | undefined;
}

/** Refuses a password the policy does not allow, saying why (§3.1.1.2: the reason is given). */
const requireAllowed = (policy: Readonly<PasswordPolicy>, password: string, context: { username: string; hasSecondFactor: boolean }): void => {
  const verdict = checkNewPassword(policy, password, context);
  if (!verdict.ok) throw new AccountError(verdict.message);
};

/** What a change did; undefined from a use case means the account does not exist. */
export interface AccountChange {
  endedSessions: number;
}

export const createAccount = async (
  deps: Pick<LifecycleDeps, 'accounts' | 'clock' | 'events' | 'passwords'>,
  input: { username: string; password: string; claims?: Record<string, unknown>; actor: string },
): Promise<{ account: Account }> => {
  if (!USERNAME_PATTERN.test(input.username)) throw new AccountError('a username is 1-128 characters without spaces');
  // A new account has no second factor yet: its password is its only factor.
  requireAllowed(deps.passwords, input.password, { username: input.username, hasSecondFactor: false });
  if (await deps.accounts.accountByUsername(input.username)) throw new AccountError(`user "${input.username}" already exists`, 'exists');
  const now = nowSeconds(deps.clock);
  const account: Account = {
    id: randomUUID(),
    username: input.username,
    passwordHash: await hashPassword(input.password, deps.passwords.hashing),
    claims: input.claims ?? {},
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  await deps.accounts.insertAccount(account);
  await recordChange(deps, 'account.created', { accountId: account.id, actor: input.actor });
  return { account };
};

/** The account, unless it does not exist or was deleted. */
export const getAccount = async (deps: Pick<LifecycleDeps, 'accounts'>, accountId: string): Promise<Account | undefined> => {
  const account = await deps.accounts.accountById(accountId);
  return account?.deletedAt === undefined ? account : undefined;
};

/** A page of accounts by username; the cursor is the page's last username. */
export const listAccountPage = async (
  deps: Pick<LifecycleDeps, 'accounts'>,
  q: { cursor?: string | undefined; limit?: number | undefined },
): Promise<{ accounts: Account[]; next_cursor: string | null }> => {
  const limit = pageLimit(q.limit);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ([username]) => (isKeyString(username) ? username : undefined));
  const page = cutPage(await deps.accounts.pageAccounts({ after, limit: limit + 1 }), limit, (a) => [a.username]);
  return { accounts: page.rows, next_cursor: page.next_cursor };
};

/**
 * One change of an account in one transaction: the patch and, for a change that ends sessions,
 * every session of the account (offline refresh tokens too where session.revokeOfflineTokensOn
 * says so; always when the account is deleted). The audit event follows the commit.
 */
const change = async (
  deps: LifecycleDeps,
  accountId: string,
  patch: AccountPatch,
  audit: { type: 'account.updated' | 'account.deleted'; actor: string; fields: string[] },
  reason?: AccountChangeEnding['reason'],
): Promise<AccountChange | undefined> => {
  const at = nowSeconds(deps.clock);
  const revokeOfflineTokens = reason === 'account_deleted' || (deps.revokeOfflineTokensOn as readonly string[]).includes(reason ?? '');
  // The outbox rows join the caller's trace (issue 17 §2), as sessions/end.ts does.
  const ending = reason && { reason, actor: audit.actor, at, revokeOfflineTokens, traceParent: activeTraceParent() };
  const { found, ended } = await deps.accounts.changeAccount(accountId, { ...patch, updatedAt: at }, ending);
  if (!found) return undefined;
  if (ending) afterEnding(deps, ending.reason, ended);
  await recordChange(deps, audit.type, { accountId, actor: audit.actor, reason: audit.fields.join(',') || undefined });
  return { endedSessions: ended.length };
};

export interface AccountUpdate {
  accountId: string;
  password?: string | undefined;
  claims?: Record<string, unknown> | undefined;
  disabled?: boolean | undefined;
  actor: string;
}

/**
 * Changes password, claims and disabled state at once. Whoever knew the old password may hold a
 * session, and a disabled account has none: either change ends every session of the account.
 */
export const updateAccount = async (deps: LifecycleDeps, input: AccountUpdate): Promise<AccountChange | undefined> => {
  if (input.password !== undefined) {
    const account = await getAccount(deps, input.accountId);
    if (!account) return undefined;
    const hasSecondFactor = (await deps.hasSecondFactor?.(account.id)) ?? false;
    requireAllowed(deps.passwords, input.password, { username: account.username, hasSecondFactor });
  }
  const patch: AccountPatch = {
    ...(input.password === undefined ? {} : { passwordHash: await hashPassword(input.password, deps.passwords.hashing) }),
    ...(input.claims === undefined ? {} : { claims: input.claims }),
    ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
  };
  const reason: AccountChangeReason | undefined = input.disabled === true ? 'account_disabled' : input.password === undefined ? undefined : 'password_changed';
  const fields = Object.keys(patch).map((f) => (f === 'passwordHash' ? 'password' : f));
  const changed = await change(deps, input.accountId, patch, { type: 'account.updated', actor: input.actor, fields }, reason);
  if (changed && input.password !== undefined && deps.passwordChanged) {
    // Read after the commit: a change of the email claim in the same patch is where the notice goes
    // (an administrator replacing a compromised address does not want it sent to the old one).
    const account = await getAccount(deps, input.accountId);
    if (account) deps.passwordChanged(account);
  }
  return changed;
};

export const changePassword = (deps: LifecycleDeps, input: { accountId: string; password: string; actor: string }): Promise<AccountChange | undefined> =>
  updateAccount(deps, input);

export const disableAccount = (deps: LifecycleDeps, input: { accountId: string; actor: string }): Promise<AccountChange | undefined> =>
  updateAccount(deps, { ...input, disabled: true });

export const enableAccount = (deps: LifecycleDeps, input: { accountId: string; actor: string }): Promise<AccountChange | undefined> =>
  updateAccount(deps, { ...input, disabled: false });

/**
 * Deletes an account as a tombstone: username, password and claims go (the username is free
 * again: a space, which no username has, keeps the tombstone's apart), the record stays so that
 * the sessions, tokens and outbox rows that name it stay whole; every session ends and every
 * refresh token, offline ones included, is revoked, in one transaction.
 */
export const deleteAccount = (deps: LifecycleDeps, input: { accountId: string; actor: string }): Promise<AccountChange | undefined> =>
  change(
    deps,
    input.accountId,
    { username: `deleted ${input.accountId}`, passwordHash: '', claims: {}, disabled: true, deletedAt: nowSeconds(deps.clock) },
    { type: 'account.deleted', actor: input.actor, fields: [] },
    'account_deleted',
  );
