import { type Page, esc, page } from './html.js';

export interface ChooseAccountView {
  action: string;
  csrfToken: string;
  clientName: string;
  accounts: readonly { id: string; username: string; name?: string | undefined }[];
  formTargets: readonly string[];
}

/**
 * The account chooser (OIDC Core §3.1.2.1 `prompt=select_account`): the accounts signed in on
 * this browser, and "use another account". Each choice posts `account` with the CSRF token.
 */
export const chooseAccountPage = (v: ChooseAccountView): Page =>
  page({
    title: 'Choose an account',
    formTargets: v.formTargets,
    body: `<h1>Choose an account</h1>
<p class="muted">to continue to <strong>${esc(v.clientName)}</strong></p>
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
${v.accounts
  .map((a) => `<button type="submit" name="account" value="${esc(a.id)}" class="account">${esc(a.name ?? a.username)}<br><span class="muted">${esc(a.username)}</span></button>`)
  .join('\n')}
<button type="submit" name="account" value="" class="secondary">Use another account</button>
</form>`,
  });
