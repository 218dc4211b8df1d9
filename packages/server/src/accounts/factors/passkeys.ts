/**
 * Passkeys (WebAuthn Level 3, issue 14 §2): registered as discoverable credentials with user
 * verification, used as a second factor after a password or alone (passwordless), listed and
 * removed through manage.ts. Every ceremony's challenge is stored and taken once.
 *
 * User verification is `required`, at registration and at every sign-in: a passkey then proves
 * possession and a PIN or biometric, so alone it is multi-factor (the `mfa` acr) and a
 * passwordless sign-in is never a single factor. Platform passkeys verify the user anyway; a
 * security key without a PIN is asked to set one, which is the point.
 */
import { randomUUID } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  VerifiedAuthenticationResponse,
  VerifiedRegistrationResponse,
} from '@simplewebauthn/server';
import { nowSeconds } from '../../clock.js';
import type { Account } from '../store.js';
import { type FactorDeps, factorLabel } from './deps.js';
import { enrolled, hasSecondFactor } from './manage.js';
import type { ChallengePurpose, PasskeyFactor } from './store.js';

/**
 * The WebAuthn library, loaded at the first ceremony: with its ASN.1 and CBOR parsers it takes
 * most of a second to import, which every `signoff` command and start-up would otherwise pay.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

/** WebAuthn §15.1 recommends 5-10 minutes when user verification is required; the challenge lives as long. */
const TIMEOUT_SECONDS = 300;

const bytes = (base64url: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(base64url, 'base64url'));

/**
 * The user handle (WebAuthn §14.6.1: no personal information): the account id's bytes. A
 * discoverable credential returns it at sign-in, and it must name the credential's account.
 */
const userHandle = (accountId: string): string => Buffer.from(accountId, 'utf8').toString('base64url');

const newChallenge = async (deps: Pick<FactorDeps, 'factors' | 'clock'>, challenge: string, purpose: ChallengePurpose, accountId?: string, id: string = randomUUID()): Promise<string> => {
  await deps.factors.insertChallenge({ id, challenge, accountId, purpose, expiresAt: nowSeconds(deps.clock) + TIMEOUT_SECONDS });
  return id;
};

/** The challenge, taken once, if it is this ceremony's and the account's. */
const takeChallenge = async (deps: Pick<FactorDeps, 'factors' | 'clock'>, challengeId: string, purpose: ChallengePurpose, accountId?: string) => {
  if (typeof challengeId !== 'string' || challengeId.length > 64) return undefined;
  const c = await deps.factors.takeChallenge(challengeId, nowSeconds(deps.clock));
  return c?.purpose === purpose && c.accountId === accountId ? c : undefined;
};

const passkeysOf = async (deps: Pick<FactorDeps, 'factors'>, accountId: string): Promise<PasskeyFactor[]> =>
  (await deps.factors.factorsOf(accountId)).filter((f): f is PasskeyFactor => f.kind === 'passkey');

/** Options for navigator.credentials.create(), and the id of the challenge to finish with. */
export const registrationOptions = async (
  deps: Pick<FactorDeps, 'factors' | 'clock' | 'rp'>,
  account: Pick<Account, 'id' | 'username'>,
): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> => {
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: deps.rp.name,
    rpID: deps.rp.id,
    userName: account.username,
    userID: bytes(userHandle(account.id)),
    timeout: TIMEOUT_SECONDS * 1000,
    attestationType: 'none',
    // WebAuthn §5.4.4: the account's own passkeys, so one authenticator is not registered twice.
    excludeCredentials: (await passkeysOf(deps, account.id)).map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  });
  return { challengeId: await newChallenge(deps, options.challenge, 'register', account.id), options };
};

/**
 * Verifies the authenticator's response (WebAuthn §7.1) against the stored challenge, the
 * issuer's origin and RP ID, and stores the passkey. Returns it, and the recovery codes to show
 * once when it is the account's first second factor; undefined when the response does not verify.
 */
