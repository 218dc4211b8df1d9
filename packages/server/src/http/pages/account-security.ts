import type { FactorView } from '../../accounts/factors/manage.js';
import type { TotpEnrolment } from '../../accounts/factors/totp.js';
import { formatTime } from './account-sessions.js';
import { type Page, type PageChrome, esc, page } from './html.js';
import type { MessageKey, Translator } from './i18n/index.js';

export interface AccountSecurityView {
  /** Where the forms post (ISSUER/account/security). */
  action: string;
  /** Where the passkey script asks for registration options. */
  passkeyOptions: string;
  csrfToken: string;
  account: { id: string; label: string };
  factors: readonly FactorView[];
  recoveryCodesLeft: number;
  /** A TOTP enrolment waiting for its first code. */
  enrolment?: Pick<TotpEnrolment, 'factorId' | 'secret' | 'qrSvg'> | undefined;
  /** New recovery codes, shown this once. */
  recoveryCodes?: readonly string[] | undefined;
  notice?: { kind: 'done' | 'refused'; key: MessageKey } | undefined;
  status?: number | undefined;
  scriptNonce: string;
}

const hidden = (v: AccountSecurityView) =>
  `<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}"><input type="hidden" name="account" value="${esc(v.account.id)}">`;

const kindOf = (f: FactorView): MessageKey => (f.kind === 'totp' ? 'security.kind.totp' : f.synced ? 'security.passkey.synced' : 'security.kind.passkey');

const entry = (t: Translator, v: AccountSecurityView, f: FactorView, i: number): string => `<li>
<h3 id="factor-${i}">${esc(f.label)}</h3>
<dl>
<dt>${t.html('security.kind')}</dt><dd>${t.html(kindOf(f))}</dd>
<dt>${t.html('security.added')}</dt><dd>${esc(formatTime(t, f.createdAt))}</dd>
<dt>${t.html('security.last_used')}</dt><dd>${f.lastUsedAt === undefined ? t.html('security.never_used') : esc(formatTime(t, f.lastUsedAt))}</dd>
</dl>
<form method="post" action="${esc(v.action)}">${hidden(v)}<button type="submit" name="remove" value="${esc(f.id)}" class="secondary" aria-describedby="factor-${i}">${t.html('security.remove')}</button></form>
</li>`;

const enrolment = (t: Translator, v: AccountSecurityView, e: NonNullable<AccountSecurityView['enrolment']>): string => `<section aria-labelledby="enrol">
<h2 id="enrol">${t.html('security.totp.heading')}</h2>
<p>${t.html('security.totp.scan')}</p>
<div role="img" aria-label="${esc(t.text('security.totp.qr'))}" style="max-width:14rem">${e.qrSvg}</div>
<p>${t.html('security.totp.secret')}: <code>${esc(e.secret.match(/.{1,4}/g)?.join(' ') ?? e.secret)}</code></p>
<form method="post" action="${esc(v.action)}">${hidden(v)}
<label for="code">${t.html('security.totp.code')}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8" required>
<button type="submit" name="totp_confirm" value="${esc(e.factorId)}">${t.html('security.totp.confirm')}</button>
</form>
</section>`;

/**
 * Registers a passkey without leaving the page (WebAuthn Level 3 §5.1.3): asks the server for
 * options, calls navigator.credentials.create(), and posts the credential's JSON with the form, so
 * the answer (and the recovery codes of a first factor) is a page like any other. Hidden where the
 * browser has no WebAuthn.
 */
