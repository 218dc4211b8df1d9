import { type Page, esc, page } from './html.js';

/** Shown when the browser cannot safely be sent back to the application. */
export const errorPage = (opts: { status: number; error: string; description: string; requestId?: string }): Page =>
  page({
    title: 'Something went wrong',
    status: opts.status,
    body: `<h1>Something went wrong</h1>
<p class="error" role="alert">${esc(opts.description)}</p>
<p class="muted">Error: <code>${esc(opts.error)}</code>${opts.requestId ? ` · Request: <code>${esc(opts.requestId)}</code>` : ''}</p>
<p class="muted">You can close this page and return to the application.</p>`,
  });
