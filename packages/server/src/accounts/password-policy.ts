/**
 * Whether a new password may be set (issue 14 §4), by NIST SP 800-63B-4 §3.1.1.2: a minimum
 * length (15 when the password is the only factor, at least 8 when the account has a second one),
 * a maximum of at least 64, no composition rules, and a blocklist of commonly used and breached
 * passwords and context-specific words (here the username). Pure: values in, a verdict out.
 */
import { createRequire } from 'node:module';
import type { PasswordHashing } from './passwords.js';

/** The configuration key `passwords` (config/schema.ts). */
export interface PasswordPolicy {
  /** When the password is the account's only factor (§3.1.1.2: at least 15). */
  minLength: number;
  /** When the account has a second factor (§3.1.1.2: shorter allowed, but at least 8). */
  minLengthWithSecondFactor: number;
  /** §3.1.1.2: at least 64 must be permitted. */
  maxLength: number;
  rejectCommon: boolean;
  /** argon2id's cost for the hashes made (accounts/passwords.ts); the default when absent. */
  hashing?: Readonly<PasswordHashing> | undefined;
}

export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({ minLength: 15, minLengthWithSecondFactor: 8, maxLength: 256, rejectCommon: true });

export type PasswordRefusalReason = 'too_short' | 'too_long' | 'common' | 'contains_username';

export type PasswordVerdict = { ok: true } | { ok: false; reason: PasswordRefusalReason; message: string };

export interface PasswordContext {
  username?: string | undefined;
  hasSecondFactor: boolean;
}

const load = createRequire(import.meta.url);
let common: ReadonlySet<string> | undefined;

/**
 * zxcvbn-ts's list of common and breached passwords (about 50,000, lower case), decompressed on
 * first use only: loading it costs tens of milliseconds, a lookup then is a Set probe.
 */
const commonPasswords = (): ReadonlySet<string> => {
  if (!common) {
    const { dictionary } = load('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    common = new Set(dictionary['passwords-common']);
  }
  return common;
};

/**
 * NFKC folds a composed character and its decomposed spelling (é and e + U+0301) into one form
 * before counting (§3.1.1.2: normalisation, each code point one character). It never turns more
 * than 4 code points into one, and a code point is at most 2 UTF-16 units, so a string longer
 * than 8 × max units is too long after normalisation too, and is refused without normalising it.
 */
const MAX_SHRINK = 8;

const refuse = (reason: PasswordRefusalReason, message: string): PasswordVerdict => ({ ok: false, reason, message });

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export const checkNewPassword = (policy: Readonly<PasswordPolicy>, password: string, context: PasswordContext): PasswordVerdict => {
  if (password.length > policy.maxLength * MAX_SHRINK) {
    return refuse('too_long', `the password is too long: at most ${policy.maxLength} characters are allowed (it is far longer)`);
  }
  const normal = password.normalize('NFKC');
  const length = codePoints(normal);
  const min = context.hasSecondFactor ? policy.minLengthWithSecondFactor : policy.minLength;
  if (length < min) return refuse('too_short', `the password is too short: it must be at least ${min} characters (it has ${length})`);
  if (length > policy.maxLength) return refuse('too_long', `the password is too long: at most ${policy.maxLength} characters are allowed (it has ${length})`);
  const folded = normal.toLowerCase();
  if (policy.rejectCommon && commonPasswords().has(folded)) {
    return refuse('common', 'the password is too common: it is on a list of commonly used and breached passwords');
  }
  // §3.1.1.2 counts the username among the context-specific words a password must not be built
  // on: what is left without it must still be long enough on its own.
  const username = context.username?.normalize('NFKC').toLowerCase();
  if (username) {
    const rest = codePoints(folded.split(username).join(''));
    if (rest < min) return refuse('contains_username', `the password is built on the username: it must be at least ${min} characters without it (it has ${rest})`);
  }
  return { ok: true };
};
