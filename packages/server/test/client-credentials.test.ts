/**
 * The client credentials grant for the admin API (issue 12 §2; RFC 6749 §4.4, §5.2; RFC 9068),
 * driven over real HTTP, and verifyAdminToken (src/admin/authorize.ts) against a real provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { type AdminAuthorizeDeps, verifyAdminToken } from '../src/admin/authorize.js';
import { signJwt } from '../src/tokens/jwt.js';
import { CLIENTS, type TestProvider, defaultClients, startProvider } from './helpers/provider.js';
import { basicAuth, postForm } from './helpers/rp.js';

const OPS = { client_id: 'ops', client_secret: 'ops-secret-0123456789-0123456789-abcd' } as const;
const OPS_POST = { client_id: 'ops-post', client_secret: 'ops-post-secret-0123456789-0123456789' } as const;
const OPS_SCOPE = 'signoff.sessions.read signoff.sessions.manage signoff.events.read';

let op: TestProvider;
let deps: AdminAuthorizeDeps;

before(async () => {
  op = await startProvider({
    clients: [
      ...defaultClients(),
      { ...OPS, grant_types: ['client_credentials'], scope: OPS_SCOPE },
      { ...OPS_POST, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'signoff.users.read' },
    ],
  });
  const p = op.provider;
  deps = { issuer: op.issuer, keys: p.keys, clock: p.clock, tokens: p.store, clients: p.store };
});
after(() => op.close());

const token = (form: Record<string, string>, auth = basicAuth(OPS.client_id, OPS.client_secret)) =>
  postForm(`${op.issuer}/token`, { grant_type: 'client_credentials', ...form }, auth ? { authorization: auth } : {});

const accessToken = async (scope?: string): Promise<string> => {
  const res = await token(scope === undefined ? {} : { scope });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
};

const oauthError = async (res: Response, status: number, error: string): Promise<void> => {
  const body = (await res.json()) as { error?: string; error_description?: string };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error, error, body.error_description);
};

describe('Client credentials grant (RFC 6749 §4.4, issue 12 §2)', () => {
  it('a confidential client registered for the grant gets a Bearer access token and nothing else (RFC 6749 §4.4.3)', async () => {
    const res = await token({ scope: 'signoff.sessions.read' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store', 'RFC 6749 §5.1');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(typeof body.access_token, 'string');
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, op.provider.config.tokens.accessTokenTtl);
    assert.equal(body.scope, 'signoff.sessions.read');
    assert.equal(body.refresh_token, undefined, 'RFC 6749 §4.4.3: a refresh token SHOULD NOT be included');
    assert.equal(body.id_token, undefined, 'no user signed in: no ID token');
  });

  it('client_secret_post works for a client registered for it, and only that method (RFC 6749 §2.3.1)', async () => {
    const res = await token({ client_id: OPS_POST.client_id, client_secret: OPS_POST.client_secret }, '');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { scope: string }).scope, 'signoff.users.read');
    await oauthError(await token({}, basicAuth(OPS_POST.client_id, OPS_POST.client_secret)), 401, 'invalid_client');
  });

  it('a wrong secret is 401 invalid_client (RFC 6749 §4.4.2, §5.2)', async () => {
    const res = await token({}, basicAuth(OPS.client_id, `${OPS.client_secret}x`));
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/i);
    await oauthError(res, 401, 'invalid_client');
    await oauthError(await token({}, ''), 401, 'invalid_client');
  });

  it('a client not registered for the grant is unauthorized_client (RFC 6749 §5.2)', async () => {
    await oauthError(await token({}, basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret)), 400, 'unauthorized_client');
  });

  it('a public client never gets a token, even one stored with the grant (RFC 6749 §4.4: confidential clients only)', async () => {
    await oauthError(await token({ client_id: CLIENTS.spa.client_id }, ''), 400, 'unauthorized_client');
    const spa = await op.provider.store.clientById(CLIENTS.spa.client_id);
    assert.ok(spa);
    await op.provider.store.upsertClient({ ...spa, client_id: 'public-cc', grant_types: ['client_credentials'], scope: 'signoff.users.read' });
    await oauthError(await token({ client_id: 'public-cc' }, ''), 400, 'unauthorized_client');
  });

  it('a scope beyond the registered one is invalid_scope (RFC 6749 §5.2, §3.3)', async () => {
    await oauthError(await token({ scope: 'signoff.sessions.read signoff.users.manage' }), 400, 'invalid_scope');
    await oauthError(await token({ scope: 'openid' }), 400, 'invalid_scope');
    await oauthError(await token({ scope: 'signoff.nothing.read' }), 400, 'invalid_scope');
  });

  it('without a scope parameter the token carries every registered admin scope (RFC 6749 §3.3 default)', async () => {
    const res = await token({});
    assert.equal(res.status, 200);
    const body = (await res.json()) as { scope: string; access_token: string };
    assert.equal(body.scope, OPS_SCOPE);
    assert.equal(decodeJwt(body.access_token).scope, OPS_SCOPE);
  });

  it('the access token is an RFC 9068 JWT for the admin API: typ at+jwt, iss, aud, sub = client_id, client_id, scope, iat, exp, jti', async () => {
    const at = await accessToken('signoff.events.read signoff.sessions.read');
    const header = decodeProtectedHeader(at);
    assert.equal(header.typ, 'at+jwt', 'RFC 9068 §2.1');
    const { payload } = await jwtVerify(at, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { typ: 'at+jwt', issuer: op.issuer, audience: `${op.issuer}/admin/v1` });
    assert.equal(payload.sub, OPS.client_id, 'RFC 9068 §2.2: sub is the client when no resource owner is involved');
    assert.equal(payload.client_id, OPS.client_id);
    assert.equal(payload.scope, 'signoff.events.read signoff.sessions.read');
    assert.equal(typeof payload.jti, 'string');
    assert.equal((payload.exp as number) - (payload.iat as number), op.provider.config.tokens.accessTokenTtl);
    for (const absent of ['sid', 'gid', 'auth_time', 'acr']) assert.equal(payload[absent], undefined, `${absent} names no user session`);
  });

  it('introspection reports the token active with its scope and client_id, no username (RFC 7662 §2.2)', async () => {
    const at = await accessToken('signoff.sessions.manage');
    const res = await postForm(`${op.issuer}/introspect`, { token: at }, { authorization: basicAuth(OPS.client_id, OPS.client_secret) });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.active, true);
    assert.equal(body.scope, 'signoff.sessions.manage');
    assert.equal(body.client_id, OPS.client_id);
    assert.equal(body.aud, `${op.issuer}/admin/v1`);
    assert.equal(body.username, undefined);
    const other = await postForm(`${op.issuer}/introspect`, { token: at }, { authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret) });
    assert.deepEqual(await other.json(), { active: false }, 'another client learns nothing about it');
  });

  it('userinfo refuses it: it names no user (OIDC Core §5.3.3, RFC 6750 §3.1 invalid_token)', async () => {
    const at = await accessToken();
    const res = await fetch(`${op.issuer}/userinfo`, { headers: { authorization: `Bearer ${at}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  it('openid-client interoperates: clientCredentialsGrant (RFC 6749 §4.4.2)', async () => {
    const config = await oidc.discovery(new URL(op.issuer), OPS.client_id, { client_secret: OPS.client_secret }, oidc.ClientSecretBasic(OPS.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    assert.ok(config.serverMetadata().grant_types_supported?.includes('client_credentials'), 'discovery advertises the grant');
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'signoff.events.read' });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'signoff.events.read');
    assert.equal(tokens.refresh_token, undefined);
    assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
  });
});

describe('Discovery (OIDC Discovery §3, issue 12 §2)', () => {
  it('grant_types_supported has client_credentials; scopes_supported stays the OpenID Connect scopes', async () => {
    const doc = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.deepEqual(doc.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials']);
    assert.ok(!doc.scopes_supported?.some((s) => s.startsWith('signoff.')));
  });
});

describe('verifyAdminToken (issue 12 §2: only tokens Signoff issued for ISSUER/admin/v1, with the route\'s scope)', () => {
  it('accepts a client credentials token holding the scope, with its client_id and scopes', async () => {
    const result = await verifyAdminToken(deps, await accessToken('signoff.sessions.read signoff.events.read'), 'signoff.events.read');
    assert.deepEqual(result, { ok: true, clientId: OPS.client_id, scopes: ['signoff.sessions.read', 'signoff.events.read'] });
  });

  it('a token without the route\'s scope is insufficient_scope (RFC 6750 §3.1)', async () => {
    assert.deepEqual(await verifyAdminToken(deps, await accessToken('signoff.sessions.read'), 'signoff.sessions.manage'), { ok: false, error: 'insufficient_scope' });
  });

  it('anything not issued by Signoff for the admin audience is invalid_token (RFC 6750 §3.1, RFC 9068 §4)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: op.issuer, sub: OPS.client_id, aud: `${op.issuer}/admin/v1`, client_id: OPS.client_id, scope: OPS_SCOPE, iat: now, exp: now + 60, jti: 'j-1' };
    const sign = (claims: Record<string, unknown>, typ = 'at+jwt') => signJwt(op.provider.keys, 'RS256', claims, typ);
    assert.equal((await verifyAdminToken(deps, await sign(good), 'signoff.events.read')).ok, true, 'the control token passes');
    const refused: Record<string, string> = {
      garbage: 'not-a-jwt',
      'aud the issuer (a user access token)': await sign({ ...good, aud: op.issuer }),
      'another issuer': await sign({ ...good, iss: 'https://elsewhere.example' }),
      expired: await sign({ ...good, iat: now - 600, exp: now - 300 }),
      'typ not at+jwt': await sign(good, 'JWT'),
      'sub not the client': await sign({ ...good, sub: 'alice' }),
      'a user token family': await sign({ ...good, gid: 'g' }),
      'unknown client': await sign({ ...good, sub: 'ghost', client_id: 'ghost' }),
      'client without the grant': await sign({ ...good, sub: CLIENTS.web.client_id, client_id: CLIENTS.web.client_id }),
    };
    const { privateKey } = await generateKeyPair('RS256');
    const kid = decodeProtectedHeader(await sign(good)).kid as string;
    refused['a foreign key'] = await new SignJWT(good).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(privateKey);
    for (const [why, t] of Object.entries(refused)) {
      assert.deepEqual(await verifyAdminToken(deps, t, 'signoff.events.read'), { ok: false, error: 'invalid_token' }, why);
    }
  });

  it('a revoked token is invalid_token (RFC 7009 §2.1 denylist)', async () => {
    const at = await accessToken();
    const res = await postForm(`${op.issuer}/revoke`, { token: at }, { authorization: basicAuth(OPS.client_id, OPS.client_secret) });
    assert.equal(res.status, 200);
    assert.deepEqual(await verifyAdminToken(deps, at, 'signoff.events.read'), { ok: false, error: 'invalid_token' });
  });
});
