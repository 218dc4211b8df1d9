import type { Config } from '../config/schema.js';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_USER } from '../config/development.js';
import { ENDPOINTS } from '../http/endpoints.js';

/**
 * What `signoff start` prints when `development` is true. It shows only what the running
 * configuration defines (issue 10 §8): the built-in demo user and client with their published
 * credentials when they are configured; other users and clients by name only, since their
 * passwords and secrets are the operator's and stay out of the terminal and its logs.
 */
export const developmentBanner = (config: Pick<Config, 'issuer' | 'users' | 'clients'>): string => {
  const { issuer } = config;
  const isDemoUser = (u: Config['users'][number]) => u.username === DEV_USER.username && u.password === DEV_USER.password;
  const isDemoClient = (c: Config['clients'][number]) => c.metadata.client_id === DEV_CLIENT_ID && c.secret === DEV_CLIENT_SECRET;
  const otherUsers = config.users.filter((u) => !isDemoUser(u)).map((u) => u.username);
  const otherClients = config.clients.filter((c) => !isDemoClient(c)).map((c) => c.metadata.client_id);
  const lines = [`Discovery:  ${issuer}${ENDPOINTS.discovery}`];
  if (config.users.some(isDemoUser)) lines.push(`Demo user:  ${DEV_USER.username} / ${DEV_USER.password}`);
  if (otherUsers.length > 0) lines.push(`Users:      ${otherUsers.join(', ')} (passwords as in the configuration file)`);
  if (config.users.length === 0) lines.push('Users:      none in the configuration file ("signoff users list" shows the store\'s)');
  if (config.clients.some(isDemoClient)) lines.push(`Demo client: ${DEV_CLIENT_ID} / ${DEV_CLIENT_SECRET}`);
  if (otherClients.length > 0) lines.push(`Clients:    ${otherClients.join(', ')}`);
  if (config.clients.length === 0) lines.push('Clients:    none in the configuration file ("signoff clients list" shows the store\'s)');
  // The sign-in link needs a configured client that accepts the development landing page.
  const landing = `${issuer}${ENDPOINTS.devCallback}`;
  const tryClient = [...config.clients].sort((a, b) => Number(isDemoClient(b)) - Number(isDemoClient(a))).find((c) => c.metadata.redirect_uris.includes(landing));
  if (tryClient) {
    const authorize = new URL(issuer + ENDPOINTS.authorization);
    authorize.search = new URLSearchParams({ client_id: tryClient.metadata.client_id, redirect_uri: landing, response_type: 'code', scope: 'openid profile email' }).toString();
    lines.push(`Try signing in: ${authorize.toString()}`);
  }
  return `
  ┌──────────────────────────────────────────────────────────────────────────────┐
  │ DEVELOPMENT CONFIGURATION — not for production (see README, "Configuration") │
  └──────────────────────────────────────────────────────────────────────────────┘
${lines.map((l) => `  ${l}`).join('\n')}
`;
};
