import { Algorithm, hash, verify } from '@node-rs/argon2';

/** argon2id with the OWASP Password Storage Cheat Sheet minimum: m=19 MiB, t=2, p=1. */
export const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_OPTIONS);

let dummyHash: Promise<string> | undefined;
let dummyHashValue: string | undefined;

/**
 * Makes the dummy hash that unknown usernames are verified against. The provider calls it at
 * start-up (openProvider), so the first unknown username after a start costs one verification,
 * like every later one, rather than a hash and a verification (issue 10 §6: timing).
 */
export const prepareDummyHash = (): Promise<string> =>
  (dummyHash ??= hashPassword('signoff-dummy-password').then((h) => (dummyHashValue = h)));

/** The dummy hash once made (for tests: it exists as soon as a provider has opened). */
export const preparedDummyHash = (): string | undefined => dummyHashValue;

/**
 * The password hash of an account that has no password: one made just-in-time for an upstream
 * identity (issue 15 §1). It is not an argon2 encoding, so no password verifies against it.
 */
export const NO_PASSWORD = '!';

/**
 * Verifies a password. Without a stored hash (unknown user, or an account without a password) it
 * verifies against a dummy hash, so the answer takes as long as for a wrong password (no enumeration).
 */
export const verifyPassword = async (stored: string | undefined, password: string): Promise<boolean> => {
  if (stored === undefined || stored === NO_PASSWORD) {
    await verify(await prepareDummyHash(), password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
};
