import type { MessageKey } from './i18n/index.js';
import { type Page, type PageChrome, esc, page } from './html.js';

const SCOPE_TEXT: Record<string, MessageKey> = {
  openid: 'consent.scope.openid',
  profile: 'consent.scope.profile',
  email: 'consent.scope.email',
  offline_access: 'consent.scope.offline_access',
};

export interface ConsentView {
  action: string;
  csrfToken: string;
  clientName: string;
  /** RFC 7591 §2 logo_uri, policy_uri, tos_uri of the client, when registered. */
  logoUri?: string | undefined;
  policyUri?: string | undefined;
  tosUri?: string | undefined;
  username: string;
  scope: readonly string[];
  formTargets: readonly string[];
}

export const consentPage = (c: PageChrome, v: ConsentView): Page => {
  const { t } = c;
  const client = esc(v.clientName);
  const links = [
    v.policyUri ? `<li><a href="${esc(v.policyUri)}" rel="noopener">${t.html('consent.policy', { client })}</a></li>` : '',
    v.tosUri ? `<li><a href="${esc(v.tosUri)}" rel="noopener">${t.html('consent.tos', { client })}</a></li>` : '',
  ].join('');
  return page({
    title: t.text('consent.title'),
    chrome: c,
    images: [v.logoUri],
    formTargets: v.formTargets,
    body: `<div class="client">${v.logoUri ? `<img src="${esc(v.logoUri)}" alt="">` : ''}<h1>${t.html('consent.heading', { client })}</h1></div>
<p class="muted">${t.html('consent.signed_in_as', { user: `<strong>${esc(v.username)}</strong>` })}</p>
<p>${t.html('consent.would_like', { client })}</p>
<ul>${v.scope.map((s) => `<li>${SCOPE_TEXT[s] ? t.html(SCOPE_TEXT[s]) : esc(s)}</li>`).join('')}</ul>
${links ? `<ul class="links muted">${links}</ul>` : ''}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<button type="submit" name="decision" value="allow">${t.html('consent.allow')}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.html('consent.deny')}</button>
</form>`,
  });
};
