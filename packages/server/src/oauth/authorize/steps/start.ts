import type { Decision } from '../decide.js';
import type { AuthorizationStep } from '../interaction.js';
import type { AuthorizationRequest } from '../request.js';

/**
 * Where an interaction starts for a decision that needs the user: the chooser, the sign-in page
 * (for a re-authentication, with that account's name filled in), a further factor for the live
 * session (step-up), or consent.
 */
export const stepFor = (request: AuthorizationRequest, decision: Exclude<Decision, { kind: 'issue' }>): [AuthorizationRequest, AuthorizationStep] => {
  switch (decision.kind) {
    case 'choose':
      return [request, { step: 'choose' }];
    case 'consent':
      return [request, { step: 'consent', sessionId: decision.session.id }];
    case 'second-factor':
      return [request, {
        step: 'second-factor',
        pending: {
          accountId: decision.account.id,
          sessionId: decision.session.id,
          factors: decision.factors,
          rememberMe: decision.session.rememberMe,
          target: decision.target,
          failures: 0,
        },
      }];
    case 'login':
      return [{ ...request, loginHint: decision.loginHint }, { step: 'login' }];
  }
};
