import type { PasskeyChallenge, Refusal } from '../../oauth/authorize/steps/deps.js';
import type { SecondFactor } from '../../oauth/authorize/steps/plan.js';
import { type Page, type PageChrome, esc, newNonce, page } from './html.js';
import { passkeyForm } from './passkey.js';

export interface SecondFactorView {
  action: string;
  csrfToken: string;
  clientName: string;
  username: string;
  /** The factors that meet the request, strongest first (steps/plan.ts methodsFor). */
  methods: readonly SecondFactor[];
  passkey?: PasskeyChallenge | undefined;
  error?: Refusal | undefined;
  formTargets: readonly string[];
}

/**
 * The second-factor step's page (issue 14 §2-3): only the factors that meet the request — a
 * passkey, a code from an authenticator app (RFC 6238; `autocomplete=one-time-code`), or a
 * recovery code. Each is its own form with the CSRF token and `method`; the code forms work
 * without script.
 */
export const secondFactorPage = (c: PageChrome, v: SecondFactorView, status = 200): Page => {
  const { t } = c;
  const nonce = newNonce();
  const hidden = (method: SecondFactor) => `<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}"><input type="hidden" name="method" value="${method}">`;
  const invalid = v.error ? ' aria-invalid="true" aria-describedby="factor-error"' : '';
  const parts: string[] = [];
  if (v.methods.includes('passkey') && v.passkey) {
    parts.push(passkeyForm(t, { id: 'passkey', action: v.action, csrfToken: v.csrfToken, challenge: v.passkey, label: t.text('factor.passkey'), nonce, extra: '\n<input type="hidden" name="method" value="passkey">' }));
  }
  if (v.methods.includes('totp')) {
    parts.push(`<form method="post" action="${esc(v.action)}">${hidden('totp')}
<label for="totp-code">${t.html('factor.totp_label')}</label>
<input type="text" id="totp-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" maxlength="8" required autofocus${invalid}>
<button type="submit">${t.html('factor.totp_submit')}</button>
</form>`);
  }
  if (v.methods.includes('recovery_code')) {
    parts.push(`<details${v.methods.length === 1 ? ' open' : ''}><summary>${t.html('factor.recovery')}</summary>
<form method="post" action="${esc(v.action)}">${hidden('recovery_code')}
<label for="recovery-code">${t.html('factor.recovery_label')}</label>
<input type="text" id="recovery-code" name="code" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="32" required>
<button type="submit">${t.html('factor.recovery_submit')}</button>
</form></details>`);
  }
  return page({
    title: t.text('factor.title'),
    status,
    chrome: c,
    scriptNonce: nonce,
    formTargets: v.formTargets,
    body: `<h1>${t.html('factor.heading')}</h1>
<p class="muted">${t.html('factor.intro', { client: `<strong>${esc(v.clientName)}</strong>`, user: `<strong>${esc(v.username)}</strong>` })}</p>
${v.error ? `<p class="error" id="factor-error" role="alert">${t.html(v.error)}</p>` : ''}
${parts.join('\n')}`,
  });
};
