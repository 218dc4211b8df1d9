import type { PasskeyChallenge } from '../../oauth/authorize/steps/deps.js';
import type { Translator } from './i18n/index.js';
import { esc } from './html.js';

/** JSON safe inside a <script> element: no `<` that could close it (HTML §4.12.1.3). */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * A passkey sign-in on a page (WebAuthn §5.1.4 navigator.credentials.get): a form that posts the
 * credential's JSON (PublicKeyCredential.toJSON(), WebAuthn Level 3 §5.1.8) with the challenge's
 * id and the CSRF token. The options travel as a JSON data block, which never runs; the script
 * (allowed by the page's nonce) shows the button only where the browser can do it, so without
 * script or WebAuthn the page simply offers the other ways.
 */
export const passkeyForm = (
  t: Translator,
  v: { id: string; action: string; csrfToken: string; challenge: PasskeyChallenge; label: string; nonce: string; extra?: string; copyRemember?: boolean },
): string => `<form method="post" action="${esc(v.action)}" id="${v.id}" hidden>
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<input type="hidden" name="challenge_id" value="${esc(v.challenge.challengeId)}">
<input type="hidden" name="response" value="">${v.copyRemember ? '\n<input type="hidden" name="remember" value="">' : ''}${v.extra ?? ''}
<button type="button" class="secondary">${esc(v.label)}</button>
<p class="error" role="alert" hidden>${t.html('passkey.failed')}</p>
</form>
<script type="application/json" id="${v.id}-options">${scriptJson(v.challenge.options)}</script>
<script nonce="${v.nonce}">
(() => {
  const form = document.getElementById(${JSON.stringify(v.id)});
  const PKC = window.PublicKeyCredential;
  const parse = PKC && PKC.parseRequestOptionsFromJSON;
  if (!parse) return;
  form.hidden = false;
  const failed = form.querySelector('[role=alert]');
  form.querySelector('button').addEventListener('click', async () => {
    failed.hidden = true;
    try {
      const options = JSON.parse(document.getElementById(${JSON.stringify(`${v.id}-options`)}).textContent);
      const credential = await navigator.credentials.get({ publicKey: parse.call(PKC, options) });
      form.elements.response.value = JSON.stringify(credential.toJSON());
      ${v.copyRemember ? "const remember = document.getElementById('remember'); form.elements.remember.value = remember && remember.checked ? '1' : '';" : ''}
      form.submit();
    } catch (err) {
      failed.hidden = false;
    }
  });
})();
</script>`;
