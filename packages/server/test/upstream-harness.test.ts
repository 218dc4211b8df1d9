/**
 * The upstream providers of the federation tests (issue 15), proved with openid-client v6 as
 * their relying party directly (not Signoff's federation): panva's oidc-provider on 127.0.0.1 and
 * a second Signoff on localhost. For each: a sign-in through its form gives tokens; its session
 * is single sign-on; RP-initiated logout ends it; its back-channel logout reaches the client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type JSONWebKeySet, type JWTPayload, createLocalJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { type Hop, TestBrowser } from './helpers/browser.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { rejectsWithOAuthError } from './helpers/rp.js';
import { type UpstreamOp, type UpstreamUser, startUpstreamOp } from './helpers/upstream-op.js';
import { type UpstreamSignoff, frontChannelFrames, startUpstreamSignoff } from './helpers/upstream-signoff.js';
import { USERS } from './helpers/provider.js';

/** Where the downstream would be: nobody serves it, the browser stops at the redirect. */
const DOWNSTREAM = 'http://127.0.0.1:5105';
const uris = (id: string) => ({
  redirect: `${DOWNSTREAM}/upstreams/${id}/callback`,
  signedOut: `${DOWNSTREAM}/upstreams/${id}/signed-out`,
  frontChannel: `${DOWNSTREAM}/upstreams/${id}/frontchannel-logout`,
});

/** What the shared checks need of an upstream. */
interface Upstream {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  email: string;
  signIn(browser: TestBrowser, authorizeUrl: string): Promise<Hop>;
  logout(browser: TestBrowser, idToken: string, state: string): Promise<Hop>;
  /** Ends the browser's session at the upstream without the browser (an administrator, a policy). */
  endWithoutBrowser(browser: TestBrowser, sid: string): Promise<void>;
}

const newBrowser = (up: Upstream): TestBrowser => new TestBrowser(up.issuer);

/** An authorization request with fresh state, nonce and S256 PKCE (OIDC Core §3.1.2.1, RFC 7636). */
const authorization = async (config: oidc.Configuration, up: Upstream, extra: Record<string, string> = {}) => {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: up.redirectUri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url: url.toString(), verifier, state, nonce };
};

const callback = (hop: Hop, up: Upstream): URL => {
  assert.ok(hop.location?.startsWith(up.redirectUri), `expected a redirect to ${up.redirectUri}, got ${hop.status} ${hop.location ?? hop.body.slice(0, 300)}`);
  return new URL(hop.location as string);
};

/** The logout token for `sid` among those the receiver got, verified with the upstream's JWKS (Back-Channel Logout §2.4, §2.6). */
const logoutTokenFor = async (rx: Receiver, up: Upstream, sid: string): Promise<JWTPayload> => {
  const jwks = createLocalJWKSet((await (await fetch(`${up.issuer}/jwks`)).json()) as JSONWebKeySet);
  return eventually(async () => {
    for (const r of rx.received.filter((x) => x.logoutToken)) {
      const { payload } = await jwtVerify(r.logoutToken, jwks, { issuer: up.issuer, audience: up.clientId, typ: 'logout+jwt' });
      if (payload.sid === sid) return payload;
    }
    return undefined;
  }, `a logout token for sid ${sid}`, 5000);
};

