/**
 * CORS for browser-based clients (Fetch Standard §3.2 "CORS protocol"): the endpoints a
 * single-page application calls from script answer a registered client origin, and nothing else.
 * The spa client's redirect URI is http://127.0.0.1:5002/cb, so its origin is registered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { callbackOf, discover, startAuthorization } from './helpers/rp.js';

const REGISTERED = new URL(CLIENTS.spa.redirect_uri).origin; // http://127.0.0.1:5002
const STRANGER = 'http://127.0.0.1:5999';

describe('CORS on the endpoints called from script (Fetch Standard §3.2.5; OIDC Core §3.1.3, §5.3)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op.close());

  /**
   * A full spa flow through openid-client with every back-channel request sent from `origin`, as a
   * browser would; returns the responses seen per endpoint path.
   */
  const spaFlowFrom = async (origin: string): Promise<Map<string, Response>> => {
    const seen = new Map<string, Response>();
    const config = await discover(op.issuer, 'spa');
    config[oidc.customFetch] = async (url, options) => {
      const headers = new Headers(options.headers as HeadersInit);
      headers.set('origin', origin);
      const res = await fetch(url, { ...options, headers } as RequestInit);
      seen.set(new URL(url).pathname, res.clone());
      return res;
    };
    const started = await startAuthorization(config, 'spa');
    const hop = await new TestBrowser(op.issuer).signIn(started.url.toString(), USERS.alice);
    const tokens = await oidc.authorizationCodeGrant(config, callbackOf(hop, 'spa'), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()?.sub as string);
    await oidc.tokenRevocation(config, tokens.refresh_token as string);
    return seen;
  };

  const acao = (res: Response | undefined): string | null => {
    assert.ok(res, 'the endpoint was called');
    return res.headers.get('access-control-allow-origin');
  };

  it('a registered redirect origin is echoed in Access-Control-Allow-Origin on /token, /userinfo and /revoke (Fetch Standard §3.2.3)', async () => {
    const seen = await spaFlowFrom(REGISTERED);
    assert.equal(acao(seen.get('/token')), REGISTERED, '/token');
    assert.equal(acao(seen.get('/userinfo')), REGISTERED, '/userinfo');
    assert.equal(acao(seen.get('/revoke')), REGISTERED, '/revoke');
  });

  it('a registered redirect origin is echoed on discovery and /jwks (Fetch Standard §3.2.3, OIDC Discovery §4)', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const res = await fetch(op.issuer + path, { headers: { origin: REGISTERED } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('access-control-allow-origin'), REGISTERED, path);
      // These answers may be cached (Cache-Control: public); an answer that depends on Origin
      // must say so, or a cache would hand one origin's grant to another (Fetch Standard §3.2.5).
      if (/public|max-age/i.test(res.headers.get('cache-control') ?? '')) {
        assert.ok((res.headers.get('vary') ?? '').toLowerCase().split(/\s*,\s*/).includes('origin'), `${path}: Vary: Origin`);
      }
    }
  });

  it('an error answer of /token still carries the CORS header, so the script can read the error (Fetch Standard §3.2.3)', async () => {
    const res = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { origin: REGISTERED, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: CLIENTS.spa.client_id }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
    assert.equal(res.headers.get('access-control-allow-origin'), REGISTERED);
  });

  it('an unregistered origin gets no Access-Control-Allow-Origin on /token, /userinfo, discovery or /jwks (Fetch Standard §3.2.5)', async () => {
    const seen = await spaFlowFrom(STRANGER);
    assert.equal(acao(seen.get('/token')), null, '/token');
    assert.equal(acao(seen.get('/userinfo')), null, '/userinfo');
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const res = await fetch(op.issuer + path, { headers: { origin: STRANGER } });
      assert.equal(res.headers.get('access-control-allow-origin'), null, path);
    }
  });

  it('the authorization endpoint never sends CORS headers, even to a registered origin (OIDC Core §3.1.2: a browser navigation, not a script call)', async () => {
    const config = await discover(op.issuer, 'spa');
    const started = await startAuthorization(config, 'spa');
    for (const origin of [REGISTERED, STRANGER]) {
      const res = await fetch(started.url, { headers: { origin }, redirect: 'manual' });
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
      assert.equal(res.headers.get('access-control-allow-credentials'), null, origin);
    }
  });

  it('a preflight OPTIONS /token from a registered origin answers 204 allowing POST with authorization and content-type (Fetch Standard §3.2.2-§3.2.3)', async () => {
    const res = await fetch(`${op.issuer}/token`, {
      method: 'OPTIONS',
      headers: { origin: REGISTERED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), REGISTERED);
    const methods = (res.headers.get('access-control-allow-methods') ?? '').toUpperCase();
    assert.ok(methods.split(/\s*,\s*/).includes('POST'), `Allow-Methods: ${methods}`);
    const headers = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    assert.ok(headers.includes('authorization') && headers.includes('content-type'), `Allow-Headers: ${headers.join(', ')}`);
  });

  it('a preflight from an unregistered origin is not granted (Fetch Standard §3.2.5)', async () => {
    const res = await fetch(`${op.issuer}/token`, {
      method: 'OPTIONS',
      headers: { origin: STRANGER, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});
