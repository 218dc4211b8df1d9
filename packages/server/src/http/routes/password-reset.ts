import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_IDENTIFIER, WindowLimiter, issueResetToken, resetPassword, accountOfResetToken, type ResetDeps } from '../../accounts/password-reset.js';
import { nowSeconds } from '../../clock.js';
import type { EmailConfig } from '../../config/schema.js';
import { passwordChangedNotifier } from '../../email/notice-sender.js';
import { mailerFor } from '../../email/notices.js';
import { resetMail } from '../../email/templates.js';
import type { Mailer } from '../../email/transport.js';
import { one } from '../../oauth/params.js';
import { type Provider, lifecycleDeps } from '../../provider.js';
import { cookieScope } from '../../sessions/browser-cookie.js';
import { constantTimeEqual, isRandomToken, randomToken } from '../../util/secrets.js';
import { readCookie, setCookie } from '../cookies.js';
import { ENDPOINTS, issuerPath } from '../endpoints.js';
import { pageChrome } from '../page-chrome.js';
import { forgotPage, forgotSentPage, resetDonePage, resetInvalidPage, resetPage } from '../pages/password-reset.js';
import { bodyParams, queryParams } from '../params.js';
import { sendPage } from '../respond.js';

/** The CSRF token of the reset forms: an HMAC of a random cookie (double submit, bound to this browser; nothing stored). */
const csrfTokenOf = (secret: string): string => createHmac('sha256', secret).update('signoff password reset').digest('base64url');

/** ui_locales of a query or form, when short enough to be a language list (never an error here). */
const uiOf = (params: Parameters<typeof one>[0]): string | undefined => {
  const values = params.ui_locales;
  const v = values?.length === 1 ? values[0] : undefined;
  return v !== undefined && v.length <= 200 ? v : undefined;
};

/**
 * Self-service password reset (issue 17 §4; OWASP Forgot Password Cheat Sheet), served only when
 * `email` is configured: ISSUER/account/forgot asks for a username or email address and always
 * answers the same page — the lookup and the mail happen after the answer is sent, so neither its
 * content nor its timing says whether an account matched; ISSUER/account/reset?token=… shows the
 * form that posts the token (never the URL) with the new password.
 */
export const passwordResetRoutes = (app: FastifyInstance, p: Provider): void => {
  const email = p.config.email;
  if (!email) return;
  const mailer = mailerFor(app, p);
  if (mailer) registerResetRoutes(app, p, email, mailer);
};

