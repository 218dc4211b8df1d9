import { esc, newNonce } from './html.js';

/**
 * The OP iframe's page (Session Management 1.0 §3.2). On `postMessage("client_id session_state")`
 * from a registered origin it recomputes the value from the sender's origin and the browser
 * state cookie, exactly as the authorization response built it (§3), and answers `unchanged`,
 * `changed`, or `error` for a malformed message. Messages from any other origin are ignored.
 *
 * The page names no client and no origin (issue 10 §6): only `ancestor`, the origin of the
 * page that framed it, may frame it, and only messages from that origin are heard; whether
 * the message's client_id is registered for that origin is asked of the provider (same origin,
 * `originCheck`), once per pair.
 */
export const checkSessionPage = (cookieName: string, ancestor: string | undefined, originCheck: string): { html: string; csp: string } => {
  const nonce = newNonce();
  const config = esc(JSON.stringify({ cookie: cookieName, originCheck }));
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
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  window.addEventListener('message', async (e) => {
    if (e.origin !== embedder || e.origin === 'null' || !e.source) return;
    const answer = (m) => e.source.postMessage(m, e.origin);
    const parts = typeof e.data === 'string' ? e.data.split(' ') : [];
    const [clientId, state] = parts;
    const dot = parts.length === 2 ? state.lastIndexOf('.') : -1;
    if (dot < 1 || !crypto.subtle || !(await isRegistered(clientId, e.origin))) return answer('error');
    const salt = state.slice(dot + 1);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(clientId + ' ' + e.origin + ' ' + browserState() + ' ' + salt));
    answer(b64url(digest) + '.' + salt === state ? 'unchanged' : 'changed');
  });
})();
</script>
</body></html>`,
  };
};
