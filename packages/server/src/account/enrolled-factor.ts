import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { type AcrValue, acrOf } from '../oauth/authorize/acr.js';
import { type VerifiedFactor, amrOf, withFactors } from '../sessions/factors.js';
import type { Session, SessionStore } from '../sessions/store.js';

/**
 * A factor enrolled on the security page was verified as it was enrolled — a first code from the
 * authenticator app, a user-verified passkey registration (WebAuthn §7.1) — so the session that
 * enrolled it records it with that time, with the amr and acr that follow. The rest of the page
 * (recovery codes, another factor) then asks for no further step-up, and applications signing in
 * through the session see what it has proven.
 */
export const recordEnrolledFactor = async (
  deps: { sessions: Pick<SessionStore, 'updateSession'>; clock: Clock; acrValues: readonly AcrValue[] },
  session: Session,
  factor: Omit<VerifiedFactor, 'at'>,
): Promise<void> => {
  const factors = withFactors(session.factors, [{ ...factor, at: nowSeconds(deps.clock) }]);
  await deps.sessions.updateSession(session.id, { factors, amr: amrOf(factors), acr: acrOf(deps.acrValues, factors) });
};
