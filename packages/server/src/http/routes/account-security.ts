import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { sendNotice } from '../../email/notices.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FactorError } from '../../accounts/factors/deps.js';
import { hasSecondFactor, listFactors, removeFactor } from '../../accounts/factors/manage.js';
import { finishRegistration, registrationOptions } from '../../accounts/factors/passkeys.js';
import { newRecoveryCodes } from '../../accounts/factors/recovery-codes.js';
import { confirmTotp, resumeTotpEnrolment, startTotpEnrolment } from '../../accounts/factors/totp.js';
import { nowSeconds } from '../../clock.js';
import { recordEnrolledFactor } from '../../account/enrolled-factor.js';
import { fail } from '../../errors.js';
import { countingFactors, levelOf, meetsLevel } from '../../oauth/authorize/acr.js';
import { signedInAccounts } from '../../oauth/authorize/decide.js';
import { one } from '../../oauth/params.js';
import { type Provider, factorDeps } from '../../provider.js';
import type { Session } from '../../sessions/store.js';
import { constantTimeEqual } from '../../util/secrets.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { type AccountSecurityView, accountSecurityPage } from '../pages/account-security.js';
import { newNonce } from '../pages/html.js';
import { pageChrome } from '../page-chrome.js';
import { bodyParams, queryParams } from '../params.js';
import { sendNoStore, sendPage } from '../respond.js';

/** What the account pages share (routes/account.ts): this browser's sessions, the sign-in detour, the CSRF token. */
export interface AccountPageSupport {
  here(req: FastifyRequest, reply: FastifyReply): Promise<{ sessions: Session[]; secret: string } | undefined>;
  /** The normal sign-in (a fresh one of the named account, when given), then back to the named account page. */
  signInFirst(reply: FastifyReply, uiLocales: string | undefined, then: 'security', fresh?: FreshSignIn): FastifyReply;
  csrfTokenOf(secret: string): string;
}

/** A sign-in of this account — no older than `maxAge` seconds when given — with its second factor when it has one. */
export interface FreshSignIn {
  username: string;
  maxAge?: number | undefined;
}

/**
 * How recent a sign-in must be to change the account's factors (GitHub's "sudo mode", Okta's
 * re-authentication for factor changes): whoever holds a forgotten, unlocked browser cannot
 * remove the owner's passkey or add their own authenticator without the password and, where the
 * account has one, the second factor.
 */
export const RECENT_SIGN_IN = 900;

type Extra = Partial<Pick<AccountSecurityView, 'enrolment' | 'recoveryCodes' | 'notice' | 'status'>>;

/** A credential's JSON as the page's script posts it: an object with an id, at most 64 KiB. */
const credentialOf = (text: string | undefined): RegistrationResponseJSON | undefined => {
  if (text === undefined || text.length === 0 || text.length > 65_536) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as RegistrationResponseJSON) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * ISSUER/account/security (issue 14 §2): the second factors of an account signed in on this
 * browser — enrol an authenticator app or a passkey, remove one, make new recovery codes — and
 * the passkey registration options its script fetches. Every POST needs the page's CSRF token.
 */
