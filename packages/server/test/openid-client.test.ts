import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';

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
