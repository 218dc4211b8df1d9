import { availableParallelism } from 'node:os';
import { Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { limitConcurrency } from '../util/concurrency.js';

/**
 * argon2id's cost (RFC 9106 §3.1), the configuration's `passwords.hashing`: memory in KiB, passes
 * over it, lanes. Each hash carries its own in its PHC string, so hashes made with other values
 * still verify; a sign-in makes the hash again when they differ (needsRehash).
 */
export interface PasswordHashing {
  memory: number;
  iterations: number;
  parallelism: number;
}

/** The OWASP Password Storage Cheat Sheet's argon2id minimum, m=19 MiB, t=2, p=1: the default. */
export const DEFAULT_HASHING: Readonly<PasswordHashing> = Object.freeze({ memory: 19456, iterations: 2, parallelism: 1 });

/**
 * OWASP Password Storage Cheat Sheet (argon2id): configurations of equal defence trade memory for
 * passes — m=47104 (46 MiB) t=1, m=19456 t=2, m=12288 t=3, m=9216 t=4, m=7168 (7 MiB) t=5 — all
 * with p=1. The least memory in KiB the sheet allows with `iterations` passes.
 */
export const owaspMinimumMemory = (iterations: number): number => [47104, 47104, 19456, 12288, 9216][iterations] ?? 7168;

const optionsOf = (cost: Readonly<PasswordHashing>) =>
  ({ algorithm: Algorithm.Argon2id, memoryCost: cost.memory, timeCost: cost.iterations, parallelism: cost.parallelism }) as const;

/** The default's options for @node-rs/argon2 (the bench's argon2 ceiling uses them). */
export const ARGON2_OPTIONS = optionsOf(DEFAULT_HASHING);

/**
 * One argon2id computation per core at a time (issue 18 P5). @node-rs/argon2 runs on libuv's pool,
 * four threads by default: on two cores, four memory-hard hashes at once evict each other's
 * memory from the caches and each costs about a fifth more CPU (57–62 verifications per
 * CPU-second against 66–69 two at a time, no more throughput). The others wait their turn here,
 * in arrival order, instead of in the pool, which also keeps the pool free for file and DNS work.
 */
const inTurn = limitConcurrency(availableParallelism());
const hash = (password: string, options: ReturnType<typeof optionsOf>): Promise<string> => inTurn(() => argon2Hash(password, options));
const verify = (stored: string, password: string): Promise<boolean> => inTurn(() => argon2Verify(stored, password));

/** Hashes on the libuv pool (@node-rs/argon2 is asynchronous): the event loop never waits for it. */
export const hashPassword = (password: string, cost: Readonly<PasswordHashing> = DEFAULT_HASHING): Promise<string> => hash(password, optionsOf(cost));

const costKey = (cost: Readonly<PasswordHashing>): string => `m=${cost.memory},t=${cost.iterations},p=${cost.parallelism}`;

const dummyHashes = new Map<string, Promise<string>>();
let dummyHashValue: string | undefined;

/**
 * Makes the dummy hash that unknown usernames are verified against, with the configured cost so
 * that it takes as long as a real account's. The provider calls it at start-up (openProvider),
 * so the first unknown username after a start costs one verification, like every later one,
 * rather than a hash and a verification (issue 10 §6: timing).
 */
export const prepareDummyHash = (cost: Readonly<PasswordHashing> = DEFAULT_HASHING): Promise<string> => {
  const key = costKey(cost);
  let made = dummyHashes.get(key);
  if (!made) {
    made = hashPassword('signoff-dummy-password', cost).then((h) => (dummyHashValue = h));
    dummyHashes.set(key, made);
  }
  return made;
};

/** The dummy hash once made (for tests: it exists as soon as a provider has opened). */
export const preparedDummyHash = (): string | undefined => dummyHashValue;

/**
 * The password hash of an account that has no password: one made just-in-time for an upstream
 * identity (issue 15 §1). It is not an argon2 encoding, so no password verifies against it.
 */
export const NO_PASSWORD = '!';

/**
 * Verifies a password, on the libuv pool. Without a stored hash (unknown user, or an account
 * without a password) it verifies against a dummy hash of the configured cost, so the answer
 * takes as long as for a wrong password (no enumeration).
 */
export const verifyPassword = async (stored: string | undefined, password: string, cost: Readonly<PasswordHashing> = DEFAULT_HASHING): Promise<boolean> => {
  if (stored === undefined || stored === NO_PASSWORD) {
    await verify(await prepareDummyHash(cost), password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
};

const PHC_ARGON2ID = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * Whether a stored hash was made with another cost than the configured one (or by another
 * algorithm or version), so a sign-in that just verified the password makes it again. An account
 * without a password has nothing to remake.
 */
export const needsRehash = (stored: string, cost: Readonly<PasswordHashing>): boolean => {
  if (stored === NO_PASSWORD) return false;
  const m = PHC_ARGON2ID.exec(stored);
  return !m || Number(m[1]) !== cost.memory || Number(m[2]) !== cost.iterations || Number(m[3]) !== cost.parallelism;
};
