// The peer: panva's oidc-provider, configured to do the same work as Signoff.
//   node servers/peer.js CONFIG.json     (written by the harness: issuer, port, jwk, clients, opaqueClient, users)
// - the same RS256 key (read from Signoff's store by the harness);
// - the same clients, with their back-channel logout URIs; back-channel logout enabled;
// - its default memory adapter, with room for 100,000 entries instead of its default 1,000 (one LRU
//   for every model): opaque access tokens are entries too, and P6's opaque phase writes ~1,000 in
//   three seconds, which would push out the sessions and grants the next phase needs;
// - a `fetch` that drops oidc-provider's SSRF-guarding dispatcher so loopback receivers are
//   reachable, keeping its own 2.5 s timeout signal;
// - grants auto-approved in loadExistingGrant, so no consent step is ever measured;
// - JWT (RS256) access tokens through a default resource (opaque ones, kept in the memory adapter,
//   for the config's opaqueClient: Signoff's access_token_format "opaque"), ID tokens carrying the scope claims,
//   and a rotated refresh token on every code and refresh grant: Signoff's token responses;
// - its development interactions for the sign-in form (they check no password; see README).
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import { setStorage } from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

setStorage(new LRU({ maxSize: 100_000 }));

export const RESOURCE = 'urn:signoff-bench:api';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = new Map(config.users.map((u) => [u.username, u]));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: { keys: [config.jwk] },
  cookies: { keys: ['signoff-bench-cookie-key-0123456789abcdef'] },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
  findAccount: (_ctx, id) => {
    const user = users.get(id);
    return user && { accountId: id, claims: () => ({ sub: id, preferred_username: id, ...user.claims }) };
  },
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, _resource, client) =>
        client.clientId === config.opaqueClient
          ? { scope: 'api', accessTokenTTL: 600, accessTokenFormat: 'opaque' }
          : { scope: 'api', accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
    },
  },
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email');
    grant.addResourceScope(RESOURCE, 'api');
    await grant.save();
    return grant;
  },
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  fetch: (url, options) => {
    delete options.dispatcher;
    return globalThis.fetch(url, options);
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 30 * 86400, Interaction: 600, Session: 36000, Grant: 36000 },
  renderError: (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
});
provider.proxy = false;
// Its development-interactions warnings go to stderr once; the harness waits for "listening".
const server = provider.listen(config.port, '127.0.0.1', () => console.error(`peer: listening on ${config.issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)) && server.closeAllConnections());
