/**
 * One-time codes from an authenticator app (RFC 6238 TOTP, issue 14 §2): HMAC-SHA-1, six digits,
 * 30-second steps (RFC 6238 §4, §5.2: the values every app supports), accepted one step either
 * side for clock drift, and each step's code once (§5.2: "the verifier MUST NOT accept the second
 * attempt of the OTP after the successful validation has been issued for the first OTP").
 */
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { nowSeconds } from '../../clock.js';
import { SignoffError } from '../../errors.js';
import { openText, sealText } from '../../tokens/key-encryption.js';
import type { Account } from '../store.js';
import { type FactorDeps, factorLabel } from './deps.js';
import { enrolled, hasSecondFactor } from './manage.js';
import type { TotpFactor } from './store.js';

const PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** RFC 6238 §5.2 recommends at most one step of drift either way. */
const WINDOW = 1;
/** RFC 4226 §4 R6: a shared secret of 160 bits. */
const SECRET_BYTES = 20;

/** The additional data a factor's secret is sealed with: it opens for this factor only. */
const aad = (factorId: string): string => `totp:${factorId}`;

export interface TotpEnrolment {
  factorId: string;
  /** The secret in base32, to type into an app that cannot scan. */
  secret: string;
  /** The Key URI Format's otpauth:// URI the QR code holds. */
  uri: string;
  /** The QR code as an SVG document, to inline in the page (no image request, no script). */
  qrSvg: string;
}

/** Starts an enrolment: a new secret, stored sealed and unconfirmed until confirmTotp sees a first code. */
export const startTotpEnrolment = async (
  deps: Pick<FactorDeps, 'factors' | 'clock' | 'kek' | 'rp'>,
  account: Pick<Account, 'id' | 'username'>,
  label: string,
): Promise<TotpEnrolment> => {
  const name = factorLabel(label);
  const secret = new Secret({ size: SECRET_BYTES });
  const factorId = randomUUID();
  await deps.factors.insertFactor({
    id: factorId,
    accountId: account.id,
    kind: 'totp',
    label: name,
    secret: sealText(deps.kek, aad(factorId), secret.base32),
    createdAt: nowSeconds(deps.clock),
  });
  return enrolmentOf(deps, account, factorId, secret);
};

const enrolmentOf = async (deps: Pick<FactorDeps, 'rp'>, account: Pick<Account, 'username'>, factorId: string, secret: Secret): Promise<TotpEnrolment> => {
  const uri = new TOTP({ ...PARAMS, issuer: deps.rp.name, label: account.username, secret }).toString();
  // Loaded at the first enrolment, not by every command (qrcode and its dependencies).
  const qrSvg = await (await import('qrcode')).default.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { factorId, secret: secret.base32, uri, qrSvg };
};

/** The enrolment again (its QR code and secret), while it waits for its first code; else undefined. */
export const resumeTotpEnrolment = async (
  deps: Pick<FactorDeps, 'factors' | 'kek' | 'rp'>,
  account: Pick<Account, 'id' | 'username'>,
  factorId: string,
): Promise<TotpEnrolment | undefined> => {
  const factor = await deps.factors.factorOf(account.id, factorId);
  if (factor?.kind !== 'totp' || factor.confirmedAt !== undefined) return undefined;
  const base32 = openText(deps.kek, aad(factor.id), factor.secret);
  return base32 === undefined ? undefined : enrolmentOf(deps, account, factorId, Secret.fromBase32(base32));
};

/**
 * The time step a code is good for now (window ±1), or undefined. Only six ASCII digits are
 * tried (spaces the user typed between groups aside): otpauth compares bytes, and a code of
 * other characters (Unicode digits) would not be the length it expects.
 */
const matchingStep = (deps: Pick<FactorDeps, 'clock' | 'kek'>, factor: TotpFactor, code: string): number | undefined => {
  if (code.length > 32) return undefined;
  const token = code.replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(token)) return undefined;
  const base32 = openText(deps.kek, aad(factor.id), factor.secret);
  if (base32 === undefined) {
    throw new SignoffError('server_error', 'The second factor cannot be checked now.', `the TOTP secret of factor ${factor.id} does not open under key-encryption key ${deps.kek.id}`);
  }
  const timestamp = deps.clock.nowMs();
  const delta = TOTP.validate({ ...PARAMS, token, secret: Secret.fromBase32(base32), timestamp, window: WINDOW });
  return delta === null ? undefined : TOTP.counter({ period: PARAMS.period, timestamp }) + delta;
};

/**
 * Confirms an enrolment with a first code, which is then used (it cannot sign in again). Returns
 * the recovery codes to show once when this is the account's first second factor; undefined when
 * the code is wrong or the enrolment unknown or confirmed already.
 */
export const confirmTotp = async (
  deps: Pick<FactorDeps, 'factors' | 'events' | 'clock' | 'kek'>,
  accountId: string,
  factorId: string,
  code: string,
): Promise<{ factor: TotpFactor; recoveryCodes?: string[] | undefined } | undefined> => {
  const factor = await deps.factors.factorOf(accountId, factorId);
  if (factor?.kind !== 'totp' || factor.confirmedAt !== undefined) return undefined;
  const step = matchingStep(deps, factor, code);
  const now = nowSeconds(deps.clock);
  if (step === undefined || !(await deps.factors.useTotpStep(factor.id, step, now))) return undefined;
  const hadFactor = await hasSecondFactor(deps, accountId);
  if (!(await deps.factors.confirmFactor(accountId, factorId, now))) return undefined;
  const recoveryCodes = await enrolled(deps, accountId, 'totp', hadFactor);
  return { factor: { ...factor, confirmedAt: now, lastUsedAt: now, lastUsedStep: step }, recoveryCodes };
};

/** The account's confirmed TOTP factor this code is good for, now and for the first time; else undefined. */
export const verifyTotp = async (deps: Pick<FactorDeps, 'factors' | 'clock' | 'kek'>, accountId: string, code: string): Promise<TotpFactor | undefined> => {
  const now = nowSeconds(deps.clock);
  for (const factor of await deps.factors.factorsOf(accountId)) {
    if (factor.kind !== 'totp' || factor.confirmedAt === undefined) continue;
    const step = matchingStep(deps, factor, code);
    if (step !== undefined && (await deps.factors.useTotpStep(factor.id, step, now))) return { ...factor, lastUsedAt: now, lastUsedStep: step };
  }
  return undefined;
};
