import { esc, newNonce } from './html.js';

/**
 * The OP iframe's page (Session Management 1.0 §3.2). On `postMessage("client_id session_state")`
 * from a registered origin it recomputes the value from the sender's origin and the browser
 * state cookie, exactly as the authorization response built it (§3), and answers `unchanged`,
 * `changed`, or `error` for a malformed message. Messages from any other origin are ignored.
 *
 * Before `unchanged` it confirms with the provider (GET `confirm.url`, same origin, at most once
 * per `confirm.everyMs` and iframe) that the sessions behind the cookie's state have not ended
 * elsewhere, since only this browser's own sign-in and sign-out rewrite the cookie (issue 10 §3).
 * If the provider cannot be asked, the cookie comparison alone decides, as before.
 *
 * The page names no client and no origin (issue 10 §6): only `ancestor`, the origin of the
 * page that framed it, may frame it, and only messages from that origin are heard; whether
 * the message's client_id is registered for that origin is asked of the provider (same origin,
 * `originCheck`), once per pair.
 */
export const checkSessionPage = (
  cookieName: string,
  ancestor: string | undefined,
  originCheck: string,
  confirm: { url: string; everyMs: number },
): { html: string; csp: string } => {
  const nonce = newNonce();
  const config = esc(JSON.stringify({ cookie: cookieName, originCheck, confirm }));
  return {
    csp: `default-src 'none'; script-src 'nonce-${nonce}'; connect-src 'self'; frame-ancestors ${ancestor ?? "'none'"}; base-uri 'none'`,
    html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>check_session</title></head>
<body data-config="${config}">
<script nonce="${nonce}">
(() => {
  const config = JSON.parse(document.body.dataset.config);
  // The framing page's origin: the only one frame-ancestors let in, and the only one heard.
  const embedder = (() => { try { return new URL(document.referrer).origin; } catch { return ''; } })();
  const registered = new Map();
  const isRegistered = (clientId, origin) => {
    const key = clientId + ' ' + origin;
    if (!registered.has(key)) {
      const url = config.originCheck + '?' + new URLSearchParams({ client_id: clientId, origin });
      const answer = fetch(url, { credentials: 'omit', cache: 'no-store' }).then((r) => r.json()).then((b) => b.registered === true);
      answer.catch(() => registered.delete(key));
      registered.set(key, answer.catch(() => false));
    }
    return registered.get(key);
  };
  const browserState = () => {
    for (const part of document.cookie.split(';')) {
      const eq = part.indexOf('=');
      if (part.slice(0, eq).trim() === config.cookie) return part.slice(eq + 1).trim();
    }
    return '';
  };
  // The provider's word on the sessions behind a state, fetched at most once per interval; once it
  // says "changed" for a state, that is final (an ended session never comes back).
  const ended = new Set();
  let confirmation = { state: null, at: 0, changed: Promise.resolve(false) };
  const changedElsewhere = (state) => {
    if (ended.has(state)) return Promise.resolve(true);
    const now = Date.now();
    if (confirmation.state !== state || now - confirmation.at >= config.confirm.everyMs) {
      const changed = fetch(config.confirm.url, { credentials: 'same-origin', cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : { changed: false }))
        .then((body) => body.changed === true)
        .catch(() => false);
      changed.then((yes) => yes && ended.add(state));
      confirmation = { state, at: now, changed };
    }
    return confirmation.changed;
  };
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  window.addEventListener('message', async (e) => {
    if (e.origin !== embedder || e.origin === 'null' || !e.source) return;
    const answer = (m) => e.source.postMessage(m, e.origin);
    const parts = typeof e.data === 'string' ? e.data.split(' ') : [];
    const [clientId, state] = parts;
    const dot = parts.length === 2 ? state.lastIndexOf('.') : -1;
    if (dot < 1 || !crypto.subtle || !(await isRegistered(clientId, e.origin))) return answer('error');
    const salt = state.slice(dot + 1);
    const current = browserState();
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(clientId + ' ' + e.origin + ' ' + current + ' ' + salt));
    const same = b64url(digest) + '.' + salt === state;
    answer(same && !(await changedElsewhere(current)) ? 'unchanged' : 'changed');
  });
})();
</script>
</body></html>`,
  };
};
