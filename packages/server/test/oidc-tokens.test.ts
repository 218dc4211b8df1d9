/**
 * The token endpoint and the token-management endpoints, driven by openid-client v6: code
 * redemption (PKCE, single use), refresh rotation with reuse detection, revocation (RFC 7009) and
 * introspection (RFC 7662).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { basicAuth, callbackOf, codeFlow, discover, postForm, rejectsWithOAuthError, startAuthorization } from './helpers/rp.js';

let op: TestProvider;
let web: oidc.Configuration;
let spa: oidc.Configuration;
let post: oidc.Configuration;
let browser: TestBrowser;

before(async () => {
  op = await startProvider();
  [web, spa, post] = await Promise.all([discover(op.issuer, 'web'), discover(op.issuer, 'spa'), discover(op.issuer, 'post')]);
  browser = new TestBrowser(op.issuer);
  // One signed-in browser for the whole file: every later flow is SSO (no password hashing).
  await codeFlow(web, 'web', browser, { user: USERS.alice });
});
after(() => op.close());

const introspect = async (token: string, config: oidc.Configuration = web) => oidc.tokenIntrospection(config, token);

/** True when the access token still opens the userinfo endpoint. */
const userinfoWorks = async (accessToken: string): Promise<boolean> => {
  try {
    await oidc.fetchUserInfo(web, accessToken, oidc.skipSubjectCheck);
    return true;
  } catch (err) {
    assert.ok(err instanceof oidc.WWWAuthenticateChallengeError, `unexpected error ${String(err)}`);
    assert.equal(err.status, 401);
    assert.equal(err.cause[0]?.parameters.error, 'invalid_token');
    return false;
  }
};

