import { nowSeconds } from '../../../clock.js';
import { fail } from '../../../errors.js';
import type { Session } from '../../../sessions/store.js';
import type { AuthorizationInteraction } from '../interaction.js';
import type { Seen, StepDeps, StepOutcome } from './deps.js';
import { answerWithError, answerWithSession } from './finish.js';

/**
 * The consent step (OIDC Core §3.1.2.4): allowed, the grant is remembered and the request
 * answered with a code; denied, the client gets access_denied. The session must still be live on
 * this browser (the caller finds it): signed out meanwhile, the request has expired.
 */
export const consentStep = async (
  deps: StepDeps,
  i: AuthorizationInteraction,
  allow: boolean,
  session: Session | undefined,
  seen: Seen,
): Promise<StepOutcome> => {
  if (!session) fail('interaction_expired', 'Your sign-in has ended. Return to the application and try again.');
  if (!allow) return answerWithError(deps, i, 'access_denied', 'The user denied the request.');
  await deps.store.upsertGrant({ accountId: session.accountId, clientId: i.request.clientId, scope: i.request.scope, createdAt: nowSeconds(deps.clock) });
  return answerWithSession(deps, i, session, seen);
};
