import { nowSeconds } from '../../../clock.js';
import { fail } from '../../../errors.js';
import { isLive } from '../../../sessions/browser.js';
import { type VerifiedFactor, withFactors } from '../../../sessions/factors.js';
import type { AuthorizationInteraction, PendingSignIn } from '../interaction.js';
import type { Seen, StepDeps, StepOutcome } from './deps.js';
import { afterFactor, answerWithError, moveTo } from './finish.js';

/** What the second-factor form carries: a code, or a passkey assertion with its challenge. */
export type FactorProof =
  | { method: 'totp'; code: string }
  | { method: 'recovery_code'; code: string }
  | { method: 'passkey'; challengeId: string; response: unknown };

/** Wrong second factors one interaction allows: a six-digit code cannot be guessed in so few (RFC 6238 §5.2). */
export const MAX_FACTOR_FAILURES = 5;

const verify = async (deps: StepDeps, pending: PendingSignIn, proof: FactorProof, now: number): Promise<VerifiedFactor | undefined> => {
  switch (proof.method) {
    case 'totp':
      return (await deps.factors.verifyTotp(pending.accountId, proof.code)) ? { method: 'totp', at: now } : undefined;
    case 'recovery_code':
      return (await deps.factors.useRecoveryCode(pending.accountId, proof.code)) ? { method: 'recovery_code', at: now } : undefined;
    case 'passkey': {
      const a = await deps.factors.verifyPasskey(proof.challengeId, proof.response, pending.accountId);
      return a && { method: 'passkey', at: now, userVerified: a.userVerified, deviceBound: a.deviceBound };
    }
  }
};

/**
 * The second-factor step (issue 14 §2-3): the account is known — by its password, or by the
 * live session being stepped up — and one more factor is verified. The factors verified so far
 * are kept, so nothing already proven is asked again; a step-up then continues the same session.
 */
export const secondFactorStep = async (
  deps: StepDeps,
  i: AuthorizationInteraction,
  pending: PendingSignIn,
  proof: FactorProof,
  seen: Seen,
): Promise<StepOutcome> => {
  const now = nowSeconds(deps.clock);
  // A step-up continues a live session of this browser: signed out meanwhile (another tab, an
  // admin), its password no longer counts, and a second factor must not bring the sign-in back.
  if (pending.sessionId !== undefined) {
    const session = await deps.store.sessionById(pending.sessionId);
    if (!session || !isLive(session, now) || session.browserId !== seen.browserId) {
      fail('interaction_expired', 'Your sign-in has ended. Return to the application and try again.');
    }
  }
  // Throttled per account across sign-ins too: a refused attempt is checked against nothing, and
  // not counted, so retrying does not lengthen the wait.
  const admitted = await deps.factorAttempts.admit(pending.accountId);
  const verified = admitted ? await verify(deps, pending, proof, now) : undefined;
  if (!verified) {
    deps.signInFailed('invalid_factor');
    if (admitted) await deps.factorAttempts.failed(pending.accountId);
    const failures = pending.failures + 1;
    if (failures >= MAX_FACTOR_FAILURES) return answerWithError(deps, i, 'access_denied', 'Too many wrong second factors.');
    await moveTo(deps, i, { step: 'second-factor', pending: { ...pending, failures } });
    return { kind: 'refused', refusal: 'factor.error.invalid', status: 401 };
  }
  await deps.factorAttempts.succeeded(pending.accountId);
  const { target: _target, failures: _failures, ...rest } = pending;
  return afterFactor(deps, i, { ...rest, factors: withFactors(pending.factors, [verified]) }, seen);
};
