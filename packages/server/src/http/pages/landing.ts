import { type Page, type PageChrome, esc, page } from './html.js';

/**
 * The page at the issuer's root (issue 17 §1): someone who types the provider's address into a
 * browser learns what it is — the operator's product name — and finds the devices page; a
 * developer finds the discovery document (OpenID Connect Discovery 1.0 §4). It shows only what
 * discovery publishes anyway (the issuer): never a client, a user, a store or a setting.
 */
export const landingPage = (c: PageChrome, opts: { issuer: string; discoveryUrl: string; accountUrl: string }): Page => {
  const { t } = c;
  const product = esc(c.branding.productName);
  return page({
    title: t.text('landing.title'),
    chrome: c,
    body: `<h1>${t.html('landing.heading', { product })}</h1>
<p>${t.html('landing.intro', { product })}</p>
<p><a href="${esc(opts.accountUrl)}">${t.html('landing.account')}</a></p>
<h2>${t.html('landing.developers')}</h2>
<dl><dt>${t.html('landing.issuer')}</dt><dd><code>${esc(opts.issuer)}</code></dd></dl>
<p><a href="${esc(opts.discoveryUrl)}">${t.html('landing.discovery')}</a></p>`,
  });
};
