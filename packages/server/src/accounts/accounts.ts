import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { createAccount } from './lifecycle.js';
import type { PasswordPolicy } from './password-policy.js';
import { DEFAULT_HASHING, type PasswordHashing, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import type { EventStore } from '../sessions/events.js';
import type { Account, AccountStore } from './store.js';

/**
 * Checks a username and password: `account` when they match an enabled account; `named`, the
 * account the username names whatever the password, for the audit log only (never the caller's
 * answer). An unknown username is verified against the dummy hash, so it takes as long.
 */
export const checkPassword = async (
  store: Pick<AccountStore, 'accountByUsername'>,
  username: string,
  password: string,
  cost?: Readonly<PasswordHashing>,
): Promise<{ account?: Account | undefined; named?: Account | undefined }> => {
  const named = await store.accountByUsername(username);
  const ok = await verifyPassword(named?.passwordHash, password, cost);
  return { account: ok && named && !named.disabled ? named : undefined, named };
};

/**
 * After a sign-in verified `password`: an account whose hash was made with another argon2id cost
 * than the configured one (`passwords.hashing` changed) gets it made again, so raising the cost
 * reaches every account that signs in. Only while the hash is still the one verified: a password
 * changed meanwhile is never overwritten with the old one.
 */
export const rehashIfDue = async (store: Pick<AccountStore, 'rehashPassword'>, account: Account, password: string, cost: Readonly<PasswordHashing> = DEFAULT_HASHING): Promise<void> => {
  if (!needsRehash(account.passwordHash, cost)) return;
  await store.rehashPassword(account.id, account.passwordHash, await hashPassword(password, cost));
};

/** Checks a username and password; undefined for any failure, without saying which. */
export const authenticate = async (store: Pick<AccountStore, 'accountByUsername'>, username: string, password: string): Promise<Account | undefined> =>
  (await checkPassword(store, username, password)).account;

type SeedUser = { username: string; password: string; claims: Record<string, unknown> };

/**
 * Creates a seeded user; undefined once created. When another instance starting on the same
 * store created it meanwhile (issue 11 §2), that account is returned, to be brought in line.
 */
const createUnlessRaced = async (store: AccountStore & EventStore, clock: Clock, passwords: Readonly<PasswordPolicy>, user: SeedUser): Promise<Account | undefined> => {
  try {
    await createAccount({ accounts: store, clock, events: store, passwords }, { ...user, actor: 'config' });
    return undefined;
  } catch (err) {
    const raced = await store.accountByUsername(user.username);
    if (!raced) throw err;
    return raced;
  }
};

/**
 * Seeds the configuration's users: created when missing, their password and claims brought in
 * line when present. Their passwords passed the policy when the configuration was parsed.
 */
export const seedAccounts = async (store: AccountStore & EventStore, clock: Clock, passwords: Readonly<PasswordPolicy>, users: readonly SeedUser[]): Promise<void> => {
  for (const user of users) {
    const existing = (await store.accountByUsername(user.username)) ?? (await createUnlessRaced(store, clock, passwords, user));
    if (!existing) continue;
    const cost = passwords.hashing;
    // A configured user's hash is made again when the password or the configured cost changed.
    const keep = (await verifyPassword(existing.passwordHash, user.password, cost)) && !needsRehash(existing.passwordHash, cost ?? DEFAULT_HASHING);
    const passwordHash = keep ? existing.passwordHash : await hashPassword(user.password, cost);
    await store.updateAccount(existing.id, { claims: user.claims, passwordHash, updatedAt: nowSeconds(clock) });
  }
};
