import { type Page, esc, newNonce, originOf, page } from './html.js';

export interface LogoutConfirmView {
  action: string;
  csrfToken: string;
  clientName?: string | undefined;
  /** The account signed out by `session` and `everywhere`. */
  account: { username: string; name?: string | undefined };
  /** Several accounts here: offer signing them all out (`browser`). */
  otherAccounts: number;
  /** Where the browser goes after the post (CSP form-action also governs that redirect). */
  formTargets: readonly string[];
}

/**
 * The confirmation of RP-Initiated Logout 1.0 §2 ("SHOULD ask the End-User whether to log out"),
 * posted with a CSRF token. `logout_scope`: `session` (this account on this browser), `browser`
 * (every account on this browser) and `everywhere` (this account on every device); "Stay signed
 * in" posts `stay` and changes nothing.
 */
export const logoutConfirmPage = (v: LogoutConfirmView): Page =>
  page({
    title: 'Sign out',
    formTargets: v.formTargets,
    body: `<h1>Sign out?</h1>
${v.clientName ? `<p class="muted"><strong>${esc(v.clientName)}</strong> asked to sign you out.</p>` : ''}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<div class="check"><input type="radio" id="scope-session" name="logout_scope" value="session" checked><label for="scope-session">Sign out <strong>${esc(v.account.name ?? v.account.username)}</strong> on this browser</label></div>
${v.otherAccounts > 0 ? `<div class="check"><input type="radio" id="scope-browser" name="logout_scope" value="browser"><label for="scope-browser">Sign out all ${v.otherAccounts + 1} accounts on this browser</label></div>` : ''}
<div class="check"><input type="radio" id="scope-everywhere" name="logout_scope" value="everywhere"><label for="scope-everywhere">Sign out <strong>${esc(v.account.name ?? v.account.username)}</strong> on every device</label></div>
<button type="submit">Sign out</button>
<button type="submit" name="stay" value="1" class="secondary">Stay signed in</button>
</form>`,
  });

/** How long the logged-out page waits for the front-channel iframes before moving on. */
export const FRONT_CHANNEL_WAIT_MS = 5000;

/**
 * The page shown after signing out (Front-Channel Logout 1.0 §3): one hidden iframe per client
 * to notify, then — once every iframe has loaded, or after a bounded wait — on to the
 * post-logout redirect URI, or "You are signed out". Script creates the iframes so their load
 * events are never missed; without script they are rendered statically with a link to continue.
 */
export const loggedOutPage = (v: { frames: readonly string[]; next?: string | undefined }): Page => {
  const nonce = newNonce();
  const frameOrigins = [...new Set(v.frames.map(originOf).filter((o): o is string => o !== undefined))];
  const next = v.next ?? '';
  const frames = v.frames.map((f) => `<iframe src="${esc(f)}" title="sign-out notice" hidden></iframe>`).join('');
  return page({
    title: 'Signed out',
    scriptNonce: nonce,
    frameSources: frameOrigins,
    body: `<h1>You are signed out</h1>
<p class="muted" id="status">${v.frames.length > 0 ? 'Signing you out of your applications…' : 'You can close this page.'}</p>
${next ? `<p><a id="next" href="${esc(next)}">Continue</a></p>` : ''}
<div id="frames" data-frames="${esc(JSON.stringify(v.frames))}" data-next="${esc(next)}" data-wait="${FRONT_CHANNEL_WAIT_MS}"></div>
<noscript>${frames}</noscript>
<script nonce="${nonce}">
(() => {
  const box = document.getElementById('frames');
  const frames = JSON.parse(box.dataset.frames), next = box.dataset.next;
  let left = frames.length, moved = false;
  const done = () => {
    if (moved) return;
    moved = true;
    document.getElementById('status').textContent = 'You are signed out.';
    if (next) location.replace(next);
  };
  for (const src of frames) {
    const f = document.createElement('iframe');
    f.hidden = true;
    f.title = 'sign-out notice';
    f.addEventListener('load', () => { if (--left === 0) done(); });
    f.addEventListener('error', () => { if (--left === 0) done(); });
    f.src = src;
    box.appendChild(f);
  }
  if (left === 0) done();
  setTimeout(done, Number(box.dataset.wait));
})();
</script>`,
  });
};

/** "Stay signed in" was chosen: nothing changed. */
export const stillSignedInPage = (): Page =>
  page({ title: 'Still signed in', body: '<h1>You are still signed in</h1><p class="muted">Nothing was changed. You can close this page.</p>' });
