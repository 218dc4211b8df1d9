/**
 * A world for the second-factor domain tests (test/factors*.test.ts): an account on a store (an
 * in-memory SQLite one unless given), a clock the test moves, a key-encryption key, and the
 * relying party https://id.example.test.
 */
import { randomBytes } from 'node:crypto';
import type { FactorDeps, RelyingParty } from '../../src/accounts/factors/deps.js';
import type { Account } from '../../src/accounts/store.js';
import { ManualClock } from '../../src/clock.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/types.js';
import { parseKek } from '../../src/tokens/key-encryption.js';
import { sampleAccount } from './store-contract/samples.js';

export const RP: RelyingParty = { id: 'id.example.test', origin: 'https://id.example.test', name: 'Example ID' };
/** 10 s into a 30-second step, so a step either side is a whole step away. */
export const T0 = Date.UTC(2026, 0, 1) + 10_000;
export const STEP_MS = 30_000;

export interface World {
  store: Store;
  deps: FactorDeps;
  clock: ManualClock;
  account: Account;
}

export const world = async (store: Store = new SqliteStore(':memory:')): Promise<World> => {
  const clock = new ManualClock(T0);
  const account = sampleAccount({ username: 'alice' });
  await store.insertAccount(account);
  const kek = parseKek(randomBytes(32).toString('base64'), 'a test key');
  return { store, clock, account, deps: { factors: store, events: store, clock, kek, rp: RP } };
};

