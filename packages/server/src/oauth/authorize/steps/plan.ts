import { type VerifiedFactor, isMultiFactor } from '../../../sessions/factors.js';
import { type AcrLevel, type AcrRequirement, countingFactors, levelOf, meetsLevel } from '../acr.js';
import type { Enrolled } from './deps.js';

export const SECOND_FACTORS = ['passkey', 'totp', 'recovery_code'] as const;
export type SecondFactor = (typeof SECOND_FACTORS)[number];

export type Plan =
  /** The factors meet what the request asks (or all the account can reach of a voluntary request). */
  | { kind: 'met' }
  /** Ask for one more factor, of these kinds, to reach `target`. */
  | { kind: 'ask'; target: AcrLevel; methods: SecondFactor[] }
  /** An essential request or the client's floor that the account cannot meet (OIDC Core §5.5.1.1). */
  | { kind: 'denied'; description: string };

/**
 * The factors that raise a session with `factors` to `target`: only a passkey is
 * phishing-resistant; a code (TOTP, recovery) is one more possession factor, so it makes mfa only
 * beside a factor of another category — the password. A passwordless session whose passkey no
 * longer counts (max_factor_age) has none, and only the passkey can bring it back.
 */
export const methodsFor = (target: AcrLevel, enrolled: Enrolled, factors: readonly VerifiedFactor[]): SecondFactor[] => {
  if (target === 'password') return [];
  const passkey: SecondFactor[] = enrolled.passkey ? ['passkey'] : [];
  if (target === 'phishing-resistant' || !isMultiFactor([...factors, { method: 'totp', at: 0 }])) return passkey;
  return [...passkey, ...(enrolled.totp ? ['totp' as const] : []), ...(enrolled.recoveryCodes && (enrolled.totp || enrolled.passkey) ? ['recovery_code' as const] : [])];
};

/**
 * What a request still needs of a session's factors (issue 14 §3): only what is missing — a
 * user signed in with a password is asked for the second factor, never the password again. The
 * voluntary level is tried first; if the account cannot reach it, the floor (require_acr, an
 * essential acr) decides: met, asked for, or — when no enrolled factor can reach it — denied.
 */
export const planFor = (requirement: AcrRequirement, factors: readonly VerifiedFactor[], enrolled: Enrolled, now: number): Plan => {
  if (requirement.impossible) return { kind: 'denied', description: requirement.impossible };
  const counting = countingFactors(factors, requirement.maxFactorAge, now);
  const reached = levelOf(counting);
  for (const target of [requirement.want, requirement.must]) {
    if (target === undefined || meetsLevel(reached, target)) return { kind: 'met' };
    const methods = methodsFor(target, enrolled, counting);
    if (methods.length > 0) return { kind: 'ask', target, methods };
    if (target === requirement.must) {
      return { kind: 'denied', description: `This application requires a sign-in of level ${target}, and this account has no factor enrolled that reaches it. Add one on the account's security page.` };
    }
  }
  return { kind: 'met' };
};
