import { seedAccounts } from './accounts/accounts.js';
import { factorAttempts } from './accounts/factors/attempts.js';
import { attemptPassword } from './accounts/sign-in-attempt.js';
import { factorChecks } from './accounts/factors/checks.js';
import { type FactorDeps, relyingParty } from './accounts/factors/deps.js';
import { hasSecondFactor } from './accounts/factors/manage.js';
import type { FactorChecks, StepDeps } from './oauth/authorize/steps/deps.js';
import type { LifecycleDeps } from './accounts/lifecycle.js';
import { prepareDummyHash } from './accounts/passwords.js';
import type { SignInAttemptDeps } from './accounts/sign-in-attempt.js';
import { accountClient } from './account/client.js';
import { syncConfigClients } from './clients/registry.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Config } from './config/schema.js';
import { OutboxSignal } from './outbound/signal.js';
import { Metrics } from './metrics/registry.js';
import type { EndReason } from './sessions/store.js';
import { openStore } from './store/open.js';
import type { Store } from './store/types.js';
import { type KeyEncryptionKey, resolveKeyEncryptionKey } from './tokens/key-encryption.js';
import { KeyRing, ensureSigningKeys, sealStoredKeys } from './tokens/keys.js';
import { Upstreams } from './upstreams/registry.js';
import type { FederatedLogoutDeps } from './upstreams/federated-logout.js';

/** Everything a running provider holds: its configuration, store, keys and clock. */
export interface Provider {
  config: Readonly<Config>;
  store: Store;
  keys: KeyRing;
  /** Seals the private signing keys at rest (tokens/key-encryption.ts). */
  kek: KeyEncryptionKey;
  /** How many private keys stored in plain by an earlier version were sealed on this open. */
  sealedAtOpen: number;
  clock: Clock;
  /** Wakes this process's back-channel delivery worker (a no-op until one is started). */
  outbox: OutboxSignal;
  metrics: Metrics;
  /** The second factors' checks for the sign-in steps (accounts/factors). */
  factors: FactorChecks;
  /** The upstream providers users may sign in through, discovered once the HTTP app is ready (issue 15). */
  upstreams: Upstreams;
}

/**
 * Finds the key-encryption key (failing first when there is none), opens the store (applying
 * migrations), seals private keys an earlier version stored in plain and checks the others open
 * under this KEK, creates signing keys on first start, and brings the configuration's clients and
 * users into the store. `env` is where SIGNOFF_KEY_ENCRYPTION_KEY is read (default: process.env).
 */
export const openProvider = async (
  config: Readonly<Config>,
  opts: { clock?: Clock; store?: Store; env?: NodeJS.ProcessEnv } = {},
): Promise<Provider> => {
  const clock = opts.clock ?? systemClock;
  const kek = resolveKeyEncryptionKey(config, opts.env ?? process.env);
  const store = opts.store ?? (await openStore(config.store));
  let sealedAtOpen: number;
  try {
    sealedAtOpen = await sealStoredKeys(store, kek);
    await ensureSigningKeys(store, clock, kek);
    await syncConfigClients(store, [...config.clients, accountClient(config.issuer)]);
    await seedAccounts(store, clock, config.passwords, config.users);
  } catch (err) {
    await store.close();
    throw err;
  }
  const keys = new KeyRing(store, clock, kek);
  await keys.reload();
  // The first sign-in of an unknown username must not wait for the dummy hash (issue 10 §6).
  await prepareDummyHash(config.passwords.hashing);
  return { config, store, keys, kek, sealedAtOpen, clock, outbox: new OutboxSignal(), metrics: new Metrics(store, clock), factors: factorChecks({ factors: store, events: store, clock, kek, rp: relyingParty(config) }), upstreams: new Upstreams(config.upstreams) };
};

/** What the session core's ending path needs from a running provider (sessions/end.ts). */
export const endingDeps = (p: Provider) => ({
  sessions: p.store,
  clock: p.clock,
  wake: p.outbox.wake,
  ended: (reason: EndReason, count: number) => p.metrics.sessionsEnded(reason, count),
});

/** What a federated logout needs from a running provider (upstreams/federated-logout.ts). */
export const federatedDeps = (p: Provider): FederatedLogoutDeps => ({ issuer: p.config.issuer, upstreams: p.upstreams, store: p.store, kek: p.kek, clock: p.clock });

/** What the sign-in steps need from a running provider (oauth/authorize/steps/). */
export const stepDeps = (p: Provider): StepDeps => ({
  store: p.store,
  clock: p.clock,
  issuer: p.config.issuer,
  upstreams: p.upstreams,
  kek: p.kek,
  session: p.config.session,
  codeTtl: p.config.tokens.authorizationCodeTtl,
  acrValues: p.config.acrValues,
  factors: p.factors,
  checkPassword: (attempt) => attemptPassword(signInAttemptDeps(p), attempt),
  factorAttempts: factorAttempts({ throttle: p.store, clock: p.clock, config: p.config.signIn.throttle }),
  signInFailed: (reason) => p.metrics.signInFailed(reason),
  ending: { wake: p.outbox.wake, ended: (reason, count) => p.metrics.sessionsEnded(reason, count) },
  signedIn: () => p.metrics.signInSucceeded(),
});

/** What the client use cases need from a running provider (clients/manage.ts). */
export const clientDeps = (p: Provider) => ({ clients: p.store, events: p.store, clock: p.clock });

/** What the account use cases need from a running provider (accounts/lifecycle.ts). */
export const lifecycleDeps = (p: Provider): LifecycleDeps => {
  const { sessions: _, ...ending } = endingDeps(p);
  return { ...ending, accounts: p.store, events: p.store, revokeOfflineTokensOn: p.config.session.revokeOfflineTokensOn, passwords: p.config.passwords, hasSecondFactor: (accountId) => hasSecondFactor({ factors: p.store }, accountId) };
};

/** What the second-factor use cases need from a running provider (accounts/factors/). */
export const factorDeps = (p: Provider): FactorDeps => ({
  factors: p.store,
  events: p.store,
  clock: p.clock,
  kek: p.kek,
  rp: relyingParty(p.config),
});

/** What a password sign-in attempt needs from a running provider (accounts/sign-in-attempt.ts). */
export const signInAttemptDeps = (p: Provider): SignInAttemptDeps => ({
  accounts: p.store,
  throttle: p.store,
  events: p.store,
  clock: p.clock,
  config: p.config.signIn.throttle,
  hashing: p.config.passwords.hashing,
  observe: { failed: (reason) => p.metrics.signInFailed(reason), locked: (kind) => p.metrics.signInLocked(kind) },
});
