import type { FactorChecks } from '../../oauth/authorize/steps/deps.js';

/** The second factors' checks the sign-in steps use. */
export const factorChecks = (): FactorChecks => ({
  enrolled: async () => ({ totp: false, passkey: false, recoveryCodes: false }),
  verifyTotp: async () => false,
  useRecoveryCode: async () => false,
  passkeyChallenge: async () => undefined,
  verifyPasskey: async () => undefined,
});
