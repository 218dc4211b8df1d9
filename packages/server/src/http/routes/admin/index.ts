import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { ADMIN_BASE_PATH, adminAudience } from '../../../admin/scopes.js';
import { noticeDeps } from '../../../email/notices.js';
import type { Provider } from '../../../provider.js';
import { installAdminAuth } from './auth.js';
import { installProblems } from './problems.js';
import { adminClientRoutes } from './clients.js';
import { adminDeliveryRoutes } from './deliveries.js';
import { adminEventRoutes } from './events.js';
import { Client, Delivery, Event, Problem, Session, User } from './schemas.js';
import { adminSessionRoutes } from './sessions.js';
import { adminUserRoutes } from './users.js';

/** Request bodies of the admin API are small JSON objects. */
const ADMIN_BODY_LIMIT = 16 * 1024;

/**
 * The admin API under ISSUER/admin/v1 (issue 12): JSON in and out, Bearer tokens from the client
 * credentials grant with the route's scope, RFC 9457 problem details, no CORS (nothing here is
 * meant for a browser), and its OpenAPI 3.1 document generated from the routes' schemas.
 * Everything is encapsulated in this plugin: the OAuth endpoints keep their form bodies and
 * their error format.
 */
export const adminRoutes = (app: FastifyInstance, p: Provider): void => {
  // The app's one mailer, taken here: the plugin below is an encapsulated child of the app.
  const notices = noticeDeps(app, p);
  void app.register(
    async (admin) => {
      admin.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: ADMIN_BODY_LIMIT }, admin.getDefaultJsonParser('error', 'error'));
      for (const schema of [Session, User, Client, Event, Delivery, Problem]) admin.addSchema(schema);
      await admin.register(swagger, {
        // Components keep their $id as their name (Session, Problem), not def-0, def-1.
        refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
        openapi: {
          openapi: '3.1.0',
          info: { title: 'Signoff admin API', version: '1', description: 'Sessions, users, clients, events and back-channel deliveries of one Signoff issuer.' },
          servers: [{ url: adminAudience(p.config.issuer) }],
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token from the client credentials grant.' } } },
        },
      });
      installProblems(admin);
      installAdminAuth(admin, p);
      adminSessionRoutes(admin, p);
      adminUserRoutes(admin, p, notices);
      adminClientRoutes(admin, p);
      adminEventRoutes(admin, p);
      adminDeliveryRoutes(admin, p);
      admin.get('/openapi.json', { schema: { hide: true } }, async () => admin.swagger());
    },
    { prefix: ADMIN_BASE_PATH },
  );
};
