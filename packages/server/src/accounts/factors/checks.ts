import { isIP } from 'node:net';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FactorChecks } from '../../oauth/authorize/steps/deps.js';
import type { FactorDeps } from './deps.js';
import { authenticationOptions, finishAuthentication } from './passkeys.js';
import { useRecoveryCode } from './recovery-codes.js';
import { verifyTotp } from './totp.js';

/** A passkey assertion's JSON as the page posts it; anything else is not one (the verifier checks the rest). */
const isAssertion = (v: unknown): v is AuthenticationResponseJSON =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' && typeof (v as { response?: unknown }).response === 'object';

/**
 * The checks the sign-in steps make of an account's second factors (oauth/authorize/steps/deps.ts),
 * on the factor use cases. Passkeys need an RP ID that is a domain (WebAuthn §5.1.4.1): an issuer
 * on an IP address offers none, and TOTP only.
 */
export const factorChecks = (deps: FactorDeps): FactorChecks => {
  const passkeysPossible = isIP(deps.rp.id.replace(/^\[|\]$/g, '')) === 0;
  return {
    async enrolled(accountId) {
      const confirmed = (await deps.factors.factorsOf(accountId)).filter((f) => f.confirmedAt !== undefined);
      return {
        totp: confirmed.some((f) => f.kind === 'totp'),
        passkey: passkeysPossible && confirmed.some((f) => f.kind === 'passkey'),
        recoveryCodes: (await deps.factors.recoveryCodesLeft(accountId)) > 0,
      };
    },
    verifyTotp: async (accountId, code) => (await verifyTotp(deps, accountId, code)) !== undefined,
    useRecoveryCode: (accountId, code) => useRecoveryCode(deps, accountId, code),
    passkeyChallenge: async (accountId, ceremonyId) => (passkeysPossible ? authenticationOptions(deps, accountId, ceremonyId) : undefined),
    async verifyPasskey(challengeId, response, expectedAccountId) {
      if (!passkeysPossible || !isAssertion(response)) return undefined;
      const signIn = await finishAuthentication(deps, challengeId, response, expectedAccountId);
      return signIn && { accountId: signIn.accountId, userVerified: signIn.userVerified, deviceBound: signIn.deviceType === 'singleDevice' };
    },
  };
};