export const finishRegistration = async (
  deps: Pick<FactorDeps, 'factors' | 'events' | 'clock' | 'rp'>,
  account: Pick<Account, 'id'>,
  challengeId: string,
  response: RegistrationResponseJSON,
  label: string,
): Promise<{ factor: PasskeyFactor; recoveryCodes?: string[] | undefined } | undefined> => {
  const name = factorLabel(label);
  const challenge = await takeChallenge(deps, challengeId, 'register', account.id);
  if (!challenge) return undefined;
  let info: NonNullable<VerifiedRegistrationResponse['registrationInfo']>;
  try {
    const result = await (await webauthn()).verifyRegistrationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: deps.rp.origin,
      expectedRPID: deps.rp.id,
      requireUserVerification: true,
    });
    if (!result.verified) return undefined;
    info = result.registrationInfo;
  } catch {
    // The library throws for every malformed or mismatched response: to the caller, it did not verify.
    return undefined;
  }
  // WebAuthn §7.1 step 26: a credential id registered already (to any account) is refused.
  if (await deps.factors.factorByCredentialId(info.credential.id)) return undefined;
  const now = nowSeconds(deps.clock);
  const factor: PasskeyFactor = {
    id: randomUUID(),
    accountId: account.id,
    kind: 'passkey',
    label: name,
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    createdAt: now,
    confirmedAt: now,
  };
  const hadFactor = await hasSecondFactor(deps, account.id);
  try {
    await deps.factors.insertFactor(factor);
  } catch {
    // The same credential registered concurrently: the unique credential_id refused this one.
    if (await deps.factors.factorByCredentialId(factor.credentialId)) return undefined;
    throw new Error(`the passkey ${factor.id} could not be stored`);
  }
  return { factor, recoveryCodes: await enrolled(deps, account.id, 'passkey', hadFactor) };
};

/**
 * Options for navigator.credentials.get(). With an account (a second factor after the password),
 * its passkeys are allowed; without one (passwordless), allowCredentials is empty and the
 * authenticator offers its discoverable credentials for the RP ID (WebAuthn §5.5). `ceremonyId`
 * names the challenge when the caller has a ceremony of its own (a sign-in's interaction): shown
 * again, the page replaces that one challenge instead of adding rows anyone could pile up.
 */
export const authenticationOptions = async (
  deps: Pick<FactorDeps, 'factors' | 'clock' | 'rp'>,
  accountId?: string,
  ceremonyId?: string,
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> => {
  const allowCredentials = accountId === undefined ? [] : (await passkeysOf(deps, accountId)).map((p) => ({ id: p.credentialId, transports: p.transports }));
  const options = await (await webauthn()).generateAuthenticationOptions({ rpID: deps.rp.id, allowCredentials, timeout: TIMEOUT_SECONDS * 1000, userVerification: 'required' });
  return { challengeId: await newChallenge(deps, options.challenge, 'authenticate', accountId, ceremonyId), options };
};

export interface PasskeySignIn {
  accountId: string;
  factorId: string;
  userVerified: boolean;
  deviceType: PasskeyFactor['deviceType'];
}

/**
 * Verifies an assertion (WebAuthn §7.2) against the stored challenge, which must have been issued
 * for the same account (or for none, passwordless). The credential must belong to
 * `expectedAccountId` when one is given; its signature counter must go forward unless the
 * authenticator keeps none (§7.2 step 22, checked again by the store so it holds across
 * instances). Undefined when anything does not verify.
 */
export const finishAuthentication = async (
  deps: Pick<FactorDeps, 'factors' | 'clock' | 'rp'>,
  challengeId: string,
  response: AuthenticationResponseJSON,
  expectedAccountId?: string,
): Promise<PasskeySignIn | undefined> => {
  const challenge = await takeChallenge(deps, challengeId, 'authenticate', expectedAccountId);
  if (!challenge || typeof response?.id !== 'string' || response.id.length > 1024) return undefined;
  const factor = await deps.factors.factorByCredentialId(response.id);
  if (!factor || factor.confirmedAt === undefined) return undefined;
  if (expectedAccountId !== undefined && factor.accountId !== expectedAccountId) return undefined;
  // WebAuthn §7.2 step 6: the user handle, which a discoverable sign-in must return, names the credential's account.
  const handle = response.response?.userHandle;
  if (handle === undefined ? expectedAccountId === undefined : handle !== userHandle(factor.accountId)) return undefined;
  let info: VerifiedAuthenticationResponse['authenticationInfo'];
  try {
    const result = await (await webauthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: deps.rp.origin,
      expectedRPID: deps.rp.id,
      credential: { id: factor.credentialId, publicKey: bytes(factor.publicKey), counter: factor.counter, transports: factor.transports },
      requireUserVerification: true,
    });
    if (!result.verified) return undefined;
    info = result.authenticationInfo;
  } catch {
    return undefined;
  }
  if (!(await deps.factors.usePasskey(factor.id, info.newCounter, nowSeconds(deps.clock)))) return undefined;
  return { accountId: factor.accountId, factorId: factor.id, userVerified: info.userVerified, deviceType: info.credentialDeviceType };
};
