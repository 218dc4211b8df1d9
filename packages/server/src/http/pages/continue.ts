import { type Page, type PageChrome, esc, page } from './html.js';

/**
 * A page that moves the browser on to `url` by the Refresh header (HTML §7.11.1, sent by the
 * caller), with a link for the rest. It ends a redirect chain that began with another site's form:
 * CSP 3 form-action governs every redirect after a form submission, so a sign-in form at an
 * upstream that lists Signoff's origin would otherwise block Signoff's own redirect onward to the
 * application (issue 15 §1).
 */
export const continuePage = (c: PageChrome, url: string): Page =>
  page({
    title: c.t.text('form_post.title'),
    chrome: c,
    body: `<h1>${c.t.html('form_post.heading')}</h1>
<p><a id="continue" href="${esc(url)}">${c.t.html('form_post.continue')}</a></p>`,
  });