describe('Authorization code redemption (RFC 6749 §4.1.2-§4.1.3, RFC 7636 §4.6)', () => {
  it('a reused authorization code is refused and the tokens issued from it are revoked (RFC 6749 §4.1.2, RFC 9700 §4.2.4)', async () => {
    const { tokens, started, callback } = await codeFlow(web, 'web', browser);
    assert.equal((await introspect(tokens.access_token)).active, true, 'the first redemption issued a live token');

    await rejectsWithOAuthError(
      () => oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }),
      'invalid_grant',
    );

    assert.equal((await introspect(tokens.access_token)).active, false, 'access token from the replayed code is revoked');
    assert.equal(await userinfoWorks(tokens.access_token), false, 'userinfo refuses it');
    assert.ok(tokens.refresh_token);
    assert.equal((await introspect(tokens.refresh_token)).active, false, 'refresh token from the replayed code is revoked');
    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(web, tokens.refresh_token as string), 'invalid_grant');
  });

  it('a wrong PKCE code_verifier is refused with invalid_grant (RFC 7636 §4.6)', async () => {
    const started = await startAuthorization(web, 'web');
    const hop = await browser.signIn(started.url.toString());
    await rejectsWithOAuthError(
      () =>
        oidc.authorizationCodeGrant(web, callbackOf(hop, 'web'), {
          pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
          expectedState: started.state,
          expectedNonce: started.nonce,
        }),
      'invalid_grant',
    );
  });

  it('a code issued with a code_challenge is refused without a code_verifier (RFC 7636 §4.6)', async () => {
    const started = await startAuthorization(web, 'web');
    const hop = await browser.signIn(started.url.toString());
    await rejectsWithOAuthError(
      () => oidc.authorizationCodeGrant(web, callbackOf(hop, 'web'), { expectedState: started.state, expectedNonce: started.nonce }),
      'invalid_grant',
    );
  });

  it('a code issued without a code_challenge is refused when a code_verifier is sent: no PKCE downgrade (RFC 9700 §2.1.1; issue 10 §9)', async () => {
    // An attacker who strips code_challenge from the victim's request must not be able to redeem
    // the code with a verifier of its own: a verifier for a code without a challenge is refused.
    const codeWithoutPkce = async (): Promise<string> => {
      const url = oidc.buildAuthorizationUrl(web, { redirect_uri: CLIENTS.web.redirect_uri, scope: 'openid', state: oidc.randomState() });
      assert.equal(url.searchParams.get('code_challenge'), null);
      return callbackOf(await browser.signIn(url.toString()), 'web').searchParams.get('code') as string;
    };
    const redeem = (code: string, extra: Record<string, string>) =>
      postForm(`${op.issuer}/token`, { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, ...extra }, {
        authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret),
      });
    const downgraded = await redeem(await codeWithoutPkce(), { code_verifier: oidc.randomPKCECodeVerifier() });
    assert.equal(downgraded.status, 400);
    assert.equal(((await downgraded.json()) as { error: string }).error, 'invalid_grant');
    const withoutVerifier = await redeem(await codeWithoutPkce(), {});
    assert.equal(withoutVerifier.status, 200, 'the same kind of code without a verifier is redeemed (web is confidential: PKCE optional)');
  });

  it('a code issued with an S256 code_challenge is refused when the challenge itself is sent as the verifier: no fallback to plain (RFC 7636 §4.6; issue 10 §9)', async () => {
    // The challenge travels in the front channel; under "plain" it would be the verifier itself.
    const started = await startAuthorization(web, 'web');
    const challenge = started.url.searchParams.get('code_challenge') as string;
    assert.equal(started.url.searchParams.get('code_challenge_method'), 'S256');
    const code = callbackOf(await browser.signIn(started.url.toString()), 'web').searchParams.get('code') as string;
    const res = await postForm(
      `${op.issuer}/token`,
      { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: challenge, code_challenge_method: 'plain' },
      { authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret) },
    );
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });

  it('a code issued to one client cannot be redeemed by another (RFC 6749 §4.1.3)', async () => {
    const started = await startAuthorization(web, 'web');
    const hop = await browser.signIn(started.url.toString());
    const code = callbackOf(hop, 'web').searchParams.get('code') as string;
    const res = await postForm(`${op.issuer}/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CLIENTS.web.redirect_uri,
      code_verifier: started.verifier,
      client_id: CLIENTS.post.client_id,
      client_secret: CLIENTS.post.client_secret,
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });

  it('a redirect_uri different from the authorization request is refused (RFC 6749 §4.1.3)', async () => {
    const started = await startAuthorization(web, 'web');
    const hop = await browser.signIn(started.url.toString());
    const code = callbackOf(hop, 'web').searchParams.get('code') as string;
    const res = await postForm(
      `${op.issuer}/token`,
      { grant_type: 'authorization_code', code, redirect_uri: `${CLIENTS.web.redirect_uri}/other`, code_verifier: started.verifier },
      { authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret) },
    );
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });

  it('a wrong client secret is refused with 401 invalid_client and a Basic challenge (RFC 6749 §5.2)', async () => {
    const res = await postForm(
      `${op.issuer}/token`,
      { grant_type: 'refresh_token', refresh_token: 'x' },
      { authorization: basicAuth(CLIENTS.web.client_id, 'wrong-secret-0123456789-0123456789-xyz') },
    );
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/i);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  it('token responses are not cached (RFC 6749 §5.1)', async () => {
    const started = await startAuthorization(web, 'web');
    const hop = await browser.signIn(started.url.toString());
    const code = callbackOf(hop, 'web').searchParams.get('code') as string;
    const res = await postForm(
      `${op.issuer}/token`,
      { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: started.verifier },
      { authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret) },
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  });
});

describe('Refresh tokens: rotation and reuse detection (RFC 6749 §6, RFC 9700 §4.14.2, OIDC Core §12)', () => {
  it('a refresh token is rotated on use and the new tokens work (RFC 6749 §6, RFC 9700 §4.14.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const rt1 = tokens.refresh_token as string;
    assert.ok(rt1);
    const refreshed = await oidc.refreshTokenGrant(web, rt1);
    assert.ok(refreshed.refresh_token, 'a new refresh token is issued');
    assert.notEqual(refreshed.refresh_token, rt1);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.equal(await userinfoWorks(refreshed.access_token), true);
    assert.equal((await introspect(refreshed.refresh_token as string)).active, true);
    assert.equal((await introspect(rt1)).active, false, 'the used refresh token is no longer active');
  });

  it('an ID token from a refresh keeps iss, sub, aud, auth_time and sid of the original (OIDC Core §12.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const original = tokens.claims();
    const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token as string);
    const claims = refreshed.claims();
    assert.ok(original && claims, 'an ID token is returned on refresh');
    assert.equal(claims.iss, original.iss);
    assert.equal(claims.sub, original.sub);
    assert.equal(claims.aud, original.aud);
    assert.equal(claims.auth_time, original.auth_time);
    assert.equal(claims.sid, original.sid);
    // azp and at_hash are always sent (tokens/issue.ts), so they are always checked (issue 10 §9).
    assert.equal(original.azp, CLIENTS.web.client_id, 'azp is the client');
    assert.equal(claims.azp, original.azp, 'azp as in the original ID token');
    assert.ok(claims.iat >= original.iat, 'iat is the time of the new ID token');
    const expected = createHash('sha256').update(refreshed.access_token).digest().subarray(0, 16).toString('base64url');
    assert.equal(claims.at_hash, expected, 'at_hash is that of the new access token (OIDC Core §3.1.3.6)');
  });

  it('reusing a rotated refresh token is refused and revokes the whole family, the newest token included (RFC 9700 §4.14.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const rt1 = tokens.refresh_token as string;
    const second = await oidc.refreshTokenGrant(web, rt1);
    const rt2 = second.refresh_token as string;
    assert.equal(await userinfoWorks(second.access_token), true);

    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(web, rt1), 'invalid_grant');

    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(web, rt2), 'invalid_grant');
    assert.equal((await introspect(rt2)).active, false);
    assert.equal((await introspect(second.access_token)).active, false, 'access tokens of the family are revoked too');
    assert.equal(await userinfoWorks(second.access_token), false);
  });

  it('a refresh token issued to one client is refused for another (RFC 6749 §6, §10.4)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(spa, tokens.refresh_token as string), 'invalid_grant');
    // The rightful client can still use it: the other client's attempt did not burn it.
    const ok = await oidc.refreshTokenGrant(web, tokens.refresh_token as string);
    assert.ok(ok.access_token);
  });

  it('a refresh request may narrow the scope but not widen it (RFC 6749 §6)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser, { extra: { scope: 'openid profile' } });
    const narrowed = await oidc.refreshTokenGrant(web, tokens.refresh_token as string, { scope: 'openid' });
    const info = await oidc.fetchUserInfo(web, narrowed.access_token, tokens.claims()?.sub as string);
    assert.equal(info.name, undefined, 'profile was dropped');
    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(web, narrowed.refresh_token as string, { scope: 'openid email' }), 'invalid_scope');
  });
});

describe('Revocation (RFC 7009)', () => {
  it('revoking a refresh token ends it and the access tokens issued from it (RFC 7009 §2.1)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    assert.equal(await userinfoWorks(tokens.access_token), true);
    await oidc.tokenRevocation(web, tokens.refresh_token as string, { token_type_hint: 'refresh_token' });

    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(web, tokens.refresh_token as string), 'invalid_grant');
    assert.equal((await introspect(tokens.refresh_token as string)).active, false);
    assert.equal((await introspect(tokens.access_token)).active, false, 'the access token of that grant is revoked');
    assert.equal(await userinfoWorks(tokens.access_token), false);
  });

  it('revoking an access token makes it inactive at introspection and userinfo (RFC 7009 §2, §2.1)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    await oidc.tokenRevocation(web, tokens.access_token, { token_type_hint: 'access_token' });
    assert.equal((await introspect(tokens.access_token)).active, false);
    assert.equal(await userinfoWorks(tokens.access_token), false);
  });

  it('a public client revokes its own refresh token with only its client_id (RFC 7009 §2.1, §5)', async () => {
    const { tokens } = await codeFlow(spa, 'spa', browser);
    await oidc.tokenRevocation(spa, tokens.refresh_token as string);
    await rejectsWithOAuthError(() => oidc.refreshTokenGrant(spa, tokens.refresh_token as string), 'invalid_grant');
  });

  it('a token_type_hint that does not match the token does not stop its revocation (RFC 7009 §2.1: the server MUST extend its search)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    await oidc.tokenRevocation(web, tokens.refresh_token as string, { token_type_hint: 'access_token' });
    assert.equal((await introspect(tokens.refresh_token as string)).active, false, 'refresh token revoked despite the access_token hint');
    const second = await codeFlow(web, 'web', browser);
    await oidc.tokenRevocation(web, second.tokens.access_token, { token_type_hint: 'refresh_token' });
    assert.equal((await introspect(second.tokens.access_token)).active, false, 'access token revoked despite the refresh_token hint');
  });

  it('an invalid token_type_hint value is ignored and does not influence the response (RFC 7009 §2.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const res = await postForm(`${op.issuer}/revoke`, { token: tokens.refresh_token as string, token_type_hint: 'not_a_token_type' }, {
      authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret),
    });
    assert.equal(res.status, 200, `expected 200, got ${res.status} ${await res.text()}`);
    assert.equal((await introspect(tokens.refresh_token as string)).active, false, 'the token is revoked');
  });

  it('an unknown or already revoked token is answered with 200 (RFC 7009 §2.2)', async () => {
    await oidc.tokenRevocation(web, 'this-token-was-never-issued');
    const raw = await postForm(`${op.issuer}/revoke`, { token: 'another-unknown-token' }, {
      authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret),
    });
    assert.equal(raw.status, 200);
    const { tokens } = await codeFlow(web, 'web', browser);
    await oidc.tokenRevocation(web, tokens.refresh_token as string);
    const again = await postForm(`${op.issuer}/revoke`, { token: tokens.refresh_token as string }, {
      authorization: basicAuth(CLIENTS.web.client_id, CLIENTS.web.client_secret),
    });
    assert.equal(again.status, 200);
  });

  it('revocation requires client authentication (RFC 7009 §2.1)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const res = await postForm(`${op.issuer}/revoke`, { token: tokens.refresh_token as string }, {
      authorization: basicAuth(CLIENTS.web.client_id, 'wrong-secret-0123456789-0123456789-xyz'),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    assert.equal((await introspect(tokens.refresh_token as string)).active, true, 'the token was not revoked');
  });

  it("a client cannot revoke another client's token, and is answered as for an invalid token (RFC 7009 §2.1, §2.2; issue 10 §6)", async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const res = await postForm(`${op.issuer}/revoke`, {
      token: tokens.refresh_token as string,
      client_id: CLIENTS.post.client_id,
      client_secret: CLIENTS.post.client_secret,
    });
    assert.equal(res.status, 200, 'the same answer as for a token that does not exist');
    assert.equal((await introspect(tokens.refresh_token as string)).active, true, 'the token stays active');
    assert.equal((await introspect(tokens.access_token)).active, true);
  });
});

describe('Introspection (RFC 7662)', () => {
  it('an active access token is reported active with its client_id, sub, scope, exp and iss (RFC 7662 §2.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser, { extra: { scope: 'openid email' } });
    const result = await introspect(tokens.access_token);
    assert.equal(result.active, true);
    assert.equal(result.client_id, CLIENTS.web.client_id);
    assert.equal(result.sub, tokens.claims()?.sub);
    assert.deepEqual(String(result.scope).split(' ').sort(), ['email', 'openid']);
    assert.equal(typeof result.exp, 'number');
    assert.ok((result.exp as number) > Date.now() / 1000);
    assert.equal(result.iss, op.issuer);
  });

  it('an active refresh token is reported active (RFC 7662 §2.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const result = await introspect(tokens.refresh_token as string, web);
    assert.equal(result.active, true);
    assert.equal(result.client_id, CLIENTS.web.client_id);
    assert.equal(result.sub, tokens.claims()?.sub);
  });

  it('a token_type_hint that does not match the token does not hide it (RFC 7662 §2.1: the server MUST extend its search)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    assert.equal((await oidc.tokenIntrospection(web, tokens.refresh_token as string, { token_type_hint: 'access_token' })).active, true);
    assert.equal((await oidc.tokenIntrospection(web, tokens.access_token, { token_type_hint: 'refresh_token' })).active, true);
  });

  it('an unknown token is active:false and nothing more (RFC 7662 §2.2)', async () => {
    const result = await introspect('no-such-token');
    assert.equal(result.active, false);
    assert.deepEqual(Object.keys(result).filter((k) => k !== 'active'), []);
  });

  it('a token issued to a different client is active:false for the caller (RFC 7662 §2.2, §4)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    for (const token of [tokens.access_token, tokens.refresh_token as string]) {
      const result = await oidc.tokenIntrospection(post, token);
      assert.equal(result.active, false);
      assert.deepEqual(Object.keys(result).filter((k) => k !== 'active'), [], 'no details of a token that is not the caller\u2019s');
    }
    assert.equal((await introspect(tokens.access_token)).active, true, 'its own client still sees it active');
  });

  it('a public client is refused with invalid_client (RFC 7662 §2.1, §4)', async () => {
    const { tokens } = await codeFlow(spa, 'spa', browser);
    const err = (await rejectsWithOAuthError(() => oidc.tokenIntrospection(spa, tokens.access_token), 'invalid_client')) as oidc.ResponseBodyError;
    assert.equal(err.status, 401);
  });

  it('introspection requires client authentication: a wrong secret is 401 invalid_client (RFC 7662 §2.1)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser);
    const res = await postForm(`${op.issuer}/introspect`, { token: tokens.access_token }, {
      authorization: basicAuth(CLIENTS.web.client_id, 'wrong-secret-0123456789-0123456789-xyz'),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });
});
