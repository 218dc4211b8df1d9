import type { FastifyInstance } from 'fastify';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';
import { esc, page } from '../pages/html.js';
import { queryParams } from '../params.js';
import { sendPage } from '../respond.js';

/**
 * Development configuration only: a landing page for the demo client's redirect, so that
 * `npm start` can be tried in a browser without any application running.
 */
export const devRoutes = (app: FastifyInstance, p: Provider): void => {
  if (!p.config.development) return;
  app.get(ENDPOINTS.devCallback, { config: { page: true } }, async (req, reply) => {
    const rows = Object.entries(queryParams(req))
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v.join(', '))}</code></td></tr>`)
      .join('');
    return sendPage(
      reply,
      page({
        title: 'Signed in (development)',
        body: `<h1>Authorization response</h1><p class="muted">The demo application's redirect URI received:</p><table>${rows}</table>
<p class="muted">A real application now exchanges the code at <code>${esc(p.config.issuer)}/token</code>.</p>`,
      }),
    );
  });
};
