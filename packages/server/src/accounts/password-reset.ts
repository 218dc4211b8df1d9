/**
 * Self-service password reset (issue 17 §4; OWASP Forgot Password Cheat Sheet): a request names
 * a username or an email address and always gets the same answer; a matching account with an
 * email claim gets a single-use, short-lived random token by email, stored only as its SHA-256;
 * redeeming it sets a new password through the account lifecycle, which ends every session of
 * the account (reason `password_changed`) and tells every application, and drops the account's
 * other tokens.
 */
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { isRandomToken, randomToken, sha256 } from '../util/secrets.js';
import { type LifecycleDeps, changePassword, getAccount } from './lifecycle.js';
import { type PasswordRefusalReason, checkNewPassword } from './password-policy.js';
import type { ResetTokenStore } from './reset-store.js';
import type { Account } from './store.js';

/** The actor audit events name for a change made through a reset link. */
export const RESET_ACTOR = 'user:password-reset';

/** An address nodemailer may put in a To header: no spaces or line breaks, one @. */
const EMAIL_SHAPE = /^[^\s@<>,;"]{1,64}@[^\s@<>,;"]{1,253}$/;
/** Longer than any username (128) or address (320): not looked up at all. */
export const MAX_IDENTIFIER = 320;

export interface ResetDeps {
  accounts: LifecycleDeps['accounts'];
  resetTokens: ResetTokenStore;
  clock: Clock;
  /** email.resetTokenTtl: how long a link works; also the window of the per-account limit. */
  ttl: number;
  /** email.resetsPerAccount. */
  perAccount: number;
}

/** The email claim of an account, when it is an address a mail can go to. */
export const emailOf = (account: Pick<Account, 'claims'>): string | undefined => {
  const email = account.claims.email;
  return typeof email === 'string' && EMAIL_SHAPE.test(email) ? email : undefined;
};

/** The live account a username, or else an email address held by exactly one account, names. */
const findAccount = async (deps: Pick<ResetDeps, 'accounts' | 'resetTokens'>, identifier: string): Promise<Account | undefined> => {
  const byName = await getAccountByUsername(deps, identifier);
  if (byName) return byName;
  if (!EMAIL_SHAPE.test(identifier)) return undefined;
  const ids = await deps.resetTokens.accountIdsByEmail(identifier);
  // An address two accounts share names neither: a reset must reach one known person.
  return ids.length === 1 && ids[0] !== undefined ? getAccount(deps, ids[0]) : undefined;
};

const getAccountByUsername = async (deps: Pick<ResetDeps, 'accounts'>, username: string): Promise<Account | undefined> => {
  const account = await deps.accounts.accountByUsername(username);
  return account && account.deletedAt === undefined ? account : undefined;
};

/**
 * A reset token for the account the identifier names, to be mailed to `email` — or undefined
 * when there is no such account, it is disabled, has no email claim, or has had its
 * `perAccount` tokens within the last `ttl` (the caller answers the same in every case).
 */
export const issueResetToken = async (deps: ResetDeps, identifier: string): Promise<{ account: Account; email: string; token: string } | undefined> => {
  const token = randomToken(32);
  if (identifier.length === 0 || identifier.length > MAX_IDENTIFIER) return undefined;
  const account = await findAccount(deps, identifier);
  const email = account && !account.disabled ? emailOf(account) : undefined;
  if (!account || !email) return undefined;
  const now = nowSeconds(deps.clock);
  const stored = await deps.resetTokens.insertResetToken({ hash: sha256(token), accountId: account.id, createdAt: now, expiresAt: now + deps.ttl }, { since: now - deps.ttl, max: deps.perAccount });
  return stored ? { account, email, token } : undefined;
};

/** The account a link's token opens, while it is valid; undefined for a wrong, used or expired token. */
export const accountOfResetToken = async (deps: Pick<ResetDeps, 'accounts' | 'resetTokens' | 'clock'>, token: string): Promise<Account | undefined> => {
  if (!isRandomToken(token)) return undefined;
  const accountId = await deps.resetTokens.peekResetToken(sha256(token), nowSeconds(deps.clock));
  const account = accountId === undefined ? undefined : await getAccount(deps, accountId);
  return account && !account.disabled ? account : undefined;
};

export type ResetOutcome = { kind: 'changed'; account: Account; endedSessions: number } | { kind: 'invalid_token' } | { kind: 'refused'; reason: PasswordRefusalReason; message: string };

/**
 * Sets the new password with the token: the policy is checked first (a refused password leaves
 * the link usable), then the token is taken — once, dropping the account's other tokens — and
 * the password changed through the lifecycle, which ends every session of the account.
 */
export const resetPassword = async (deps: ResetDeps & { lifecycle: LifecycleDeps }, input: { token: string; password: string }): Promise<ResetOutcome> => {
  const account = await accountOfResetToken(deps, input.token);
  if (!account) return { kind: 'invalid_token' };
  const hasSecondFactor = (await deps.lifecycle.hasSecondFactor?.(account.id)) ?? false;
  const verdict = checkNewPassword(deps.lifecycle.passwords, input.password, { username: account.username, hasSecondFactor });
  if (!verdict.ok) return { kind: 'refused', reason: verdict.reason, message: verdict.message };
  const taken = await deps.resetTokens.takeResetToken(sha256(input.token), nowSeconds(deps.clock));
  if (taken !== account.id) return { kind: 'invalid_token' };
  const changed = await changePassword(deps.lifecycle, { accountId: account.id, password: input.password, actor: RESET_ACTOR });
  if (!changed) return { kind: 'invalid_token' };
  return { kind: 'changed', account, endedSessions: changed.endedSessions };
};

/**
 * Requests per key (a client address) within a sliding window, in this process: a mailbox is
 * not flooded from one address. Bounded: past `maxKeys` keys the oldest are forgotten.
 */
export class WindowLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowSeconds: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts a request of `key` at `now`; false when it is over the limit. */
  allow(key: string, now: number): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowSeconds);
    const allowed = recent.length < this.max;
    if (allowed) recent.push(now);
    this.hits.delete(key);
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
    return allowed;
  }
}