const PASSKEY_SCRIPT = `(() => {
const section = document.getElementById('passkey');
if (!window.PublicKeyCredential || !section) return;
section.hidden = false;
const form = document.getElementById('passkey-form');
const button = document.getElementById('add-passkey');
const failed = document.getElementById('passkey-failed');
const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const text = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const parse = (o) => PublicKeyCredential.parseCreationOptionsFromJSON ? PublicKeyCredential.parseCreationOptionsFromJSON(o)
  : { ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) }, excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })) };
const json = (c) => c.toJSON ? c.toJSON() : { id: c.id, rawId: text(c.rawId), type: c.type, authenticatorAttachment: c.authenticatorAttachment,
  clientExtensionResults: c.getClientExtensionResults(), response: { clientDataJSON: text(c.response.clientDataJSON),
  attestationObject: text(c.response.attestationObject), transports: c.response.getTransports ? c.response.getTransports() : [] } };
button.addEventListener('click', async () => {
  failed.hidden = true;
  try {
    const res = await fetch(button.dataset.options, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' });
    if (!res.ok) throw new Error(String(res.status));
    const { challengeId, options } = await res.json();
    const credential = await navigator.credentials.create({ publicKey: parse(options) });
    form.elements.challenge_id.value = challengeId;
    form.elements.credential.value = JSON.stringify(json(credential));
    form.submit();
  } catch {
    failed.hidden = false;
  }
});
})();`;

/**
 * The security page (issue 14 §2): the account's second factors with a form to remove each, a
 * TOTP enrolment (QR code inline as SVG, the key as text, a code to confirm), a passkey button,
 * and the recovery codes (new ones shown once). Every form carries the CSRF token bound to this
 * browser, as on the devices page.
 */
export const accountSecurityPage = (c: PageChrome, v: AccountSecurityView): Page => {
  const { t } = c;
  const notice = v.notice
    ? `<p class="${v.notice.kind === 'done' ? 'notice' : 'error'}" role="${v.notice.kind === 'done' ? 'status' : 'alert'}">${t.html(v.notice.key)}</p>`
    : '';
  const codes = v.recoveryCodes?.length
    ? `<section aria-labelledby="codes"><h2 id="codes">${t.html('security.recovery.heading')}</h2><p>${t.html('security.recovery.shown_once')}</p>
<ul class="codes">${v.recoveryCodes.map((code) => `<li><code>${esc(code)}</code></li>`).join('')}</ul></section>`
    : '';
  return page({
    title: t.text('security.title'),
    chrome: c,
    status: v.status,
    scriptNonce: v.scriptNonce,
    fetchesSelf: true,
    sessionsLink: true,
    body: `<h1>${t.html('security.title')}</h1>
<p class="muted">${t.html('security.intro', { account: `<strong>${esc(v.account.label)}</strong>` })}</p>
${notice}
${codes}
${v.enrolment ? enrolment(t, v, v.enrolment) : ''}
<h2>${t.html('security.methods')}</h2>
${v.factors.length ? `<ul class="sessions">${v.factors.map((f, i) => entry(t, v, f, i)).join('\n')}</ul>` : `<p class="muted">${t.html('security.none')}</p>`}
<h2>${t.html('security.totp.heading')}</h2>
<form method="post" action="${esc(v.action)}">${hidden(v)}
<label for="totp-label">${t.html('security.label')}</label>
<input type="text" id="totp-label" name="label" maxlength="64" value="${esc(t.text('security.totp.default_label'))}">
<button type="submit" name="totp_start" value="1">${t.html('security.totp.start')}</button>
</form>
<section id="passkey" hidden aria-labelledby="passkeys"><h2 id="passkeys">${t.html('security.passkey.heading')}</h2>
<form method="post" action="${esc(v.action)}" id="passkey-form">${hidden(v)}<input type="hidden" name="challenge_id" value=""><input type="hidden" name="credential" value="">
<label for="passkey-label">${t.html('security.label')}</label>
<input type="text" id="passkey-label" name="label" maxlength="64" value="${esc(t.text('security.passkey.default_label'))}">
<button type="button" id="add-passkey" data-options="${esc(v.passkeyOptions)}">${t.html('security.passkey.add')}</button>
</form>
<p class="error" role="alert" id="passkey-failed" hidden>${t.html('security.passkey.failed')}</p>
</section>
${v.factors.length ? `<h2>${t.html('security.recovery.heading')}</h2><p>${t.html('security.recovery.left', { count: v.recoveryCodesLeft })}</p>
<form method="post" action="${esc(v.action)}">${hidden(v)}<button type="submit" name="recovery_new" value="1" class="secondary">${t.html('security.recovery.new')}</button></form>` : ''}
<script nonce="${esc(v.scriptNonce)}">${PASSKEY_SCRIPT}</script>`,
  });
};
