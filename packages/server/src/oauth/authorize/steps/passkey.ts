import { nowSeconds } from '../../../clock.js';
import type { AuthorizationInteraction } from '../interaction.js';
import type { Seen, StepDeps, StepOutcome } from './deps.js';
import { afterFactor } from './finish.js';

/**
 * Passwordless sign-in with a passkey (a discoverable credential, WebAuthn §6.2.2): the
 * authenticator names the account. Verified with the user's PIN or biometric it is multi-factor
 * on its own and phishing-resistant (acr.ts). A refusal says no more than a wrong password does.
 */
export const passkeyStep = async (
  deps: StepDeps,
  i: AuthorizationInteraction,
  form: { challengeId: string; response: unknown; rememberMe: boolean },
  seen: Seen,
): Promise<StepOutcome> => {
  // The challenge was issued for no account (the login page's): the authenticator names it.
  const assertion = await deps.factors.verifyPasskey(form.challengeId, form.response, undefined);
  const account = assertion && (await deps.store.accountById(assertion.accountId));
  if (!assertion || !account || account.disabled || account.deletedAt !== undefined) return { kind: 'refused', refusal: 'factor.error.invalid', status: 401 };
  // OIDC Core §3.1.2.1: as with a password, another account than the id_token_hint's must not answer.
  if (i.request.hintedSub !== undefined && account.id !== i.request.hintedSub) return { kind: 'refused', refusal: 'login.error.other_account', status: 403 };
  const factor = { method: 'passkey' as const, at: nowSeconds(deps.clock), userVerified: assertion.userVerified, deviceBound: assertion.deviceBound };
  return afterFactor(deps, i, { accountId: account.id, factors: [factor], rememberMe: form.rememberMe }, seen);
};
