import { type Page, esc, page } from './html.js';

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are',
  profile: 'See your name and profile',
  email: 'See your email address',
  offline_access: 'Stay connected when you are not using it',
};

export interface ConsentView {
  action: string;
  csrfToken: string;
  clientName: string;
  username: string;
  scope: readonly string[];
  formTargets: readonly string[];
}

export const consentPage = (v: ConsentView): Page =>
  page({
    title: 'Allow access',
    formTargets: v.formTargets,
    body: `<h1>Allow ${esc(v.clientName)}?</h1>
<p class="muted">Signed in as <strong>${esc(v.username)}</strong></p>
<p>${esc(v.clientName)} would like to:</p>
<ul>${v.scope.map((s) => `<li>${esc(SCOPE_TEXT[s] ?? s)}</li>`).join('')}</ul>
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
