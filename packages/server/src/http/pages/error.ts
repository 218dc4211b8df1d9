import { type Page, type PageChrome, esc, page } from './html.js';

/**
 * Shown when the browser cannot safely be sent back to the application. The page is in the
 * browser's language; the description (written in English by the code that failed) is marked
 * lang="en", and the OAuth error code stays as it is (issue 13 §2).
 */
export const errorPage = (c: PageChrome, opts: { status: number; error: string; description: string; requestId?: string }): Page => {
  const { t } = c;
  const en = t.locale === 'en' ? '' : ' lang="en"';
  return page({
    title: t.text('error.title'),
    status: opts.status,
    chrome: c,
    body: `<h1>${t.html('error.heading')}</h1>
<p class="error" role="alert"${en}>${esc(opts.description)}</p>
<p class="muted">${t.html('error.code')} <code>${esc(opts.error)}</code>${opts.requestId ? ` · ${t.html('error.request')} <code>${esc(opts.requestId)}</code>` : ''}</p>
<p class="muted">${t.html('error.close')}</p>`,
  });
};
