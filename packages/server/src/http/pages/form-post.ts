import { type Page, type PageChrome, esc, newNonce, originOf, page } from './html.js';

/**
 * OAuth 2.0 Form Post Response Mode §2: the response parameters as hidden fields of a form that
 * posts itself to the redirect URI; a button remains for browsers without script.
 */
export const formPostPage = (c: PageChrome, redirectUri: string, params: Readonly<Record<string, string>>): Page => {
  const { t } = c;
  const nonce = newNonce();
  const target = originOf(redirectUri);
  return page({
    title: t.text('form_post.title'),
    chrome: c,
    scriptNonce: nonce,
    formTargets: target ? [target] : [],
    body: `<form method="post" action="${esc(redirectUri)}">
<h1>${t.html('form_post.heading')}</h1>
${Object.entries(params)
  .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
  .join('\n')}
<noscript><button type="submit">${t.html('form_post.continue')}</button></noscript>
</form>
<script nonce="${nonce}">document.forms[0].submit()</script>`,
  });
};
