/**
 * Opaque access tokens, a client's `access_token_format: "opaque"` (issue 18): sealed for the
 * provider alone, so a token response carries one signature (the ID token's). The client, driven
 * by openid-client, reads them only through introspection (RFC 7662) and userinfo (OIDC Core
 * §5.3); they are revoked (RFC 7009), end with their session and family like JWT access tokens,
 * and nothing else the provider did not seal opens.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { endingDeps } from '../src/provider.js';
import { endSessions } from '../src/sessions/end.js';
import { parseKek } from '../src/tokens/key-encryption.js';
import { deriveAccessTokenKey, sealAccessToken } from '../src/tokens/opaque-access-token.js';
import { TestBrowser } from './helpers/browser.js';
import { failsNaming } from './helpers/config-errors.js';
import { CLIENTS, TEST_KEK, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { discover } from './helpers/rp.js';
import { EXTRA, accountIdOf, clientsWith, extraClient, userinfo } from './helpers/session-flows.js';

const OPAQUE = EXTRA.opaque;

let op: TestProvider;
let app: oidc.Configuration;
let web: oidc.Configuration;
let browser: TestBrowser;

const configFor = (c: { client_id: string; client_secret: string }) =>
  oidc.discovery(new URL(op.issuer), c.client_id, { client_secret: c.client_secret }, oidc.ClientSecretBasic(c.client_secret), {
    execute: [oidc.allowInsecureRequests],
  });

/** A code flow in `signedIn` (the file's browser by default), its tokens validated by openid-client. */
const flow = async (config = app, signedIn = browser, user: { username: string; password: string } = USERS.alice) => {
  const verifier = oidc.randomPKCECodeVerifier();
  const [state, nonce] = [oidc.randomState(), oidc.randomNonce()];
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: config === app ? OPAQUE.redirect_uri : CLIENTS.web.redirect_uri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const hop = await signedIn.signIn(url.toString(), user);
  assert.ok(hop.location, `no redirect: ${hop.status} ${hop.body.slice(0, 200)}`);
  return oidc.authorizationCodeGrant(config, new URL(hop.location), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
};

const active = async (token: string, config = app) => (await oidc.tokenIntrospection(config, token)).active;

const userinfoStatus = async (token: string): Promise<number> => (await userinfo(op.issuer, token)).status;

before(async () => {
  op = await startProvider({ clients: clientsWith(extraClient(OPAQUE, { access_token_format: 'opaque' })) });
  [app, web] = await Promise.all([configFor(OPAQUE), discover(op.issuer, 'web')]);
  browser = new TestBrowser(op.issuer);
});
after(() => op.close());

describe('Opaque access tokens (issue 18; RFC 7662, OIDC Core §5.3)', () => {
  it('the code grant answers an opaque access token that carries no readable claims, and the ID token binds it by at_hash (OIDC Core §3.1.3.6)', async () => {
    const tokens = await flow();
    const header = decodeProtectedHeader(tokens.access_token);
    assert.deepEqual([header.alg, header.enc], ['dir', 'A256GCM'], 'sealed, not signed');
    assert.throws(() => decodeJwt(tokens.access_token), 'not a JWT the client can read');
    const account = await op.provider.store.accountByUsername('alice');
    assert.ok(account);
    for (const plain of [account.id, 'alice', OPAQUE.client_id]) {
      assert.ok(!Buffer.from(tokens.access_token.split('.')[3] as string, 'base64url').toString('latin1').includes(plain), `${plain} is not in the ciphertext`);
    }
    const idToken = tokens.claims();
    assert.ok(idToken);
    assert.equal(idToken.at_hash, createHash('sha256').update(tokens.access_token).digest().subarray(0, 16).toString('base64url'));
  });

  it('introspection answers an opaque token with the fields of a JWT access token, to its own client only (RFC 7662 §2.2)', async () => {
    const tokens = await flow();
    const own = await oidc.tokenIntrospection(app, tokens.access_token);
    const idToken = tokens.claims();
    assert.ok(idToken);
    assert.equal(own.active, true);
    assert.equal(own.client_id, OPAQUE.client_id);
    assert.equal(own.sub, idToken.sub);
    assert.equal(own.sid, idToken.sid);
    assert.equal(own.username, 'alice');
    assert.equal(own.token_type, 'Bearer');
    assert.equal(own.iss, op.issuer);
    assert.deepEqual((own.scope as string).split(' ').sort(), ['openid']);
    assert.ok(typeof own.exp === 'number' && own.exp > Date.now() / 1000);
    assert.equal((await oidc.tokenIntrospection(web, tokens.access_token)).active, false, "another client learns nothing of it");
  });

  it('userinfo accepts an opaque token and releases the claims of its scopes (OIDC Core §5.3.2)', async () => {
    const tokens = await flow();
    const idToken = tokens.claims();
    assert.ok(idToken);
    const info = await oidc.fetchUserInfo(app, tokens.access_token, idToken.sub);
    assert.equal(info.sub, idToken.sub);
  });

  it('a revoked opaque token is inactive and refused at userinfo; its family lives on (RFC 7009 §2.1)', async () => {
    const tokens = await flow();
    await oidc.tokenRevocation(app, tokens.access_token);
    assert.equal(await active(tokens.access_token), false);
    assert.equal(await userinfoStatus(tokens.access_token), 401);
    assert.ok(tokens.refresh_token);
    assert.equal(await active(tokens.refresh_token), true, 'revoking an access token leaves its refresh token');
  });

  it('the refresh grant issues an opaque token again, and rotation or a replay ends the old ones as for JWTs (RFC 6749 §6, RFC 9700 §4.14.2)', async () => {
    const tokens = await flow();
    assert.ok(tokens.refresh_token);
    const next = await oidc.refreshTokenGrant(app, tokens.refresh_token);
    assert.equal(decodeProtectedHeader(next.access_token).alg, 'dir');
    assert.equal(await active(next.access_token), true);
    assert.equal(await userinfoStatus(next.access_token), 200);
    // A replay of the spent refresh token revokes the family: every access token of it goes.
    await assert.rejects(oidc.refreshTokenGrant(app, tokens.refresh_token));
    assert.equal(await active(next.access_token), false);
    assert.equal(await active(tokens.access_token), false);
  });

  it('ending the session makes its opaque tokens inactive at once (DESIGN.md "one path that ends a session")', async () => {
    const tokens = await flow(app, new TestBrowser(op.issuer), USERS.bob);
    assert.equal(await userinfoStatus(tokens.access_token), 200);
    assert.equal(await active(tokens.access_token), true);
    await endSessions(endingDeps(op.provider), { accountId: await accountIdOf(op, 'bob') }, 'admin', 'admin:test');
    assert.equal(await active(tokens.access_token), false);
    assert.equal(await userinfoStatus(tokens.access_token), 401);
  });

  it('a JWT client keeps JWT access tokens beside an opaque client (the format is per client)', async () => {
    const tokens = await flow(web);
    assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
    assert.equal(decodeJwt(tokens.access_token).client_id, 'web');
    assert.equal(await active(tokens.access_token, web), true);
  });

  it('nothing the provider did not seal opens: a changed byte in any part, a token sealed under another key-encryption key, garbage, 64 KiB — inactive or 401, never a 500 (RFC 7662 §2.2, RFC 6750 §3.1)', async () => {
    const tokens = await flow();
    const parts = tokens.access_token.split('.');
    const forged: string[] = [];
    for (const i of [0, 2, 3, 4]) {
      const p = parts[i] as string;
      const flipped = (p[5] === 'A' ? 'B' : 'A');
      forged.push(parts.map((x, j) => (j === i ? `${p.slice(0, 5)}${flipped}${p.slice(6)}` : x)).join('.'));
    }
    // The same claims sealed under another KEK's access-token key, and under the right KEK with a kid changed.
    const claims = { ...(await oidc.tokenIntrospection(app, tokens.access_token)) } as Record<string, unknown>;
    const otherKek = parseKek(randomBytes(32).toString('base64'), 'test');
    forged.push(await sealAccessToken(await deriveAccessTokenKey(otherKek), claims));
    const right = await deriveAccessTokenKey(parseKek(TEST_KEK, 'test'));
    forged.push(await sealAccessToken({ ...right, kid: 'at.other' }, claims));
    forged.push('a.b.c.d.e', '....', `${'x'.repeat(3_000)}.a.b.c.d`, parts.slice(0, 4).join('.'), `${parts.join('.')}.e`);
    for (const token of forged) {
      assert.equal(await active(token), false, token.slice(0, 60));
      assert.equal(await userinfoStatus(token), 401, token.slice(0, 60));
    }
    // 64 KiB is past the parameter and body limits: a clear invalid_request, and userinfo's 401 (or the header limit's 431).
    const huge = `${'x'.repeat(65_536)}.a.b.c.d`;
    await assert.rejects(active(huge), (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_request');
    assert.ok([401, 431].includes(await userinfoStatus(huge)));
    assert.equal(await active(tokens.access_token), true, 'the real one still opens');
  });
});

describe('access_token_format in registration metadata (issue 18)', () => {
  it('a configuration client with an unknown or hostile format fails start-up naming the key', () => {
    for (const bad of ['paseto', 'JWT', '', 1, null, ['opaque'], { __proto__: 'opaque' }]) {
      failsNaming({ issuer: 'http://127.0.0.1:1', clients: [extraClient(OPAQUE, { access_token_format: bad })] }, 'clients[0].access_token_format');
    }
  });

  it('the default is jwt', async () => {
    const client = await op.provider.store.clientById('web');
    assert.equal(client?.access_token_format ?? 'jwt', 'jwt');
    assert.equal((await op.provider.store.clientById(OPAQUE.client_id))?.access_token_format, 'opaque');
  });
});