/** The checks every upstream must pass. */
const upstreamChecks = (name: string, ctx: { up: () => Upstream; rx: () => Receiver }): void => {
  let config: oidc.Configuration;
  const up = () => ctx.up();

  before(async () => {
    config = await oidc.discovery(new URL(up().issuer), up().clientId, up().clientSecret, oidc.ClientSecretBasic(up().clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  /** Signs in through the upstream's form and redeems the code with the PKCE verifier, state and nonce checks. */
  const signedIn = async (browser: TestBrowser) => {
    const started = await authorization(config, up());
    const hop = await up().signIn(browser, started.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback(hop, up()), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.ok(claims && tokens.id_token);
    return { tokens, claims, idToken: tokens.id_token };
  };

  /** A prompt=none authorization (OIDC Core §3.1.2.1): the callback it ends on. */
  const silently = async (browser: TestBrowser) => {
    const started = await authorization(config, up(), { prompt: 'none' });
    return { started, url: callback(await browser.navigate(started.url), up()) };
  };

  it(`${name}: a sign-in through its form gives an ID token with sub, sid and the email claims (OIDC Core §3.1.3.7; Back-Channel Logout §2.1 sid)`, async () => {
    const { claims } = await signedIn(newBrowser(up()));
    assert.equal(claims.iss, up().issuer);
    assert.equal(claims.aud, up().clientId);
    assert.ok(typeof claims.sub === 'string' && claims.sub.length > 0);
    assert.ok(typeof claims.sid === 'string' && claims.sid.length > 0, 'sid: the client requires sessions');
    assert.equal(claims.email, up().email);
    assert.equal(claims.email_verified, true);
  });

  it(`${name}: a second authorization with prompt=none answers with a code: the upstream session is single sign-on (OIDC Core §3.1.2.1)`, async () => {
    const browser = newBrowser(up());
    const first = await signedIn(browser);
    const { started, url } = await silently(browser);
    assert.ok(url.searchParams.get('code'), `a code, got ${url}`);
    const again = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
    assert.equal(again.claims()?.sub, first.claims.sub);
    assert.equal(again.claims()?.sid, first.claims.sid, 'the same upstream session');
  });

  it(`${name}: RP-Initiated Logout ends the upstream session (§2): prompt=none afterwards answers login_required (OIDC Core §3.1.2.6)`, async () => {
    const browser = newBrowser(up());
    const { idToken } = await signedIn(browser);
    const state = oidc.randomState();
    const out = await up().logout(browser, idToken, state);
    const next = out.location ?? /data-next="([^"]*)"/.exec(out.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(next !== undefined && next.startsWith(up().postLogoutRedirectUri), `back to the post_logout_redirect_uri, got ${out.status} ${next ?? out.body.slice(0, 300)}`);
    assert.equal(new URL(next).searchParams.get('state'), state, 'RP-Initiated Logout §3: the state comes back');
    const { started, url } = await silently(browser);
    assert.equal(url.searchParams.get('code'), null);
    await rejectsWithOAuthError(() => oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: started.verifier, expectedState: started.state }), 'login_required');
  });

  it(`${name}: the logout reaches the client's back-channel URI with a logout token signed by the upstream naming the ID token's sid (Back-Channel Logout §2.4)`, async () => {
    const browser = newBrowser(up());
    const { idToken, claims } = await signedIn(browser);
    await up().logout(browser, idToken, oidc.randomState());
    const token = await logoutTokenFor(ctx.rx(), up(), claims.sid as string);
    assert.equal(token.sub, claims.sub);
    assert.deepEqual(token.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
    assert.equal(token.nonce, undefined, '§2.4: never a nonce');
    assert.ok(typeof token.jti === 'string' && typeof token.iat === 'number');
  });

  it(`${name}: an ending at the upstream without the browser (an administrator's) also sends back-channel logout and ends SSO (Back-Channel Logout §2.5)`, async () => {
    const browser = newBrowser(up());
    const { claims } = await signedIn(browser);
    await up().endWithoutBrowser(browser, claims.sid as string);
    const token = await logoutTokenFor(ctx.rx(), up(), claims.sid as string);
    assert.equal(token.sub, claims.sub);
    const { url } = await silently(browser);
    assert.equal(url.searchParams.get('error'), 'login_required');
  });
};

describe('upstream harness: panva oidc-provider on 127.0.0.1', () => {
  const ids = uris('op');
  const user: UpstreamUser = {
    sub: 'op-user-1',
    login: 'carol',
    password: 'carol-upstream-password',
    email: 'carol@upstream.test',
    email_verified: true,
    name: 'Carol',
    amr: ['pwd'],
  };
  let rx: Receiver;
  let op: UpstreamOp;
  let up: Upstream;
  before(async () => {
    rx = await startReceiver();
    op = await startUpstreamOp({
      client: {
        client_id: 'signoff-downstream',
        client_secret: 'op-client-secret-0123456789-0123456789',
        redirect_uris: [ids.redirect],
        post_logout_redirect_uris: [ids.signedOut],
        backchannel_logout_uri: rx.url,
      },
      users: [user],
    });
    up = {
      issuer: op.issuer,
      clientId: op.client.client_id,
      clientSecret: op.client.client_secret,
      redirectUri: ids.redirect,
      postLogoutRedirectUri: ids.signedOut,
      email: user.email,
      signIn: (browser, url) => op.signIn(browser, user, url),
      logout: (browser, idToken, state) => op.logout(browser, { idTokenHint: idToken, postLogoutRedirectUri: ids.signedOut, state }),
      endWithoutBrowser: async (browser, sid) => assert.deepEqual(await op.endSession(browser), [sid]),
    };
  });
  after(async () => {
    await op?.close();
    await rx?.close();
  });

  upstreamChecks('oidc-provider', { up: () => up, rx: () => rx });

  it('oidc-provider: the ID token carries the amr the login reported (RFC 8176), and a wrong password is refused on the form', async () => {
    const browser = new TestBrowser(op.issuer);
    const config = await oidc.discovery(new URL(op.issuer), op.client.client_id, op.client.client_secret, oidc.ClientSecretBasic(op.client.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const started = await authorization(config, up);
    const refused = await op.signIn(browser, { ...user, password: 'wrong' }, started.url);
    assert.equal(refused.status, 200);
    assert.match(refused.body, /role="alert"/);
    const hop = await op.signIn(browser, user, refused);
    const tokens = await oidc.authorizationCodeGrant(config, callback(hop, up), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
    assert.deepEqual(tokens.claims()?.amr, ['pwd']);
    assert.equal(typeof tokens.claims()?.auth_time, 'number');
    assert.equal(op.backchannelErrors.length, 0, String(op.backchannelErrors[0] ?? ''));
  });
});

describe('upstream harness: a second Signoff on localhost', () => {
  const ids = uris('signoff');
  let rx: Receiver;
  let sig: UpstreamSignoff;
  let up: Upstream;
  before(async () => {
    rx = await startReceiver();
    sig = await startUpstreamSignoff({
      client: {
        client_id: 'signoff-downstream',
        client_secret: 'signoff-client-secret-0123456789-01234',
        redirect_uris: [ids.redirect],
        post_logout_redirect_uris: [ids.signedOut],
        backchannel_logout_uri: rx.url,
        frontchannel_logout_uri: ids.frontChannel,
      },
    });
    up = {
      issuer: sig.issuer,
      clientId: sig.client.client_id,
      clientSecret: sig.client.client_secret,
      redirectUri: ids.redirect,
      postLogoutRedirectUri: ids.signedOut,
      email: USERS.alice.claims.email,
      signIn: (browser, url) => sig.signIn(browser, USERS.alice, url),
      logout: (browser, idToken, state) => sig.logout(browser, { idTokenHint: idToken, postLogoutRedirectUri: ids.signedOut, state }),
      endWithoutBrowser: async (_browser, sid) => assert.equal(await sig.endSessionOf(sid), 1),
    };
  });
  after(async () => {
    await sig?.close();
    await rx?.close();
  });

  upstreamChecks('Signoff', { up: () => up, rx: () => rx });

  it('one test browser walks from the downstream\'s origin to the upstream and keeps each host\'s cookies apart (RFC 6265 §8.5: by host, not port)', async () => {
    // Another port of the downstream's host: the browser must not follow the callback to nobody.
    const browser = new TestBrowser('http://127.0.0.1:5106', {}, { follow: [sig.issuer] });
    const config = await oidc.discovery(new URL(sig.issuer), up.clientId, up.clientSecret, oidc.ClientSecretBasic(up.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
    const started = await authorization(config, up);
    const login = await browser.navigate(started.url);
    assert.match(login.body, /name="username"/, 'the constructor\'s follow took the browser to the upstream\'s sign-in page');
    callback(await sig.signIn(browser, USERS.alice, login), up);
    assert.ok(browser.cookiesOf(sig.issuer).has('signoff'), 'the upstream\'s session cookie, under localhost');
    assert.equal(browser.cookies.has('signoff'), false, 'nothing under the downstream\'s host, 127.0.0.1');
    assert.equal(browser.cookiesOf('http://localhost:1/').get('signoff'), browser.cookiesOf(sig.issuer).get('signoff'), 'any port of the host');
  });

  it('Signoff: its signed-out page carries the front-channel iframe for the client\'s frontchannel_logout_uri with iss and sid (Front-Channel Logout §2, §3)', async () => {
    const browser = new TestBrowser(sig.issuer);
    const config = await oidc.discovery(new URL(sig.issuer), up.clientId, up.clientSecret, oidc.ClientSecretBasic(up.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
    const started = await authorization(config, up);
    const tokens = await oidc.authorizationCodeGrant(config, callback(await up.signIn(browser, started.url), up), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    const sid = tokens.claims()?.sid;
    assert.ok(typeof sid === 'string');
    const out = await sig.logout(browser, { idTokenHint: tokens.id_token as string, postLogoutRedirectUri: ids.signedOut });
    const frames = frontChannelFrames(out);
    const frame = frames.find((f) => f.href.startsWith(ids.frontChannel));
    assert.ok(frame, `a frame for ${ids.frontChannel}, got ${frames.join(' ') || out.body.slice(0, 300)}`);
    assert.equal(frame.searchParams.get('iss'), sig.issuer);
    assert.equal(frame.searchParams.get('sid'), sid);
  });
});
