import { type Page, type PageChrome, esc, page } from './html.js';

export interface ChooseAccountView {
  action: string;
  csrfToken: string;
  clientName: string;
  clientLogo?: string | undefined;
  accounts: readonly { id: string; username: string; name?: string | undefined }[];
  formTargets: readonly string[];
}

/**
 * The account chooser (OIDC Core §3.1.2.1 `prompt=select_account`): the accounts signed in on
 * this browser, and "use another account". Each choice posts `account` with the CSRF token.
 */
export const chooseAccountPage = (c: PageChrome, v: ChooseAccountView): Page => {
  const { t } = c;
  return page({
    title: t.text('choose.title'),
    chrome: c,
    images: [v.clientLogo],
    formTargets: v.formTargets,
    body: `<h1>${t.html('choose.heading')}</h1>
<p class="muted client">${v.clientLogo ? `<img src="${esc(v.clientLogo)}" alt="">` : ''}<span>${t.html('page.to_continue', { client: `<strong>${esc(v.clientName)}</strong>` })}</span></p>
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
${v.accounts
  .map((a) => `<button type="submit" name="account" value="${esc(a.id)}" class="account">${esc(a.name ?? a.username)}<span class="muted">${esc(a.username)}</span></button>`)
  .join('\n')}
<button type="submit" name="account" value="" class="secondary">${t.html('choose.another')}</button>
</form>`,
  });
};
