import { nowSeconds } from '../../../clock.js';
import type { AuthorizationInteraction } from '../interaction.js';
import type { Seen, StepDeps, StepOutcome } from './deps.js';
import { afterFactor } from './finish.js';

export interface PasswordForm {
  username: string;
  password: string;
  rememberMe: boolean;
}

/**
 * The password step (OIDC Core §3.1.2.3 "authenticate the End-User"). One message for every
 * failure: it must not reveal whether the account exists (the check itself throttles and takes
 * the same time either way, accounts/). Then the request may still ask for a second factor.
 */
export const passwordStep = async (deps: StepDeps, i: AuthorizationInteraction, form: PasswordForm, seen: Seen): Promise<StepOutcome> => {
  if (!form.username || !form.password) {
    deps.signInFailed('missing_credentials');
    return { kind: 'refused', refusal: 'login.error.invalid', status: 401 };
  }
  const account = await deps.checkPassword({ username: form.username, password: form.password, ip: seen.ip });
  if (!account) return { kind: 'refused', refusal: 'login.error.invalid', status: 401 };
  // OIDC Core §3.1.2.1: the client's id_token_hint names the account it expects; signing in as
  // another one must not answer it (the sign-in page is filled in with the expected account).
  if (i.request.hintedSub !== undefined && account.id !== i.request.hintedSub) return { kind: 'refused', refusal: 'login.error.other_account', status: 403 };
  return afterFactor(deps, i, { accountId: account.id, factors: [{ method: 'password', at: nowSeconds(deps.clock) }], rememberMe: form.rememberMe }, seen);
};