export const accountSecurityRoutes = (app: FastifyInstance, p: Provider, support: AccountPageSupport): void => {
  const base = issuerPath(p.config.issuer);
  const deps = factorDeps(p);

  const accountOf = async (sessions: Session[], accountId: string | undefined) => {
    const current = sessions.find((s) => s.accountId === accountId) ?? [...sessions].sort((a, b) => b.lastSeen - a.lastSeen)[0];
    if (!current) return fail('server_error', 'No session to show.');
    const found = (await signedInAccounts(p.store, sessions)).find(({ account }) => account.id === current.accountId);
    if (!found) return fail('server_error', 'No account to show.');
    return found.account;
  };

  const show = async (req: FastifyRequest, reply: FastifyReply, secret: string, account: { id: string; username: string; claims: Record<string, unknown> }, extra: Extra = {}) => {
    const { factors, recoveryCodesLeft } = await listFactors(deps, account.id);
    return sendPage(
      reply,
      accountSecurityPage(pageChrome(p, req, one(queryParams(req), 'ui_locales')), {
        action: `${base}${ENDPOINTS.accountSecurity}`,
        passkeyOptions: `${base}${ENDPOINTS.accountPasskeyOptions}`,
        csrfToken: support.csrfTokenOf(secret),
        account: { id: account.id, label: (account.claims.name as string | undefined) ?? account.username },
        factors,
        recoveryCodesLeft,
        scriptNonce: newNonce(),
        ...extra,
      }),
    );
  };

  /**
   * What the account's session on this browser lacks to change factors: a recent sign-in, and —
   * when the account has a second factor it can use — that factor, recently (a password alone
   * must not take the second factor off). Undefined when it lacks nothing.
   */
  const lacking = async (sessions: readonly Session[], account: { id: string; username: string }): Promise<FreshSignIn | undefined> => {
    const session = sessions.find((s) => s.accountId === account.id);
    const now = nowSeconds(p.clock);
    if (!session || now - session.authTime > RECENT_SIGN_IN) return { username: account.username, maxAge: RECENT_SIGN_IN };
    const enrolled = await p.factors.enrolled(account.id);
    const multiFactor = meetsLevel(levelOf(countingFactors(session.factors, RECENT_SIGN_IN, now)), 'mfa');
    return (enrolled.totp || enrolled.passkey) && !multiFactor ? { username: account.username } : undefined;
  };
  /** The session that enrolled a factor verified it as it did (account/enrolled-factor.ts). */
  const enrolledHere = async (sessions: readonly Session[], accountId: string, factor: Parameters<typeof recordEnrolledFactor>[2]) => {
    const session = sessions.find((s) => s.accountId === accountId);
    if (session) await recordEnrolledFactor({ sessions: p.store, clock: p.clock, acrValues: p.config.acrValues }, session, factor);
  };
  const freshSignIn = (reply: FastifyReply, uiLocales: string | undefined, fresh: FreshSignIn) => support.signInFirst(reply, uiLocales, 'security', fresh);

  /** The posting browser's account, when its CSRF token is good and the account is signed in on it. */
  const posted = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = bodyParams(req);
    const h = await support.here(req, reply);
    if (!h) return { params, h };
    const accountId = one(params, 'account');
    const token = one(params, 'csrf_token');
    const csrf = token !== undefined && constantTimeEqual(token, support.csrfTokenOf(h.secret));
    const signedIn = h.sessions.some((s) => s.accountId === accountId);
    return { params, h, csrf, account: signedIn && csrf ? await accountOf(h.sessions, accountId) : undefined };
  };

  app.get(ENDPOINTS.accountSecurity, { config: { page: true } }, async (req, reply) => {
    const h = await support.here(req, reply);
    const q = queryParams(req);
    if (!h) return support.signInFirst(reply, one(q, 'ui_locales'), 'security');
    const account = await accountOf(h.sessions, one(q, 'account'));
    const lacks = await lacking(h.sessions, account);
    if (lacks) return freshSignIn(reply, one(q, 'ui_locales'), lacks);
    return show(req, reply, h.secret, account);
  });

  app.post(ENDPOINTS.accountSecurity, { config: { page: true } }, async (req, reply) => {
    const { params, h, csrf, account } = await posted(req, reply);
    if (!h) return support.signInFirst(reply, undefined, 'security');
    if (!csrf) return show(req, reply, h.secret, await accountOf(h.sessions, one(params, 'account')), { notice: { kind: 'refused', key: 'security.csrf' }, status: 403 });
    if (!account) return show(req, reply, h.secret, await accountOf(h.sessions, undefined), { notice: { kind: 'refused', key: 'security.not_found' }, status: 400 });
    // The page was shown after a fresh sign-in; a change posted once that is old asks for another.
    const lacks = await lacking(h.sessions, account);
    if (lacks) return freshSignIn(reply, undefined, lacks);
    const { t } = pageChrome(p, req, undefined);
    const label = (fallback: 'security.totp.default_label' | 'security.passkey.default_label') => one(params, 'label') || t.text(fallback);
    try {
      const removed = one(params, 'remove');
      if (removed !== undefined) {
        const ok = await removeFactor(deps, account.id, removed);
        return show(req, reply, h.secret, account, ok ? { notice: { kind: 'done', key: 'security.removed' } } : { notice: { kind: 'refused', key: 'security.not_found' }, status: 400 });
      }
      if (one(params, 'totp_start') !== undefined) {
        const enrolment = await startTotpEnrolment(deps, account, label('security.totp.default_label'));
        return show(req, reply, h.secret, account, { enrolment });
      }
      const confirming = one(params, 'totp_confirm');
      if (confirming !== undefined) {
        const done = await confirmTotp(deps, account.id, confirming, one(params, 'code') ?? '');
        if (done) {
          await enrolledHere(h.sessions, account.id, { method: 'totp' });
          return show(req, reply, h.secret, account, { notice: { kind: 'done', key: 'security.totp.done' }, recoveryCodes: done.recoveryCodes });
        }
        const enrolment = await resumeTotpEnrolment(deps, account, confirming);
        return show(req, reply, h.secret, account, { enrolment, notice: { kind: 'refused', key: enrolment ? 'security.totp.wrong' : 'security.not_found' }, status: 400 });
      }
      if (one(params, 'recovery_new') !== undefined && (await hasSecondFactor(deps, account.id))) {
        return show(req, reply, h.secret, account, { recoveryCodes: await newRecoveryCodes(deps, account.id) });
      }
      const credential = credentialOf(one(params, 'credential'));
      if (credential) {
        const done = await finishRegistration(deps, account, one(params, 'challenge_id') ?? '', credential, label('security.passkey.default_label'));
        if (done) {
          await enrolledHere(h.sessions, account.id, { method: 'passkey', userVerified: true, deviceBound: done.factor.deviceType === 'singleDevice' });
          // After the passkey is stored (issue 17 §4): the notice, when enabled and the account has an address.
          sendNotice(app, p, t, 'new_passkey', account);
          return show(req, reply, h.secret, account, { notice: { kind: 'done', key: 'security.passkey.done' }, recoveryCodes: done.recoveryCodes });
        }
        return show(req, reply, h.secret, account, { notice: { kind: 'refused', key: 'security.passkey.failed' }, status: 400 });
      }
    } catch (err) {
      if (err instanceof FactorError) return show(req, reply, h.secret, account, { notice: { kind: 'refused', key: 'security.bad_label' }, status: 400 });
      throw err;
    }
    return show(req, reply, h.secret, account, { notice: { kind: 'refused', key: 'security.not_found' }, status: 400 });
  });

  // The options for navigator.credentials.create(), for the page's script: JSON, never cached.
  app.post(ENDPOINTS.accountPasskeyOptions, async (req, reply) => {
    const { h, csrf, account } = await posted(req, reply);
    if (!h || !csrf || !account || (await lacking(h.sessions, account))) return sendNoStore(reply, 403, { error: 'access_denied' });
    return sendNoStore(reply, 200, await registrationOptions(deps, account));
  });
};
