import { type Page, type PageChrome, esc, newNonce, originOf, page } from './html.js';

export interface LogoutConfirmView {
  action: string;
  csrfToken: string;
  clientName?: string | undefined;
  /** The account signed out by `session`, `everywhere` and `others`. */
  account: { username: string; name?: string | undefined };
  /** Several accounts here: offer signing them all out (`browser`). */
  otherAccounts: number;
  /** Where the browser goes after the post (CSP form-action also governs that redirect). */
  formTargets: readonly string[];
}

/**
 * The confirmation of RP-Initiated Logout 1.0 §2 ("SHOULD ask the End-User whether to log out"),
 * posted with a CSRF token. `logout_scope`: `session` (this account on this browser), `browser`
 * (every account on this browser), `everywhere` (this account on every device) and `others`
 * (this account's other devices, staying signed in here: issue 13 §2); "Stay signed in" posts
 * `stay` and changes nothing.
 */
export const logoutConfirmPage = (c: PageChrome, v: LogoutConfirmView): Page => {
  const { t } = c;
  const account = `<strong>${esc(v.account.name ?? v.account.username)}</strong>`;
  const choice = (value: string, label: string, checked = false) =>
    `<div class="check"><input type="radio" id="scope-${value}" name="logout_scope" value="${value}"${checked ? ' checked' : ''}><label for="scope-${value}">${label}</label></div>`;
  return page({
    title: t.text('logout.title'),
    chrome: c,
    formTargets: v.formTargets,
    body: `<h1>${t.html('logout.heading')}</h1>
${v.clientName ? `<p class="muted">${t.html('logout.asked_by', { client: `<strong>${esc(v.clientName)}</strong>` })}</p>` : ''}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf_token" value="${esc(v.csrfToken)}">
<fieldset><legend>${t.html('logout.choices')}</legend>
${choice('session', t.html('logout.scope.session', { account }), true)}
${v.otherAccounts > 0 ? choice('browser', t.html('logout.scope.browser', { count: v.otherAccounts + 1 })) : ''}
${choice('everywhere', t.html('logout.scope.everywhere', { account }))}
${choice('others', t.html('logout.scope.others'))}
</fieldset>
<button type="submit">${t.html('logout.submit')}</button>
<button type="submit" name="stay" value="1" class="secondary">${t.html('logout.stay')}</button>
</form>`,
  });
};

/** How long the logged-out page waits for the front-channel iframes before moving on. */
export const FRONT_CHANNEL_WAIT_MS = 5000;

/**
 * The page shown after signing out (Front-Channel Logout 1.0 §3): one hidden iframe per client
 * to notify, written as plain <iframe> elements so they load without script; then — once every
 * iframe has loaded, or after a bounded wait — the script hurries on to the post-logout
 * redirect URI, or says "You are signed out". The script comes before the iframes and listens
 * for their load events on the document (capture phase), so no load is missed; without script
 * the link to continue remains.
 */
export const loggedOutPage = (
  c: PageChrome,
  v: { frames: readonly string[]; next?: string | undefined; remaining?: readonly string[] | undefined; frameAncestors?: readonly string[] },
): Page => {
  const { t } = c;
  const nonce = newNonce();
  const frameOrigins = [...new Set(v.frames.map(originOf).filter((o): o is string => o !== undefined))];
  const remaining = v.remaining ?? [];
  const next = v.next ?? '';
  // With upstream sessions that may remain, the page is not left by itself: the user reads why.
  const autoNext = remaining.length > 0 ? '' : next;
  const frames = v.frames.map((f) => `<iframe src="${esc(f)}" title="${t.html('signed_out.frame')}" hidden></iframe>`).join('');
  return page({
    title: t.text('signed_out.title'),
    chrome: c,
    sessionsLink: true,
    scriptNonce: nonce,
    frameSources: frameOrigins,
    ...(v.frameAncestors ? { frameAncestors: v.frameAncestors } : {}),
    body: `<h1>${t.html('signed_out.heading')}</h1>
<p class="muted" id="status" role="status">${v.frames.length > 0 ? t.html('signed_out.notifying') : t.html('signed_out.close')}</p>
${remaining.length > 0 ? `<p id="upstream-remains">${t.html('signed_out.upstream_remains', { providers: esc(remaining.join(', ')) })}</p>` : ''}
${next ? `<p><a id="next" href="${esc(next)}">${t.html('signed_out.continue')}</a></p>` : ''}
<script nonce="${nonce}" data-next="${esc(autoNext)}" data-count="${v.frames.length}" data-wait="${FRONT_CHANNEL_WAIT_MS}" data-done="${t.html('signed_out.done')}">
(() => {
  const me = document.currentScript;
  const next = me.dataset.next, count = Number(me.dataset.count);
  let loaded = 0, moved = false;
  const done = () => {
    if (moved) return;
    moved = true;
    document.getElementById('status').textContent = me.dataset.done;
    if (next) location.replace(next);
  };
  document.addEventListener('load', (e) => {
    if (e.target instanceof HTMLIFrameElement && e.target.parentElement && e.target.parentElement.id === 'frames' && ++loaded >= count) done();
  }, true);
  if (count === 0) done();
  setTimeout(done, Number(me.dataset.wait));
})();
</script>
<div id="frames" data-frames="${esc(JSON.stringify(v.frames))}" data-next="${esc(autoNext)}" data-wait="${FRONT_CHANNEL_WAIT_MS}">${frames}</div>`,
  });
};

/** "Stay signed in" was chosen: nothing changed. */
export const stillSignedInPage = (c: PageChrome): Page =>
  page({
    title: c.t.text('still.title'),
    chrome: c,
    body: `<h1>${c.t.html('still.heading')}</h1><p class="muted">${c.t.html('still.body')}</p>`,
  });

/** `logout_scope=others`: the account's other devices are signed out, this browser is not. */
export const otherDevicesSignedOutPage = (c: PageChrome, ended: number): Page =>
  page({
    title: c.t.text('others_out.title'),
    chrome: c,
    sessionsLink: true,
    body: ended > 0
      ? `<h1>${c.t.html('others_out.heading')}</h1><p class="muted" role="status">${c.t.html('others_out.body')}</p>`
      : `<h1>${c.t.html('still.heading')}</h1><p class="muted" role="status">${c.t.html('others_out.none')}</p>`,
  });
