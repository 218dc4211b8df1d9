/** The account_factors and webauthn_challenges rows as records, the same on every store. */
import type { ChallengePurpose, Factor, PasskeyFactor, TotpFactor, WebAuthnChallenge } from '../accounts/factors/store.js';
import type { SealedJwk } from '../tokens/key-encryption.js';

type Row = Record<string, unknown>;

const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

/** What the `data` column holds: the fields of the factor's kind that have no column of their own. */
export const factorData = (f: Factor): Record<string, unknown> =>
  f.kind === 'passkey'
    ? { publicKey: f.publicKey, counter: f.counter, transports: f.transports, deviceType: f.deviceType, backedUp: f.backedUp }
    : { secret: f.secret };

export const toFactor = (r: Row): Factor => {
  const data = JSON.parse(r.data as string) as Record<string, unknown>;
  const base = {
    id: r.id as string,
    accountId: r.account_id as string,
    label: r.label as string,
    createdAt: r.created_at as number,
    confirmedAt: opt<number>(r.confirmed_at),
    lastUsedAt: opt<number>(r.last_used_at),
  };
  if (r.kind === 'passkey') {
    const passkey: PasskeyFactor = {
      ...base,
      kind: 'passkey',
      credentialId: r.credential_id as string,
      publicKey: data.publicKey as string,
      counter: data.counter as number,
      transports: data.transports as string[],
      deviceType: data.deviceType as PasskeyFactor['deviceType'],
      backedUp: data.backedUp as boolean,
    };
    return passkey;
  }
  const totp: TotpFactor = { ...base, kind: 'totp', secret: data.secret as SealedJwk, lastUsedStep: opt<number>(r.last_used_step) };
  return totp;
};

export const toChallenge = (r: Row): WebAuthnChallenge => ({
  id: r.id as string,
  challenge: r.challenge as string,
  accountId: opt<string>(r.account_id),
  purpose: r.purpose as ChallengePurpose,
  expiresAt: r.expires_at as number,
});
