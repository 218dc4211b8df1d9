import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { TestBrowser, isLoginPage } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { callbackOf, codeFlow, discover, postForm, rejectsWithOAuthError, startAuthorization } from './helpers/rp.js';

describe('openid-client v6 as the relying party (OIDC Core §3.1, code flow with PKCE)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op.close());

  it('completes discovery, code + PKCE, and validates the ID token (OIDC Core §3.1.3.7)', async () => {
    const config = await oidc.discovery(new URL(op.issuer), CLIENTS.web.client_id, CLIENTS.web.client_secret, oidc.ClientSecretBasic(CLIENTS.web.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CLIENTS.web.redirect_uri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.signIn(url.toString(), USERS.alice);
    assert.equal(hop.status, 303);
    assert.ok(hop.location?.startsWith(CLIENTS.web.redirect_uri));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(hop.location ?? ""), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, op.issuer);
    assert.equal(claims.aud, CLIENTS.web.client_id);
    assert.equal(claims.nonce, nonce);
    assert.equal(typeof claims.sid, 'string');
    assert.equal(claims.email, USERS.alice.claims.email);
  });
});

describe('Discovery (OpenID Connect Discovery 1.0 §3, §4; RFC 8414; RFC 9207)', () => {
  let op: TestProvider;
  let doc: Record<string, unknown>;
  before(async () => {
    op = await startProvider();
    const res = await fetch(`${op.issuer}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await res.json()) as Record<string, unknown>;
  });
  after(() => op.close());

  it('the issuer in the document is exactly the issuer it was fetched from (OIDC Discovery §4.3)', async () => {
    assert.equal(doc.issuer, op.issuer);
    // openid-client performs the same §4.3 check and must accept the document.
    const config = await discover(op.issuer, 'web');
    assert.equal(config.serverMetadata().issuer, op.issuer);
  });

  it('names the authorization, token, userinfo, jwks, revocation and introspection endpoints (OIDC Discovery §3, RFC 8414 §2)', async () => {
    const expected: Record<string, string> = {
      authorization_endpoint: '/authorize',
      token_endpoint: '/token',
      userinfo_endpoint: '/userinfo',
      jwks_uri: '/jwks',
      revocation_endpoint: '/revoke',
      introspection_endpoint: '/introspect',
    };
    for (const [field, path] of Object.entries(expected)) assert.equal(doc[field], op.issuer + path, field);
    const jwks = (await (await fetch(doc.jwks_uri as string)).json()) as JSONWebKeySet;
    assert.ok(Array.isArray(jwks.keys) && jwks.keys.length > 0, 'jwks_uri serves a key set');
    // The advertised token endpoint exists: a bad request gets an OAuth error, not a 404.
    const tokenRes = await postForm(doc.token_endpoint as string, { grant_type: 'authorization_code' });
    assert.notEqual(tokenRes.status, 404);
    assert.equal(typeof ((await tokenRes.json()) as { error?: unknown }).error, 'string');
  });

  it('carries the REQUIRED metadata: response_types_supported with code, subject_types_supported, scopes_supported with openid (OIDC Discovery §3)', () => {
    assert.ok((doc.response_types_supported as string[]).includes('code'));
    assert.ok(Array.isArray(doc.subject_types_supported) && (doc.subject_types_supported as unknown[]).length > 0);
    assert.ok((doc.scopes_supported as string[]).includes('openid'));
  });

  it('advertises PKCE with S256 in code_challenge_methods_supported (RFC 8414 §2, RFC 7636 §4.2)', () => {
    assert.ok(Array.isArray(doc.code_challenge_methods_supported));
    assert.ok((doc.code_challenge_methods_supported as string[]).includes('S256'));
  });

  it('id_token_signing_alg_values_supported includes RS256, and every advertised alg has a key in jwks_uri (OIDC Discovery §3, OIDC Core §10.1)', async () => {
    const algs = doc.id_token_signing_alg_values_supported as string[];
    assert.ok(algs.includes('RS256'));
    assert.ok(!algs.includes('none'), 'alg none must not be offered for ID tokens of the code flow');
    const { keys } = (await (await fetch(doc.jwks_uri as string)).json()) as JSONWebKeySet;
    for (const alg of algs) {
      const kty = alg.startsWith('RS') || alg.startsWith('PS') ? 'RSA' : alg.startsWith('ES') ? 'EC' : 'OKP';
      assert.ok(
        keys.some((k) => k.kty === kty && (k.alg === undefined || k.alg === alg) && k.use !== 'enc'),
        `no ${kty} signing key in the JWKS for advertised alg ${alg}`,
      );
    }
    for (const k of keys) assert.equal((k as { d?: unknown }).d, undefined, 'the JWKS must not publish private key material');
  });

  it('authorization_response_iss_parameter_supported is true (RFC 9207 §3)', () => {
    assert.equal(doc.authorization_response_iss_parameter_supported, true);
  });
});

describe('Authorization code flow, ID token, sid and SSO (OIDC Core §3.1; Front-Channel Logout §3)', () => {
  let op: TestProvider;
  let web: oidc.Configuration;
  let post: oidc.Configuration;
  before(async () => {
    op = await startProvider();
    [web, post] = await Promise.all([discover(op.issuer, 'web'), discover(op.issuer, 'post')]);
  });
  after(() => op.close());

  it('the authorization response carries code, the unchanged state and iss (RFC 6749 §4.1.2, RFC 9207 §2)', async () => {
    const started = await startAuthorization(web, 'web');
    const hop = await new TestBrowser(op.issuer).signIn(started.url.toString(), USERS.alice);
    const callback = callbackOf(hop, 'web');
    assert.equal(callback.origin + callback.pathname, CLIENTS.web.redirect_uri);
    assert.ok(callback.searchParams.get('code'));
    assert.equal(callback.searchParams.get('state'), started.state);
    assert.equal(callback.searchParams.get('iss'), op.issuer);
  });

  it('state is returned exactly as sent, reserved and non-ASCII characters included (RFC 6749 §4.1.2, §4.1.2.1)', async () => {
    const browser = new TestBrowser(op.issuer);
    const state = 'a b&c=d/e?f#g+h%20ié✓';
    const started = await startAuthorization(web, 'web', { state });
    const hop = await browser.signIn(started.url.toString(), USERS.alice);
    const callback = callbackOf(hop, 'web');
    assert.equal(callback.searchParams.get('state'), state);
    await oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: started.verifier, expectedState: state, expectedNonce: started.nonce });
    // And on an error response.
    const failing = await startAuthorization(web, 'web', { state, prompt: 'none', max_age: 'not-a-number' });
    const err = callbackOf(await browser.navigate(failing.url.toString()), 'web');
    assert.ok(err.searchParams.get('error'));
    assert.equal(err.searchParams.get('state'), state);
  });

  it('code + PKCE (S256): openid-client redeems the code with the verifier (RFC 7636 §4.5-§4.6, OIDC Core §3.1.3)', async () => {
    const { tokens } = await codeFlow(web, 'web', new TestBrowser(op.issuer), { user: USERS.alice });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.access_token);
    assert.ok(tokens.id_token);
    assert.ok(tokens.expires_in && tokens.expires_in > 0);
  });

  it('unrecognized parameters are ignored by the authorization and token endpoints (RFC 6749 §3.1, §3.2)', async () => {
    const browser = new TestBrowser(op.issuer);
    const started = await startAuthorization(web, 'web', { x_unknown_param: 'whatever', foo: 'bar' });
    const hop = await browser.signIn(started.url.toString(), USERS.alice);
    const tokens = await oidc.authorizationCodeGrant(
      web,
      callbackOf(hop, 'web'),
      { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce },
      { x_unknown_param: 'whatever' },
    );
    assert.ok(tokens.access_token);
  });

  it('a parameter sent twice is refused with invalid_request (RFC 6749 §3.1)', async () => {
    const started = await startAuthorization(web, 'web');
    const url = new URL(started.url);
    url.searchParams.append('scope', 'openid email');
    const hop = await new TestBrowser(op.issuer).navigate(url.toString());
    const callback = callbackOf(hop, 'web');
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('the nonce of each request is returned in its ID token (OIDC Core §3.1.2.1, §3.1.3.7 step 11)', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await codeFlow(web, 'web', browser, { user: USERS.alice });
    const second = await codeFlow(web, 'web', browser);
    assert.notEqual(first.started.nonce, second.started.nonce);
    assert.equal(first.tokens.claims()?.nonce, first.started.nonce);
    assert.equal(second.tokens.claims()?.nonce, second.started.nonce);
    // And the client library rejects an ID token whose nonce is not the one it sent.
    const third = await startAuthorization(web, 'web');
    const hop = await browser.signIn(third.url.toString());
    await assert.rejects(
      oidc.authorizationCodeGrant(web, callbackOf(hop, 'web'), {
        pkceCodeVerifier: third.verifier,
        expectedState: third.state,
        expectedNonce: oidc.randomNonce(),
        idTokenExpected: true,
      }),
      (err: unknown) => {
        assert.ok(err instanceof oidc.ClientError, String(err));
        assert.match((err.cause as Error | undefined)?.message ?? '', /"nonce" claim/, 'refused for its nonce');
        return true;
      },
    );
  });

  it('the ID token verifies against jwks_uri (RS256) and carries iss, sub, aud, exp, iat, auth_time, acr, amr, azp, at_hash (OIDC Core §2, §3.1.3.6-§3.1.3.7)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { tokens } = await codeFlow(web, 'web', new TestBrowser(op.issuer), { user: USERS.alice });
    const idToken = tokens.id_token as string;
    const header = decodeProtectedHeader(idToken);
    assert.equal(header.alg, 'RS256', 'the default ID token alg is RS256');
    assert.equal(typeof header.kid, 'string');

    const jwksUri = new URL(web.serverMetadata().jwks_uri as string);
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(jwksUri), {
      issuer: op.issuer,
      audience: CLIENTS.web.client_id,
      algorithms: ['RS256'],
    });
    // The same check with a local copy of the key set (a key rotation must keep the kid published).
    const jwks = (await (await fetch(jwksUri)).json()) as JSONWebKeySet;
    assert.ok(jwks.keys.some((k) => k.kid === header.kid), 'the ID token kid is published');
    await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: op.issuer, audience: CLIENTS.web.client_id });

    assert.equal(typeof payload.sub, 'string');
    assert.ok((payload.sub as string).length > 0 && (payload.sub as string).length <= 255, 'sub is 1..255 ASCII characters (§2)');
    assert.ok(typeof payload.iat === 'number' && payload.iat >= before - 5 && payload.iat <= before + 60);
    assert.ok(typeof payload.exp === 'number' && payload.exp > payload.iat);
    assert.ok(typeof payload.auth_time === 'number' && payload.auth_time <= payload.iat && payload.auth_time >= before - 5);
    assert.equal(typeof payload.acr, 'string');
    assert.ok(Array.isArray(payload.amr) && payload.amr.length > 0, 'amr is a non-empty array');
    assert.ok((payload.amr as string[]).includes('pwd'), 'password sign-in is amr "pwd" (RFC 8176 §2)');
    assert.equal(payload.azp, CLIENTS.web.client_id, 'azp is always sent: the client (OIDC Core §2)');
    const expectedAtHash = createHash('sha256').update(tokens.access_token).digest().subarray(0, 16).toString('base64url');
    assert.equal(payload.at_hash, expectedAtHash);
  });

  it('the access token is a JWT with typ at+jwt, signed by a key in jwks_uri, with the RFC 9068 claims (RFC 9068 §2.1-§2.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', new TestBrowser(op.issuer), { user: USERS.alice });
    const jwks = createRemoteJWKSet(new URL(web.serverMetadata().jwks_uri as string));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: op.issuer, typ: 'at+jwt' });
    assert.ok(['RS256', 'ES256'].includes(protectedHeader.alg));
    assert.equal(payload.client_id, CLIENTS.web.client_id);
    assert.equal(payload.sub, tokens.claims()?.sub);
    assert.ok(payload.aud !== undefined, 'aud');
    assert.equal(typeof payload.jti, 'string');
    assert.equal(typeof payload.iat, 'number');
    assert.equal(typeof payload.exp, 'number');
  });

  it('sid is present, stable for one session and client, and different for another client or another session (Front-Channel Logout 1.0 §3, Back-Channel Logout 1.0 §2.1)', async () => {
    const browser = new TestBrowser(op.issuer);
    const a = await codeFlow(web, 'web', browser, { user: USERS.alice });
    const b = await codeFlow(web, 'web', browser);
    const c = await codeFlow(post, 'post', browser);
    const sidA = a.tokens.claims()?.sid;
    assert.equal(typeof sidA, 'string');
    assert.ok((sidA as string).length > 0);
    assert.equal(b.tokens.claims()?.sid, sidA, 'same session and client: same sid');
    assert.equal(typeof c.tokens.claims()?.sid, 'string');
    assert.notEqual(c.tokens.claims()?.sid, sidA, 'another client in the same session: a different sid');

    const other = await codeFlow(web, 'web', new TestBrowser(op.issuer), { user: USERS.alice });
    assert.notEqual(other.tokens.claims()?.sid, sidA, 'another session: a different sid');
    for (const value of browser.cookies.values()) assert.ok(!value.includes(sidA as string), 'sid is not the cookie value');
  });

  it('a second client is signed in without a password from the same browser (SSO; OIDC Core §3.1.2.3)', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await codeFlow(web, 'web', browser, { user: USERS.alice });

    const started = await startAuthorization(post, 'post');
    const hop = await browser.request(started.url.toString());
    assert.ok([302, 303].includes(hop.status), `expected an immediate redirect, got ${hop.status}`);
    assert.ok(!isLoginPage(hop.body));
    const tokens = await oidc.authorizationCodeGrant(post, callbackOf(hop, 'post'), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    const a = first.tokens.claims();
    const b = tokens.claims();
    assert.equal(b?.sub, a?.sub, 'the same account');
    assert.equal(b?.auth_time, a?.auth_time, 'no new authentication happened');
    assert.equal(b?.aud, CLIENTS.post.client_id);
  });
});

describe('Client kinds: client_secret_post with ES256 ID tokens, public client with PKCE and refresh (OIDC Core §9, §3.1.3.7 step 7; RFC 7636)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op.close());

  it('a client_secret_post client receives ES256 ID tokens verifiable with the EC key in jwks_uri (OIDC Core §9, §3.1.3.7 step 7)', async () => {
    const post = await discover(op.issuer, 'post');
    const { tokens } = await codeFlow(post, 'post', new TestBrowser(op.issuer), { user: USERS.bob });
    const idToken = tokens.id_token as string;
    const header = decodeProtectedHeader(idToken);
    assert.equal(header.alg, 'ES256');
    const jwks = (await (await fetch(post.serverMetadata().jwks_uri as string)).json()) as JSONWebKeySet;
    const key = jwks.keys.find((k) => k.kid === header.kid);
    assert.ok(key, 'the ES256 kid is published');
    assert.equal(key.kty, 'EC');
    assert.equal(key.crv, 'P-256');
    const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
      issuer: op.issuer,
      audience: CLIENTS.post.client_id,
      algorithms: ['ES256'],
    });
    assert.equal(payload.email, USERS.bob.claims.email);
  });

  it('client_secret_post: the token endpoint refuses the same client authenticating with Basic (OIDC Core §9, RFC 6749 §2.3)', async () => {
    const res = await postForm(`${op.issuer}/token`, { grant_type: 'authorization_code', code: 'x', redirect_uri: CLIENTS.post.redirect_uri }, {
      authorization: `Basic ${Buffer.from(`${CLIENTS.post.client_id}:${CLIENTS.post.client_secret}`).toString('base64')}`,
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  it('a client registered without the refresh_token grant gets no refresh token and may not use that grant (RFC 6749 §5.1, §5.2 unauthorized_client)', async () => {
    const post = await discover(op.issuer, 'post');
    const { tokens } = await codeFlow(post, 'post', new TestBrowser(op.issuer), { user: USERS.alice });
    assert.equal(tokens.refresh_token, undefined);
    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(post, 'some-refresh-token'), 'unauthorized_client');
  });

  it('a public client (none) completes code + PKCE and refreshes without a secret (RFC 7636 §4.5, RFC 6749 §6)', async () => {
    const spa = await discover(op.issuer, 'spa');
    const { tokens } = await codeFlow(spa, 'spa', new TestBrowser(op.issuer), { user: USERS.alice });
    assert.equal(tokens.claims()?.aud, CLIENTS.spa.client_id);
    assert.ok(tokens.refresh_token, 'the spa is registered for refresh_token');
    const refreshed = await oidc.refreshTokenGrant(spa, tokens.refresh_token);
    assert.ok(refreshed.access_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    const info = await oidc.fetchUserInfo(spa, refreshed.access_token, tokens.claims()?.sub as string);
    assert.equal(info.sub, tokens.claims()?.sub);
  });

  it('a public client that sends no code_challenge gets invalid_request on its redirect URI (RFC 7636 §4.4.1, RFC 9700 §2.1.1)', async () => {
    const spa = await discover(op.issuer, 'spa');
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(spa, { redirect_uri: CLIENTS.spa.redirect_uri, scope: 'openid', state });
    const hop = await new TestBrowser(op.issuer).navigate(url.toString());
    const callback = callbackOf(hop, 'spa');
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('code'), null);
  });
});

describe('UserInfo (OIDC Core §5.3, §5.4)', () => {
  let op: TestProvider;
  let web: oidc.Configuration;
  let browser: TestBrowser;
  before(async () => {
    op = await startProvider();
    web = await discover(op.issuer, 'web');
    browser = new TestBrowser(op.issuer);
    await codeFlow(web, 'web', browser, { user: USERS.alice });
  });
  after(() => op.close());

  it('GET with a Bearer token returns sub matching the ID token and the profile and email claims (OIDC Core §5.3.1-§5.3.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser, { extra: { scope: 'openid profile email' } });
    const sub = tokens.claims()?.sub as string;
    const info = await oidc.fetchUserInfo(web, tokens.access_token, sub);
    assert.equal(info.sub, sub);
    assert.equal(info.name, USERS.alice.claims.name);
    assert.equal(info.email, USERS.alice.claims.email);
    assert.equal(info.email_verified, true);
  });

  it('POST is accepted, with the token in the Authorization header or in the form body (OIDC Core §5.3.1, RFC 6750 §2.1-§2.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser, { extra: { scope: 'openid email' } });
    const sub = tokens.claims()?.sub as string;
    const endpoint = new URL(web.serverMetadata().userinfo_endpoint as string);
    const viaHeader = await oidc.fetchProtectedResource(web, tokens.access_token, endpoint, 'POST', null);
    assert.equal(viaHeader.status, 200);
    const a = (await viaHeader.json()) as Record<string, unknown>;
    assert.equal(a.sub, sub);
    assert.equal(a.email, USERS.alice.claims.email);

    const viaBody = await postForm(endpoint.toString(), { access_token: tokens.access_token });
    assert.equal(viaBody.status, 200);
    const b = (await viaBody.json()) as Record<string, unknown>;
    assert.equal(b.sub, sub);
    assert.equal(b.email, USERS.alice.claims.email);
  });

  it('claims follow the granted scopes: without email there is no email claim, without profile no name (OIDC Core §5.4)', async () => {
    const profileOnly = await codeFlow(web, 'web', browser, { extra: { scope: 'openid profile' } });
    const p = await oidc.fetchUserInfo(web, profileOnly.tokens.access_token, profileOnly.tokens.claims()?.sub as string);
    assert.equal(p.name, USERS.alice.claims.name);
    assert.equal(p.email, undefined);
    assert.equal(p.email_verified, undefined);
    assert.equal(profileOnly.tokens.claims()?.email, undefined, 'nor in the ID token');

    const emailOnly = await codeFlow(web, 'web', browser, { extra: { scope: 'openid email' } });
    const e = await oidc.fetchUserInfo(web, emailOnly.tokens.access_token, emailOnly.tokens.claims()?.sub as string);
    assert.equal(e.email, USERS.alice.claims.email);
    assert.equal(e.name, undefined);

    const bare = await codeFlow(web, 'web', browser, { extra: { scope: 'openid' } });
    const o = await oidc.fetchUserInfo(web, bare.tokens.access_token, bare.tokens.claims()?.sub as string);
    assert.deepEqual(Object.keys(o), ['sub']);
  });

  it('a token sent both in the header and in the body is refused with invalid_request (RFC 6750 §2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser, { extra: { scope: 'openid' } });
    const res = await postForm(web.serverMetadata().userinfo_endpoint as string, { access_token: tokens.access_token }, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
  });

  it('a missing or invalid token is refused with 401 and a Bearer challenge (RFC 6750 §3, §3.1)', async () => {
    const endpoint = web.serverMetadata().userinfo_endpoint as string;
    const none = await fetch(endpoint);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/i);
    const bad = await fetch(endpoint, { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const body = (await bad.json()) as { error?: string };
    assert.equal(body.error, 'invalid_token');
  });
});
