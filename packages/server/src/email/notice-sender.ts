/**
 * Sending a security notice (issue 17 §4) without an HTTP app: the rule the routes, the account
 * use cases' notifier and the command line share — only when `email.notices` enables it and the
 * account has an email claim; the caller sends it only after the change committed.
 */
import { emailOf } from '../accounts/password-reset.js';
import type { Account } from '../accounts/store.js';
import type { LifecycleDeps } from '../accounts/lifecycle.js';
import { type Clock, nowSeconds } from '../clock.js';
import type { Config } from '../config/schema.js';
import { ENDPOINTS } from '../http/endpoints.js';
import { type Translator, chooseLocale, translator } from '../http/pages/i18n/index.js';
import { type Notice, noticeMail } from './templates.js';
import type { Mailer } from './transport.js';

export interface NoticeDeps {
  config: Readonly<Pick<Config, 'issuer' | 'email' | 'branding'>>;
  clock: Clock;
  /** Undefined when `email` is not configured: no notice is sent. */
  mailer: Mailer | undefined;
}

const ENABLED: Record<Notice, 'newDevice' | 'passwordChanged' | 'newPasskey'> = { new_device: 'newDevice', password_changed: 'passwordChanged', new_passkey: 'newPasskey' };

const enabled = (deps: NoticeDeps, notice: Notice): boolean => deps.mailer !== undefined && deps.config.email?.notices[ENABLED[notice]] === true;

/** Sends the notice when it is enabled and the account has an address; call after the change committed. */
export const sendNoticeWith = (deps: NoticeDeps, t: Translator, notice: Notice, account: Pick<Account, 'username' | 'claims'>, device?: string): void => {
  const to = emailOf(account);
  if (!to || !deps.mailer || !enabled(deps, notice)) return;
  deps.mailer.send(
    `notice_${notice}`,
    noticeMail(t, notice, { to, product: deps.config.branding.productName, account: account.username, at: nowSeconds(deps.clock), ...(device ? { device } : {}), resetUrl: deps.config.issuer + ENDPOINTS.accountForgot }),
  );
};

/**
 * The language of a mail no request asked for (an administrator's change): the account's
 * `locale` claim (OpenID Connect Core §5.1, a BCP 47 tag; `en_US` is read as `en-US`), else English.
 */
export const accountTranslator = (account: Pick<Account, 'claims'>): Translator => {
  const locale = account.claims.locale;
  return translator(chooseLocale({ uiLocales: typeof locale === 'string' ? locale.slice(0, 35).replaceAll('_', '-') : undefined }));
};

/**
 * The account use cases' `passwordChanged` (accounts/lifecycle.ts): the password-changed notice,
 * in `t` (the language of the request that made the change) or else the account's own. Undefined
 * when the notice is off, so that a change does not read the account again for nothing.
 */
export const passwordChangedNotifier = (deps: NoticeDeps, t?: Translator): LifecycleDeps['passwordChanged'] =>
  enabled(deps, 'password_changed') ? (account) => sendNoticeWith(deps, t ?? accountTranslator(account), 'password_changed', account) : undefined;
