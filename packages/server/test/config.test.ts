/**
 * The configuration schema (DESIGN.md "Contracts other tools rely on" and habit 4: bad
 * configuration fails at start-up with a message naming the key).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../src/config/load.js';
import { parseConfig } from '../src/config/schema.js';
import { ConfigError } from '../src/config/validate.js';
import { failsNaming } from './helpers/config-errors.js';

const SECRET = 'a-client-secret-of-at-least-32-characters';

const minimal = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer: 'http://127.0.0.1:4000',
  store: { sqlite: ':memory:' },
  ...over,
});

const webClient = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  client_id: 'web',
  client_secret: SECRET,
  redirect_uris: ['https://app.example.test/cb'],
  ...over,
});


describe('configuration defaults (DESIGN.md "Contracts": session policy, durations)', () => {
  it('defaults the session policy to idle 30m / absolute 10h and remember-me 7d / 30d', () => {
    const c = parseConfig(minimal());
    assert.equal(c.session.idleTimeout, 30 * 60);
    assert.equal(c.session.absoluteLifetime, 10 * 3600);
    assert.equal(c.session.rememberMe.idleTimeout, 7 * 86400);
    assert.equal(c.session.rememberMe.absoluteLifetime, 30 * 86400);
  });

  it('defaults the port, the interaction lifetime (10 minutes), the store, and no clients or users', () => {
    const c = parseConfig({ issuer: 'http://127.0.0.1:4000' });
    assert.equal(c.port, 3000);
    assert.equal(c.interactionTtl, 600);
    assert.deepEqual(c.store, { sqlite: './data/signoff.sqlite' });
    assert.deepEqual(c.clients, []);
    assert.deepEqual(c.users, []);
  });

  it('reads durations given as strings like "4s", "15m", "12h", "30d" or as seconds', () => {
    const c = parseConfig(minimal({
      session: { idleTimeout: '4s', absoluteLifetime: '15m', rememberMe: { idleTimeout: '12h', absoluteLifetime: '30d' } },
      tokens: { accessTokenTtl: 90 },
    }));
    assert.equal(c.session.idleTimeout, 4);
    assert.equal(c.session.absoluteLifetime, 900);
    assert.equal(c.session.rememberMe.idleTimeout, 43200);
    assert.equal(c.session.rememberMe.absoluteLifetime, 2592000);
    assert.equal(c.tokens.accessTokenTtl, 90);
  });

  it('rejects a malformed duration naming its key', () => {
    for (const bad of ['10 minutes', '1.5h', '-5m', '0s', 0, -3, '5w', true]) {
      failsNaming(minimal({ session: { idleTimeout: bad } }), 'session.idleTimeout');
    }
    failsNaming(minimal({ session: { rememberMe: { absoluteLifetime: 'forever' } } }), 'session.rememberMe.absoluteLifetime');
    failsNaming(minimal({ tokens: { refreshTokenTtl: '' } }), 'tokens.refreshTokenTtl');
  });

  it('rejects an absolute lifetime shorter than the idle timeout', () => {
    failsNaming(minimal({ session: { idleTimeout: '2h', absoluteLifetime: '1h' } }), 'session.absoluteLifetime');
  });

  it('freezes the validated configuration (DESIGN.md "Style": validated at start-up and then frozen)', () => {
    const c = parseConfig(minimal({ clients: [webClient()] }));
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.session));
    assert.ok(Object.isFrozen(c.clients[0]?.metadata.redirect_uris));
  });
});

describe('session.revokeOfflineTokensOn (issue 12 §1)', () => {
  it('issue 12 §1: defaults to a password change and a disabled account revoking the offline_access refresh tokens', () => {
    assert.deepEqual(parseConfig(minimal()).session.revokeOfflineTokensOn, ['password_changed', 'account_disabled']);
  });

  it('issue 12 §1: takes [] (keep them) or either reason', () => {
    assert.deepEqual(parseConfig(minimal({ session: { revokeOfflineTokensOn: [] } })).session.revokeOfflineTokensOn, []);
    assert.deepEqual(parseConfig(minimal({ session: { revokeOfflineTokensOn: ['account_disabled'] } })).session.revokeOfflineTokensOn, ['account_disabled']);
  });

  it('issue 12 §1: a bad value names the key', () => {
    failsNaming(minimal({ session: { revokeOfflineTokensOn: ['logout'] } }), 'session.revokeOfflineTokensOn[0]', /password_changed/);
    failsNaming(minimal({ session: { revokeOfflineTokensOn: 'password_changed' } }), 'session.revokeOfflineTokensOn', /array/);
  });
});

describe('unknown keys and bad types name the key (DESIGN.md habit 4)', () => {
  it('rejects an unknown top-level key naming it', () => {
    failsNaming(minimal({ sesion: {} }), 'sesion', /unknown key/);
  });

  it('rejects unknown nested keys naming their full path', () => {
    failsNaming(minimal({ session: { idle: '5m' } }), 'session.idle');
    failsNaming(minimal({ session: { rememberMe: { idle: '5m' } } }), 'session.rememberMe.idle');
    failsNaming(minimal({ outbound: { allowPrivate: true } }), 'outbound.allowPrivate');
    failsNaming(minimal({ clients: [webClient(), webClient({ client_id: 'b', redirect_uri: 'https://b.example/cb' })] }), 'clients[1].redirect_uri');
    failsNaming(minimal({ users: [{ username: 'a', password: 'p', claims: {}, role: 'admin' }] }), 'users[0].role');
    failsNaming(minimal({ store: { sqlite: 'x.db', postgres: 'postgres://h/db' } }), 'store');
    failsNaming(minimal({ store: { mysql: 'x' } }), 'store.mysql');
    failsNaming(minimal({ store: { sqlite: 'a.sqlite', poolSize: 4 } }), 'store.poolSize');
    failsNaming(minimal({ store: {} }), 'store');
  });

  it('rejects values of the wrong type naming the key', () => {
    failsNaming(minimal({ issuer: 42 }), 'issuer', /string/);
    failsNaming(minimal({ port: 'abc' }), 'port', /integer/);
    failsNaming(minimal({ port: 70000 }), 'port');
    failsNaming(minimal({ port: 1.5 }), 'port');
    failsNaming(minimal({ session: 'long' }), 'session', /object/);
    failsNaming(minimal({ clients: {} }), 'clients', /array/);
    failsNaming(minimal({ clients: [webClient({ redirect_uris: 'https://app.example.test/cb' })] }), 'clients[0].redirect_uris', /array/);
    failsNaming(minimal({ clients: [webClient({ require_consent: 'yes' })] }), 'clients[0].require_consent');
    failsNaming(minimal({ clients: [webClient({ grant_types: ['implicit'] })] }), 'clients[0].grant_types[0]');
    failsNaming(minimal({ users: [{ username: 'a', password: 5, claims: {} }] }), 'users[0].password');
    failsNaming(minimal({ users: [{ username: 'a b', password: 'p', claims: {} }] }), 'users[0].username');
    failsNaming(minimal({ outbound: { allowPrivateNetworks: 'yes' } }), 'outbound.allowPrivateNetworks');
    failsNaming(minimal({ logging: { level: 'verbose' } }), 'logging.level');
    failsNaming(minimal({ store: { sqlite: 7 } }), 'store.sqlite');
    failsNaming(minimal({ store: { postgres: 'mysql://x' } }), 'store.postgres');
    for (const poolSize of [0, 1001, 2.5, '10x', -1]) failsNaming(minimal({ store: { postgres: 'postgres://u@db/x', poolSize } }), 'store.poolSize');
  });

  it('requires the issuer', () => {
    failsNaming({ store: { sqlite: ':memory:' } }, 'issuer');
  });

  it('rejects a configuration that is not an object', () => {
    assert.throws(() => parseConfig([]), ConfigError);
    assert.throws(() => parseConfig(null), ConfigError);
  });
});

describe('issuer (OIDC Discovery §3, OIDC Core §2: https URL without query or fragment)', () => {
  it('accepts https and, for development, http', () => {
    assert.equal(parseConfig(minimal({ issuer: 'https://id.example.com' })).issuer, 'https://id.example.com');
    assert.equal(parseConfig(minimal({ issuer: 'https://example.com/tenant' })).issuer, 'https://example.com/tenant');
  });

  it('rejects a trailing slash, a query, a fragment, a relative URL and other schemes', () => {
    failsNaming(minimal({ issuer: 'https://id.example.com/' }), 'issuer');
    failsNaming(minimal({ issuer: 'https://id.example.com?tenant=a' }), 'issuer');
    failsNaming(minimal({ issuer: 'https://id.example.com/?' }), 'issuer');
    failsNaming(minimal({ issuer: 'https://id.example.com#x' }), 'issuer');
    failsNaming(minimal({ issuer: 'id.example.com' }), 'issuer');
    failsNaming(minimal({ issuer: 'ftp://id.example.com' }), 'issuer');
  });

  it('refuses an http issuer on a non-loopback host unless development is true (issue 10 §6)', () => {
    for (const issuer of ['http://id.example.com', 'http://10.0.0.5:3000', 'http://example.com/tenant', 'http://localhost.example.com', 'http://127.0.0.1.nip.io']) {
      failsNaming(minimal({ issuer }), 'issuer', /https/);
      assert.equal(parseConfig(minimal({ issuer, development: true })).issuer, issuer, 'development accepts it');
    }
    for (const issuer of ['http://localhost:3000', 'http://127.0.0.1:4000', 'http://[::1]:4000']) assert.equal(parseConfig(minimal({ issuer })).issuer, issuer);
  });
});

describe('management listener and HTTP timeouts (issue 10 §6)', () => {
  it('defaults: management on 127.0.0.1:9464; requests within 30 s, headers within 10 s; HSTS for a year; no proxy trusted', () => {
    const c = parseConfig(minimal());
    assert.deepEqual(c.management, { port: 9464, host: '127.0.0.1' });
    assert.deepEqual(c.http, { requestTimeout: 30, headersTimeout: 10, hstsMaxAge: 365 * 86400, trustProxy: false });
  });

  it('issue 12 §3: http.trustProxy takes true, a hop count or a list of addresses and CIDR ranges, and names a bad entry', () => {
    assert.equal(parseConfig(minimal({ http: { trustProxy: true } })).http.trustProxy, true);
    assert.equal(parseConfig(minimal({ http: { trustProxy: 2 } })).http.trustProxy, 2);
    assert.deepEqual(parseConfig(minimal({ http: { trustProxy: ['10.0.0.0/8', '::1', 'loopback'] } })).http.trustProxy, ['10.0.0.0/8', '::1', 'loopback']);
    failsNaming(minimal({ http: { trustProxy: ['10.0.0.0/8', '10.0.0.300'] } }), 'http.trustProxy[1]');
    failsNaming(minimal({ http: { trustProxy: 0 } }), 'http.trustProxy');
    failsNaming(minimal({ http: { trustProxy: [] } }), 'http.trustProxy');
    failsNaming(minimal({ http: { trustProxy: '10.0.0.1' } }), 'http.trustProxy');
  });

  it('takes management.port null (off) or 0 (any free port), and names bad keys', () => {
    assert.equal(parseConfig(minimal({ management: { port: null } })).management.port, null);
    assert.equal(parseConfig(minimal({ management: { port: 0, host: '0.0.0.0' } })).management.host, '0.0.0.0');
    failsNaming(minimal({ management: { port: 70000 } }), 'management.port');
    failsNaming(minimal({ management: { path: '/metrics' } }), 'management.path');
    failsNaming(minimal({ http: { requestTimeout: 0 } }), 'http.requestTimeout');
    failsNaming(minimal({ http: { requestTimeout: '5s', headersTimeout: '10s' } }), 'http.headersTimeout');
  });

  it('SIGNOFF_MANAGEMENT_PORT overrides the file: a port, or "off"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signoff-config-'));
    try {
      const file = join(dir, 'm.json');
      writeFileSync(file, JSON.stringify({ issuer: 'https://id.example.com', management: { host: '0.0.0.0' } }));
      assert.deepEqual(loadConfig({ file, env: { SIGNOFF_MANAGEMENT_PORT: '9100' } }).management, { port: 9100, host: '0.0.0.0' });
      assert.equal(loadConfig({ file, env: { SIGNOFF_MANAGEMENT_PORT: 'off' } }).management.port, null);
      assert.throws(() => loadConfig({ file, env: { SIGNOFF_MANAGEMENT_PORT: 'nine' } }), (e: unknown) => e instanceof ConfigError && e.key === 'management.port');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('clients (RFC 7591 §2 metadata, OIDC Registration §2)', () => {
  it('accepts a confidential and a public client and keeps only the metadata plus the secret apart', () => {
    const c = parseConfig(minimal({
      clients: [webClient(), { client_id: 'spa', redirect_uris: ['http://localhost:5173/cb'], token_endpoint_auth_method: 'none' }],
    }));
    assert.equal(c.clients[0]?.metadata.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(c.clients[0]?.secret, SECRET);
    assert.equal((c.clients[0]?.metadata as unknown as Record<string, unknown>).client_secret, undefined);
    assert.equal(c.clients[1]?.metadata.token_endpoint_auth_method, 'none');
    assert.equal(c.clients[1]?.secret, undefined);
  });

  it('rejects duplicate client ids naming the second', () => {
    failsNaming(minimal({ clients: [webClient(), webClient()] }), 'clients[1].client_id', /duplicate/);
  });

  it('rejects duplicate usernames naming the second', () => {
    const u = { username: 'alice', password: 'alice-battery-staple-horse', claims: {} };
    failsNaming(minimal({ users: [u, u] }), 'users[1].username', /duplicate/);
  });

  it('requires a secret for client_secret_basic and client_secret_post', () => {
    failsNaming(minimal({ clients: [webClient({ client_secret: undefined, token_endpoint_auth_method: 'client_secret_basic' })] }), 'clients[0].client_secret');
    failsNaming(minimal({ clients: [webClient({ client_secret: undefined, token_endpoint_auth_method: 'client_secret_post' })] }), 'clients[0].client_secret');
  });

  it('rejects a short secret (stored as SHA-256, so it must be high-entropy)', () => {
    failsNaming(minimal({ clients: [webClient({ client_secret: 'short-secret' })] }), 'clients[0].client_secret', /32/);
    failsNaming(minimal({ clients: [webClient({ client_secret: 'x'.repeat(31) })] }), 'clients[0].client_secret');
  });

  it('rejects a secret on a public client', () => {
    failsNaming(minimal({ clients: [webClient({ token_endpoint_auth_method: 'none' })] }), 'clients[0].client_secret');
  });

  it('requires at least one redirect URI', () => {
    failsNaming(minimal({ clients: [webClient({ redirect_uris: [] })] }), 'clients[0].redirect_uris');
  });

  it('rejects http redirect URIs on non-loopback hosts and accepts them on loopback (RFC 8252 §7.3, §8.3)', () => {
    failsNaming(minimal({ clients: [webClient({ redirect_uris: ['http://app.example.com/cb'] })] }), 'clients[0].redirect_uris[0]', /http/);
    failsNaming(
      minimal({ clients: [webClient({ redirect_uris: ['https://app.example.com/cb', 'http://10.0.0.5/cb'] })] }),
      'clients[0].redirect_uris[1]',
    );
    failsNaming(minimal({ clients: [webClient({ post_logout_redirect_uris: ['http://app.example.com/'] })] }), 'clients[0].post_logout_redirect_uris[0]');
    for (const ok of ['http://127.0.0.1:8080/cb', 'http://localhost/cb', 'http://[::1]:9000/cb', 'com.example.app:/cb']) {
      assert.deepEqual(parseConfig(minimal({ clients: [webClient({ redirect_uris: [ok] })] })).clients[0]?.metadata.redirect_uris, [ok]);
    }
  });

  it('rejects a redirect URI with a fragment (RFC 6749 §3.1.2) or that is not absolute', () => {
    failsNaming(minimal({ clients: [webClient({ redirect_uris: ['https://app.example.com/cb#frag'] })] }), 'clients[0].redirect_uris[0]', /fragment/);
    failsNaming(minimal({ clients: [webClient({ redirect_uris: ['https://app.example.com/cb#'] })] }), 'clients[0].redirect_uris[0]');
    failsNaming(minimal({ clients: [webClient({ redirect_uris: ['/cb'] })] }), 'clients[0].redirect_uris[0]');
    failsNaming(minimal({ clients: [webClient({ redirect_uris: ['javascript:alert(1)'] })] }), 'clients[0].redirect_uris[0]');
  });

  it('requires frontchannel_logout_uri to share scheme, host and port with a redirect URI (Front-Channel Logout §2)', () => {
    const ok = parseConfig(minimal({ clients: [webClient({ frontchannel_logout_uri: 'https://app.example.test/logout' })] }));
    assert.equal(ok.clients[0]?.metadata.frontchannel_logout_uri, 'https://app.example.test/logout');
    failsNaming(minimal({ clients: [webClient({ frontchannel_logout_uri: 'https://other.example.test/logout' })] }), 'clients[0].frontchannel_logout_uri');
    failsNaming(minimal({ clients: [webClient({ frontchannel_logout_uri: 'https://app.example.test:8443/logout' })] }), 'clients[0].frontchannel_logout_uri');
    failsNaming(minimal({ clients: [webClient({ frontchannel_logout_uri: 'http://app.example.test/logout' })] }), 'clients[0].frontchannel_logout_uri');
  });

  it('rejects a back-channel logout URI with a fragment (Back-Channel Logout §2.2)', () => {
    failsNaming(minimal({ clients: [webClient({ backchannel_logout_uri: 'https://app.example.test/bcl#x' })] }), 'clients[0].backchannel_logout_uri');
  });

  it('rejects an unsupported scope in a client\'s allowed scope', () => {
    failsNaming(minimal({ clients: [webClient({ scope: 'openid admin' })] }), 'clients[0].scope');
  });
});

describe('client credentials clients (issue 12 §2; RFC 6749 §4.4, RFC 7591 §2)', () => {
  const service = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    client_id: 'ops',
    client_secret: SECRET,
    grant_types: ['client_credentials'],
    scope: 'signoff.sessions.read signoff.users.manage',
    ...over,
  });

  it('accepts a confidential client with only client_credentials and no redirect_uris (RFC 7591 §2: redirect URIs are for redirect-based flows)', () => {
    const c = parseConfig(minimal({ clients: [service()] })).clients[0];
    assert.deepEqual(c?.metadata.grant_types, ['client_credentials']);
    assert.deepEqual(c?.metadata.redirect_uris, []);
    assert.equal(c?.metadata.scope, 'signoff.sessions.read signoff.users.manage');
    assert.equal(c?.metadata.token_endpoint_auth_method, 'client_secret_basic');
  });

  it('still requires redirect_uris when the client also has the authorization_code grant', () => {
    failsNaming(minimal({ clients: [service({ grant_types: ['authorization_code', 'client_credentials'] })] }), 'clients[0].redirect_uris');
    failsNaming(minimal({ clients: [{ client_id: 'web', client_secret: SECRET }] }), 'clients[0].redirect_uris');
  });

  it('refuses client_credentials for a public client, naming grant_types (RFC 6749 §4.4: confidential clients only)', () => {
    failsNaming(
      minimal({ clients: [{ client_id: 'pub', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'], scope: 'signoff.events.read' }] }),
      'clients[0].grant_types',
      /confidential/,
    );
  });

  it('requires an explicit scope with client_credentials: admin scopes are never implied', () => {
    failsNaming(minimal({ clients: [service({ scope: undefined })] }), 'clients[0].scope', /client_credentials/);
    failsNaming(minimal({ clients: [service({ scope: '' })] }), 'clients[0].scope');
  });

  it('accepts every signoff.* admin scope and refuses unknown ones', () => {
    const all =
      'signoff.sessions.read signoff.sessions.manage signoff.users.read signoff.users.manage signoff.clients.read ' +
      'signoff.clients.manage signoff.events.read signoff.deliveries.read signoff.deliveries.manage';
    assert.equal(parseConfig(minimal({ clients: [service({ scope: all })] })).clients[0]?.metadata.scope, all);
    failsNaming(minimal({ clients: [service({ scope: 'signoff.sessions.write' })] }), 'clients[0].scope');
    failsNaming(minimal({ clients: [service({ scope: 'signoff.events.manage' })] }), 'clients[0].scope');
  });

  it('admin scopes need the client_credentials grant; OIDC scopes need the authorization_code grant', () => {
    failsNaming(minimal({ clients: [webClient({ scope: 'openid signoff.users.read' })] }), 'clients[0].scope', /client_credentials/);
    failsNaming(minimal({ clients: [service({ scope: 'openid signoff.users.read' })] }), 'clients[0].scope');
    const both = parseConfig(minimal({
      clients: [webClient({ grant_types: ['authorization_code', 'client_credentials'], scope: 'openid profile signoff.users.read' })],
    })).clients[0];
    assert.equal(both?.metadata.scope, 'openid profile signoff.users.read');
  });
});

describe('outbound.allowPrivateNetworks (DESIGN.md "Back-channel delivery": SSRF guard)', () => {
  it('defaults to true for a loopback issuer (a development set-up)', () => {
    assert.equal(parseConfig(minimal({ issuer: 'http://127.0.0.1:3000' })).outbound.allowPrivateNetworks, true);
    assert.equal(parseConfig(minimal({ issuer: 'http://localhost:3000' })).outbound.allowPrivateNetworks, true);
  });

  it('defaults to false for a public issuer', () => {
    assert.equal(parseConfig(minimal({ issuer: 'https://id.example.com' })).outbound.allowPrivateNetworks, false);
  });

  it('defaults to true only when the issuer host is exactly localhost, 127.0.0.1 or [::1] (issue 10 §6)', () => {
    for (const issuer of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'http://LOCALHOST:3000/base']) {
      assert.equal(parseConfig(minimal({ issuer })).outbound.allowPrivateNetworks, true, issuer);
    }
    // Other loopback addresses and look-alike names are not the development set-up: https so that
    // the refusal of plain-http public issuers does not decide the case.
    for (const issuer of ['https://127.0.0.2:3000', 'https://127.255.255.254', 'https://[::ffff:127.0.0.1]', 'https://localhost.:3000', 'https://localhost.example.com', 'https://sub.localhost']) {
      assert.equal(parseConfig(minimal({ issuer })).outbound.allowPrivateNetworks, false, issuer);
    }
  });

  it('takes an explicit value over the default', () => {
    assert.equal(parseConfig(minimal({ issuer: 'https://id.example.com', outbound: { allowPrivateNetworks: true } })).outbound.allowPrivateNetworks, true);
    assert.equal(parseConfig(minimal({ issuer: 'http://127.0.0.1:3000', outbound: { allowPrivateNetworks: false } })).outbound.allowPrivateNetworks, false);
  });
});

describe('loadConfig: file and environment (DESIGN.md "Contracts": --config FILE; SIGNOFF_ISSUER / SIGNOFF_PORT / SIGNOFF_STORE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    return file;
  };

  it('reads the file when no environment overrides are set', () => {
    const file = write('plain.json', { issuer: 'https://id.example.com', port: 8443, store: { sqlite: '/var/lib/signoff/s.sqlite' } });
    const c = loadConfig({ file, env: {} });
    assert.equal(c.issuer, 'https://id.example.com');
    assert.equal(c.port, 8443);
    assert.deepEqual(c.store, { sqlite: '/var/lib/signoff/s.sqlite' });
  });

  it('applies SIGNOFF_ISSUER, SIGNOFF_PORT and SIGNOFF_STORE over the file', () => {
    const file = write('env.json', { issuer: 'https://id.example.com', port: 8443, store: { sqlite: '/a.sqlite' } });
    const c = loadConfig({ file, env: { SIGNOFF_ISSUER: 'https://login.example.org', SIGNOFF_PORT: '9001', SIGNOFF_STORE: '/b/c.sqlite' } });
    assert.equal(c.issuer, 'https://login.example.org');
    assert.equal(c.port, 9001);
    assert.deepEqual(c.store, { sqlite: '/b/c.sqlite' });
  });

  it('reads a postgres:// SIGNOFF_STORE as a PostgreSQL URL', () => {
    const file = write('pg.json', { issuer: 'https://id.example.com' });
    assert.deepEqual(loadConfig({ file, env: { SIGNOFF_STORE: 'postgres://u@db/signoff' } }).store, { postgres: 'postgres://u@db/signoff', poolSize: 10 });
    assert.deepEqual(loadConfig({ file, env: { SIGNOFF_STORE: 'postgresql://u@db/signoff' } }).store, { postgres: 'postgresql://u@db/signoff', poolSize: 10 });
    // A pool size the file sets stays when the environment names another database (issue 11 §2 "A pool size setting").
    const sized = write('pg-sized.json', { issuer: 'https://id.example.com', store: { postgres: 'postgres://u@a/one', poolSize: 3 } });
    assert.deepEqual(loadConfig({ file: sized, env: { SIGNOFF_STORE: 'postgres://u@b/two' } }).store, { postgres: 'postgres://u@b/two', poolSize: 3 });
  });

  it('validates environment overrides like file values, naming the key', () => {
    const file = write('badenv.json', { issuer: 'https://id.example.com' });
    assert.throws(() => loadConfig({ file, env: { SIGNOFF_PORT: 'eighty' } }), (e: unknown) => e instanceof ConfigError && e.key === 'port');
    assert.throws(() => loadConfig({ file, env: { SIGNOFF_ISSUER: 'https://id.example.com/' } }), (e: unknown) => e instanceof ConfigError && e.key === 'issuer');
  });

  it('takes the --port option over SIGNOFF_PORT and the file', () => {
    const file = write('port.json', { issuer: 'https://id.example.com', port: 8443 });
    assert.equal(loadConfig({ file, port: 7000, env: { SIGNOFF_PORT: '9001' } }).port, 7000);
  });

  it('resolves a relative SQLite path against the working directory, not the file\'s directory', () => {
    const file = write('relative.json', { issuer: 'https://id.example.com', store: { sqlite: './data/signoff.sqlite' } });
    const c = loadConfig({ file, env: {} });
    assert.ok('sqlite' in c.store);
    assert.ok(isAbsolute(c.store.sqlite));
    assert.equal(c.store.sqlite, resolve(process.cwd(), 'data/signoff.sqlite'));
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.store));
  });

  it('keeps :memory: as it is', () => {
    const file = write('memory.json', { issuer: 'https://id.example.com', store: { sqlite: ':memory:' } });
    assert.deepEqual(loadConfig({ file, env: {} }).store, { sqlite: ':memory:' });
  });

  it('reports a missing file, invalid JSON and a non-object as --config errors', () => {
    for (const file of [join(dir, 'missing.json'), write('broken.json', '{"issuer": '), write('array.json', '[]')]) {
      assert.throws(() => loadConfig({ file, env: {} }), (e: unknown) => e instanceof ConfigError && e.key === '--config', file);
    }
  });

  it('reports an unknown key in the file naming it', () => {
    const file = write('unknown.json', { issuer: 'https://id.example.com', sessions: {} });
    assert.throws(() => loadConfig({ file, env: {} }), (e: unknown) => e instanceof ConfigError && e.key === 'sessions' && e.message.includes('"sessions"'));
  });

  it('runs the clearly-marked development configuration without a file', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.development, true);
    assert.match(c.issuer, /^http:\/\/(localhost|127\.0\.0\.1)/);
  });
});

describe('issue 14 §4: signIn.throttle', () => {
  it('defaults: on; Keycloak-like account counter (lock at 30), tighter (account, address) pair, looser address; 15-minute locks; 12 h reset', () => {
    const t = parseConfig(minimal()).signIn.throttle;
    assert.equal(t.enabled, true);
    assert.equal(t.resetAfter, 12 * 3600);
    assert.equal(t.knownAddressFor, 30 * 86400);
    assert.deepEqual(t.account, { freeFailures: 10, delay: 1, maxDelay: 60, lockAfter: 30, lockDuration: 900 });
    assert.deepEqual(t.pair, { freeFailures: 5, delay: 1, maxDelay: 60, lockAfter: 20, lockDuration: 900 });
    assert.deepEqual(t.address, { freeFailures: 30, delay: 1, maxDelay: 60, lockAfter: 100, lockDuration: 900 });
  });

  it('durations as elsewhere ("4s", "15m"); a bad value names the key', () => {
    const t = parseConfig(minimal({ signIn: { throttle: { pair: { delay: '4s', maxDelay: '2m', lockDuration: '5m' } } } })).signIn.throttle;
    assert.deepEqual(t.pair, { freeFailures: 5, delay: 4, maxDelay: 120, lockAfter: 20, lockDuration: 300 });
    failsNaming(minimal({ signIn: { throttle: { enabled: 'yes' } } }), 'signIn.throttle.enabled');
    failsNaming(minimal({ signIn: { throttle: { pair: { lockAfter: 0 } } } }), 'signIn.throttle.pair.lockAfter');
    failsNaming(minimal({ signIn: { throttle: { account: { delay: 'soon' } } } }), 'signIn.throttle.account.delay');
    failsNaming(minimal({ signIn: { throttle: { address: { freeFailures: -1 } } } }), 'signIn.throttle.address.freeFailures');
    failsNaming(minimal({ signIn: { throttle: { address: { delay: '1m', maxDelay: '10s' } } } }), 'signIn.throttle.address.maxDelay', /delay/);
    failsNaming(minimal({ signIn: { throttle: { ip: {} } } }), 'signIn.throttle.ip', /unknown key/);
  });
});

describe('passwords.hashing: argon2id cost with the OWASP Password Storage Cheat Sheet minimums (issue 18 P5)', () => {
  it('defaults to m=19456 KiB, t=2, p=1, the cheat sheet\'s argon2id minimum', () => {
    assert.deepEqual({ ...parseConfig(minimal()).passwords.hashing }, { memory: 19456, iterations: 2, parallelism: 1 });
  });

  it('accepts each of the cheat sheet\'s configurations of equal defence, and more', () => {
    for (const [memory, iterations] of [[47104, 1], [19456, 2], [12288, 3], [9216, 4], [7168, 5], [7168, 10], [65536, 3]] as const) {
      const h = parseConfig(minimal({ passwords: { hashing: { memory, iterations, parallelism: 2 } } })).passwords.hashing;
      assert.deepEqual([h.memory, h.iterations, h.parallelism], [memory, iterations, 2]);
    }
  });

  it('refuses less memory than the cheat sheet allows for the passes, naming passwords.hashing.memory', () => {
    failsNaming(minimal({ passwords: { hashing: { memory: 47103, iterations: 1 } } }), 'passwords.hashing.memory', /47104/);
    failsNaming(minimal({ passwords: { hashing: { memory: 19455 } } }), 'passwords.hashing.memory', /19456/);
    failsNaming(minimal({ passwords: { hashing: { memory: 12287, iterations: 3 } } }), 'passwords.hashing.memory', /12288/);
    failsNaming(minimal({ passwords: { hashing: { memory: 9215, iterations: 4 } } }), 'passwords.hashing.memory', /9216/);
    failsNaming(minimal({ passwords: { hashing: { memory: 4096, iterations: 20 } } }), 'passwords.hashing.memory');
  });

  it('refuses values that are not whole numbers in range, and unknown keys, naming them', () => {
    for (const bad of [0, -1, 1.5, 65, 1e12, 'two']) failsNaming(minimal({ passwords: { hashing: { iterations: bad } } }), 'passwords.hashing.iterations');
    for (const bad of [0, 17, 0.5]) failsNaming(minimal({ passwords: { hashing: { parallelism: bad } } }), 'passwords.hashing.parallelism');
    failsNaming(minimal({ passwords: { hashing: { memory: '19 MiB' } } }), 'passwords.hashing.memory');
    failsNaming(minimal({ passwords: { hashing: { saltLength: 8 } } }), 'passwords.hashing.saltLength', /unknown key/);
  });
});
