/**
 * Recovery codes (issue 14 §2): ten single-use codes that stand in for a lost second factor,
 * shown once and stored only as SHA-256 hashes. Each has 80 bits of entropy (16 characters of
 * Crockford's base32), so a fast hash is enough, as for the other bearer secrets (DESIGN.md
 * "Style": stored by hash, never raw); the account id salts it, so one table of hashes cannot
 * serve every account.
 */
import { randomBytes } from 'node:crypto';
import { nowSeconds } from '../../clock.js';
import { recordChange } from '../../sessions/audit-log.js';
import { sha256 } from '../../util/secrets.js';
import type { FactorDeps } from './deps.js';

export const RECOVERY_CODE_COUNT = 10;
const LENGTH = 16;
/** Crockford's base32: no I, L, O or U, so nothing reads as another character. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const NORMALISED = /^[0-9a-hjkmnp-tv-z]{16}$/;

const generate = (): string => {
  // 256 is a multiple of 32: each byte's low five bits pick a character without bias.
  const chars = [...randomBytes(LENGTH)].map((b) => ALPHABET[b & 31]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
};

/** As typed back: case, spaces and dashes do not matter, and O, I, L read as 0, 1, 1 (Crockford). */
export const normaliseRecoveryCode = (code: string): string | undefined => {
  if (code.length > 64) return undefined;
  const n = code.replace(/[\s-]/g, '').toLowerCase().replace(/o/g, '0').replace(/[il]/g, '1');
  return NORMALISED.test(n) ? n : undefined;
};

const hashOf = (accountId: string, normalised: string): string => sha256(`${accountId}:${normalised}`);

/** Ten new codes for the account, replacing any earlier ones; the caller shows them once. */
export const newRecoveryCodes = async (deps: Pick<FactorDeps, 'factors' | 'events' | 'clock'>, accountId: string): Promise<string[]> => {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generate);
  const hashes = codes.map((c) => hashOf(accountId, normaliseRecoveryCode(c) ?? ''));
  await deps.factors.replaceRecoveryCodes(accountId, hashes, nowSeconds(deps.clock));
  await recordChange(deps, 'factor.enrolled', { accountId, reason: 'recovery_codes', actor: 'user' });
  return codes;
};

/** True once per code: the store marks it used in one conditional statement. */
export const useRecoveryCode = async (deps: Pick<FactorDeps, 'factors' | 'clock'>, accountId: string, code: string): Promise<boolean> => {
  const normalised = normaliseRecoveryCode(code);
  if (normalised === undefined) return false;
  return deps.factors.useRecoveryCode(accountId, hashOf(accountId, normalised), nowSeconds(deps.clock));
};