const registerResetRoutes = (app: FastifyInstance, p: Provider, email: Readonly<EmailConfig>, mailer: Mailer): void => {
  const base = issuerPath(p.config.issuer);
  const scope = cookieScope(p.config.issuer);
  const cookieName = `${scope.prefix}signoff-reset`;
  const forgotAction = `${base}${ENDPOINTS.accountForgot}`;
  const resetAction = `${base}${ENDPOINTS.accountReset}`;
  const minutes = Math.round(email.resetTokenTtl / 60);
  const perAddress = new WindowLimiter(email.resetsPerAddress, email.resetTokenTtl);
  const deps: ResetDeps = { accounts: p.store, resetTokens: p.store, clock: p.clock, ttl: email.resetTokenTtl, perAccount: email.resetsPerAccount };
  const lifecycle = lifecycleDeps(p);
  const notices = { config: p.config, clock: p.clock, mailer };

  /** This browser's CSRF secret, set when it has none (or a malformed one). */
  const secretOf = (req: FastifyRequest, reply: FastifyReply): string => {
    const existing = readCookie(req, cookieName);
    if (existing !== undefined && isRandomToken(existing)) return existing;
    const secret = randomToken(32);
    setCookie(reply, cookieName, secret, { secure: scope.secure, path: scope.path, maxAge: Math.max(p.config.interactionTtl, email.resetTokenTtl) });
    return secret;
  };
  const csrfOk = (req: FastifyRequest, token: string | undefined): boolean => {
    const secret = readCookie(req, cookieName);
    return secret !== undefined && isRandomToken(secret) && token !== undefined && constantTimeEqual(token, csrfTokenOf(secret));
  };

  app.get(ENDPOINTS.accountForgot, { config: { page: true } }, async (req, reply) => {
    const ui = uiOf(queryParams(req));
    return sendPage(reply, forgotPage(pageChrome(p, req, ui), { action: forgotAction, csrfToken: csrfTokenOf(secretOf(req, reply)), uiLocales: ui }));
  });

  app.post(ENDPOINTS.accountForgot, { config: { page: true } }, async (req, reply) => {
    const params = bodyParams(req);
    const ui = uiOf(params);
    const c = pageChrome(p, req, ui);
    if (!csrfOk(req, one(params, 'csrf_token'))) {
      return sendPage(reply, forgotPage(c, { action: forgotAction, csrfToken: csrfTokenOf(secretOf(req, reply)), uiLocales: ui, error: 'forgot.csrf' }, 403));
    }
    const identifier = (one(params, 'identifier') ?? '').trim().normalize('NFC');
    const allowed = perAddress.allow(req.ip, nowSeconds(p.clock));
    if (allowed && identifier.length > 0 && identifier.length <= MAX_IDENTIFIER) {
      // After the answer: the lookup, the throttle and the mail take the same (no) time for everyone.
      setImmediate(() => {
        issueResetToken(deps, identifier)
          .then((issued) => {
            if (!issued) return;
            const link = `${p.config.issuer}${ENDPOINTS.accountReset}?token=${issued.token}`;
            mailer.send('password_reset', resetMail(c.t, { to: issued.email, product: p.config.branding.productName, account: issued.account.username, link, minutes }));
          })
          .catch((err: unknown) => req.log.warn({ err }, 'password reset request failed'));
      });
    }
    return sendPage(reply, forgotSentPage(c, { minutes }));
  });

  const policyOf = async (accountId: string) => {
    const second = (await lifecycle.hasSecondFactor?.(accountId)) ?? false;
    return { minLength: second ? p.config.passwords.minLengthWithSecondFactor : p.config.passwords.minLength, maxLength: p.config.passwords.maxLength };
  };
  const invalid = (req: FastifyRequest, reply: FastifyReply, ui: string | undefined) =>
    sendPage(reply, resetInvalidPage(pageChrome(p, req, ui), { forgotUrl: ui ? `${forgotAction}?ui_locales=${encodeURIComponent(ui)}` : forgotAction }));

  app.get(ENDPOINTS.accountReset, { config: { page: true } }, async (req, reply) => {
    const q = queryParams(req);
    const token = one(q, 'token') ?? '';
    const ui = uiOf(q);
    const account = await accountOfResetToken(deps, token);
    if (!account) return invalid(req, reply, ui);
    const c = pageChrome(p, req, ui);
    return sendPage(reply, resetPage(c, { action: resetAction, csrfToken: csrfTokenOf(secretOf(req, reply)), uiLocales: ui, token, account: account.username, ...(await policyOf(account.id)) }));
  });

  app.post(ENDPOINTS.accountReset, { config: { page: true } }, async (req, reply) => {
    const params = bodyParams(req);
    const token = one(params, 'token') ?? '';
    const password = one(params, 'password') ?? '';
    const ui = uiOf(params);
    const account = await accountOfResetToken(deps, token);
    if (!account) return invalid(req, reply, ui);
    const c = pageChrome(p, req, ui);
    const view = { action: resetAction, csrfToken: csrfTokenOf(secretOf(req, reply)), uiLocales: ui, token, account: account.username, ...(await policyOf(account.id)) };
    if (!csrfOk(req, one(params, 'csrf_token'))) return sendPage(reply, resetPage(c, { ...view, error: 'csrf' }, 403));
    // The notice (issue 17 §4) in this request's language, from the lifecycle after the change committed.
    const outcome = await resetPassword({ ...deps, lifecycle: { ...lifecycle, passwordChanged: passwordChangedNotifier(notices, c.t) } }, { token, password });
    if (outcome.kind === 'invalid_token') return invalid(req, reply, ui);
    if (outcome.kind === 'refused') return sendPage(reply, resetPage(c, { ...view, error: outcome.reason }, 400));
    return sendPage(reply, resetDonePage(c, { signInUrl: `${base}${ENDPOINTS.accountSessions}` }));
  });
};
