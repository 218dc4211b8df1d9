import type { PasskeyChallenge, Refusal } from '../../oauth/authorize/steps/deps.js';
import { type Page, type PageChrome, esc, newNonce, page } from './html.js';
import { passkeyForm } from './passkey.js';

export interface LoginView {
  action: string;
  csrfToken: string;
  clientName: string;
  /** The client's logo_uri (RFC 7591 §2), shown beside its name. */
  clientLogo?: string | undefined;
  username?: string | undefined;
  /** A message of the catalogue: never says whether the username exists. */
  error?: Refusal | undefined;
  /** Passwordless sign-in (issue 14 §2): where the passkey form posts, and its discoverable-credential challenge. */
  passkeyAction?: string | undefined;
  passkey?: PasskeyChallenge | undefined;
  formTargets: readonly string[];
  /** A button per upstream provider (issue 15 §1): each a form posting `upstream` to `upstreamAction`. */
  upstreams?: readonly { id: string; name: string; origin: string }[] | undefined;
  upstreamAction?: string | undefined;
}

/** The upstream providers' buttons: plain forms, so they work without script; CSRF-protected like every form. */
const upstreamButtons = (c: PageChrome, v: LoginView): string => {
  if (!v.upstreams?.length || !v.upstreamAction) return '';
  const { t } = c;
  const buttons = v.upstreams
    .map((u) => `<form method="post" action="${esc(v.upstreamAction ?? '')}"><input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}"><button type="submit" name="upstream" value="${esc(u.id)}" class="secondary">${t.html('login.upstream', { provider: esc(u.name) })}</button></form>`)
    .join('\n');
  return `<section aria-labelledby="upstreams-heading"><h2 id="upstreams-heading">${t.html('login.upstreams')}</h2>\n${buttons}</section>`;
};

/**
 * The sign-in form: inputs `username` and `password` (a contract tests rely on), plus CSRF.
 * Issue 13 §2: the error is tied to both fields (aria-describedby, aria-invalid); "Keep me
 * signed in" is explained by a hint; script adds a show-password toggle (a button with
 * aria-pressed and aria-controls) — without script the field stays a plain password field.
 */
export const loginPage = (c: PageChrome, v: LoginView, status = 200): Page => {
  const { t, branding } = c;
  const nonce = newNonce();
  // With email configured the built-in reset (which ends the account's sessions) wins over branding.passwordResetUrl.
  const forgot = c.forgotPasswordUrl ?? branding.passwordResetUrl;
  const invalid = v.error ? ' aria-invalid="true"' : '';
  const described = (own?: string) => {
    const ids = [v.error ? 'login-error' : '', own ?? ''].filter(Boolean).join(' ');
    return ids ? ` aria-describedby="${ids}"` : '';
  };
  return page({
    title: t.text('login.title'),
    status,
    chrome: c,
    sessionsLink: true,
    scriptNonce: nonce,
    images: [v.clientLogo],
    // A form's redirect is checked against form-action too (CSP 3 §6.3.1): the upstreams' sign-in origins.
    formTargets: [...v.formTargets, ...(v.upstreams ?? []).map((u) => u.origin)],
    body: `<h1>${t.html('login.heading')}</h1>
<p class="muted client">${v.clientLogo ? `<img src="${esc(v.clientLogo)}" alt="">` : ''}<span>${t.html('page.to_continue', { client: `<strong>${esc(v.clientName)}</strong>` })}</span></p>
${v.error ? `<p class="error" id="login-error" role="alert">${t.html(v.error)}</p>` : ''}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<label for="username">${t.html('login.username')}</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${esc(v.username ?? '')}"${invalid}${described()}${v.username ? '' : ' autofocus'}>
<label for="password">${t.html('login.password')}</label>
<div class="field"><input type="password" id="password" name="password" autocomplete="current-password" required${invalid}${described()}${v.username ? ' autofocus' : ''}><button type="button" id="show-password" class="toggle" aria-controls="password" aria-pressed="false" hidden>${t.html('login.show_password')}</button></div>
<div class="check"><input type="checkbox" id="remember" name="remember" value="1" aria-describedby="remember-hint"><label for="remember">${t.html('login.remember')}</label></div>
<p class="muted hint" id="remember-hint">${t.html('login.remember_hint')}</p>
<button type="submit">${t.html('login.submit')}</button>
</form>
${v.passkey && v.passkeyAction ? passkeyForm(t, { id: 'passkey', action: v.passkeyAction, csrfToken: v.csrfToken, challenge: v.passkey, label: t.text('login.passkey'), nonce, copyRemember: true }) : ''}
${upstreamButtons(c, v)}
${forgot ? `<p><a href="${esc(forgot)}" id="forgot-password">${t.html('login.forgot_password')}</a></p>` : ''}
<script nonce="${nonce}">
(() => {
  const field = document.getElementById('password'), toggle = document.getElementById('show-password');
  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    const show = field.type === 'password';
    field.type = show ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', String(show));
  });
  // Never submit with the password shown as text (a browser could store it as a plain field).
  field.form.addEventListener('submit', () => { field.type = 'password'; toggle.setAttribute('aria-pressed', 'false'); });
})();
</script>`,
  });
};
