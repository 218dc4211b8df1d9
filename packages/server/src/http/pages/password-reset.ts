import type { PasswordRefusalReason } from '../../accounts/password-policy.js';
import { type Page, type PageChrome, esc, page } from './html.js';

/**
 * The password-reset pages (issue 17 §4): plain forms that work without script, each with the
 * CSRF token; an error is tied to its field (aria-describedby, aria-invalid) and announced.
 */
/** The request's ui_locales, carried by the form so the next page (and the mail) keep the language. */
const localesField = (ui: string | undefined): string => (ui ? `\n<input type="hidden" name="ui_locales" value="${esc(ui)}">` : '');

export interface ForgotView {
  action: string;
  csrfToken: string;
  uiLocales?: string | undefined;
  error?: 'forgot.csrf' | undefined;
}

export const forgotPage = (c: PageChrome, v: ForgotView, status = 200): Page => {
  const { t } = c;
  const err = v.error ? ' aria-invalid="true" aria-describedby="forgot-error forgot-intro"' : ' aria-describedby="forgot-intro"';
  return page({
    title: t.text('forgot.title'),
    status,
    chrome: c,
    sessionsLink: false,
    body: `<h1>${t.html('forgot.title')}</h1>
<p class="muted" id="forgot-intro">${t.html('forgot.intro')}</p>
${v.error ? `<p class="error" id="forgot-error" role="alert">${t.html(v.error)}</p>` : ''}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">${localesField(v.uiLocales)}
<label for="identifier">${t.html('forgot.identifier')}</label>
<input type="text" id="identifier" name="identifier" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="320"${err} autofocus>
<button type="submit">${t.html('forgot.submit')}</button>
</form>`,
  });
};

/** The one answer to every request, whether or not an account matched (OWASP: no account enumeration). */
export const forgotSentPage = (c: PageChrome, v: { minutes: number }): Page => {
  const { t } = c;
  return page({
    title: t.text('forgot.sent.title'),
    chrome: c,
    sessionsLink: false,
    body: `<h1>${t.html('forgot.sent.title')}</h1>
<p role="status">${t.html('forgot.sent.body', { minutes: v.minutes })}</p>`,
  });
};

export interface ResetView {
  action: string;
  csrfToken: string;
  uiLocales?: string | undefined;
  token: string;
  account: string;
  minLength: number;
  maxLength: number;
  error?: PasswordRefusalReason | 'csrf' | undefined;
}

export const resetPage = (c: PageChrome, v: ResetView, status = 200): Page => {
  const { t } = c;
  const message = v.error === undefined ? '' : v.error === 'csrf' ? t.html('forgot.csrf') : t.html(`reset.refused.${v.error}`, { min: v.minLength, max: v.maxLength });
  const described = ['reset-hint', ...(v.error ? ['reset-error'] : [])].join(' ');
  return page({
    title: t.text('reset.title'),
    status,
    chrome: c,
    sessionsLink: false,
    body: `<h1>${t.html('reset.title')}</h1>
<p>${t.html('reset.intro', { account: `<strong>${esc(v.account)}</strong>` })}</p>
${v.error ? `<p class="error" id="reset-error" role="alert">${message}</p>` : ''}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<input type="hidden" name="token" value="${esc(v.token)}">${localesField(v.uiLocales)}
<input type="text" name="username" autocomplete="username" value="${esc(v.account)}" hidden>
<label for="new-password">${t.html('reset.password')}</label>
<input type="password" id="new-password" name="password" autocomplete="new-password" required minlength="${v.minLength}" maxlength="${v.maxLength}" aria-describedby="${described}"${v.error ? ' aria-invalid="true"' : ''} autofocus>
<p class="muted hint" id="reset-hint">${t.html('reset.password_hint', { min: v.minLength })}</p>
<button type="submit">${t.html('reset.submit')}</button>
</form>`,
  });
};

export const resetInvalidPage = (c: PageChrome, v: { forgotUrl: string }): Page => {
  const { t } = c;
  return page({
    title: t.text('reset.invalid.title'),
    status: 400,
    chrome: c,
    sessionsLink: false,
    body: `<h1>${t.html('reset.invalid.title')}</h1>
<p class="error" role="alert">${t.html('reset.invalid.body')}</p>
<p><a href="${esc(v.forgotUrl)}">${t.html('reset.invalid.again')}</a></p>`,
  });
};

export const resetDonePage = (c: PageChrome, v: { signInUrl: string }): Page => {
  const { t } = c;
  return page({
    title: t.text('reset.done.title'),
    chrome: c,
    sessionsLink: false,
    body: `<h1>${t.html('reset.done.title')}</h1>
<p role="status">${t.html('reset.done.body')}</p>
<p><a href="${esc(v.signInUrl)}">${t.html('reset.done.sign_in')}</a></p>`,
  });
};
