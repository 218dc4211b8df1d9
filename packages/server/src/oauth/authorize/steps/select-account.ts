import { nowSeconds } from '../../../clock.js';
import { fail } from '../../../errors.js';
import { type SignedIn, decideFor, eligibleFor } from '../decide.js';
import type { AuthorizationInteraction } from '../interaction.js';
import type { Seen, StepDeps, StepOutcome } from './deps.js';
import { answerWithSession, moveTo } from './finish.js';
import { stepFor } from './start.js';

/**
 * The account chooser's answer (OIDC Core §3.1.2.1 `select_account`): an account signed in on
 * this browser, or "" for another account (the sign-in page). The chosen account then goes
 * through the same decision as at the authorization endpoint.
 */
export const selectAccountStep = async (
  deps: StepDeps,
  i: AuthorizationInteraction,
  choice: string,
  signedIn: readonly SignedIn[],
  seen: Seen,
): Promise<StepOutcome> => {
  if (choice === '') return { kind: 'next', interaction: await moveTo(deps, i, { step: 'login' }, { ...i.request, loginHint: undefined }) };
  const chosen = eligibleFor(i.request, signedIn).find((s) => s.account.id === choice);
  // Signed out in another tab meanwhile, or a forged value: show what is there now.
  if (!chosen) return { kind: 'next', interaction: i };
  const client = await deps.store.clientById(i.request.clientId);
  if (!client) fail('unknown_client', 'The application is no longer registered.');
  const decision = await decideFor(decideDeps(deps), i.request, client, chosen, nowSeconds(deps.clock));
  if (decision.kind === 'issue') return answerWithSession(deps, i, decision.session, seen);
  const [request, at] = stepFor(i.request, decision);
  return { kind: 'next', interaction: await moveTo(deps, i, at, request) };
};

export const decideDeps = (deps: StepDeps) => ({ accounts: deps.store, grants: deps.store, sessions: deps.store, acrValues: deps.acrValues, factors: deps.factors });
