/**
 * Malformed, missing, duplicated and oversized input at every endpoint gets the error the
 * specifications prescribe, with the right status — never a 500, never a stack trace, never a
 * redirect to an unverified URI (DESIGN.md "Contracts other tools rely on": Errors).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { ManualClock } from '../src/clock.js';
import { TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';

// ---------------------------------------------------------------------------------------------
// Every response of this file is recorded (fetch is wrapped, raw requests record themselves),
// and the last test checks that none is a 500 or shows a stack trace.
// ---------------------------------------------------------------------------------------------
interface Seen {
  what: string;
  status: number;
  body: string;
}
const seen: Seen[] = [];
const STACK_TRACE = /\bat\s+[^\n]*\.(?:js|ts|mjs|cjs):\d+/;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const res = await realFetch(input, init);
  const body = await res.clone().text();
  const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
  seen.push({ what: `${init?.method ?? 'GET'} ${url.slice(0, 200)}`, status: res.status, body });
  return res;
};

const assertNoServerError = (s: Seen): void => {
  assert.ok(s.status < 500, `${s.what} answered ${s.status}: ${s.body.slice(0, 300)}`);
  assert.doesNotMatch(s.body, STACK_TRACE, `${s.what} shows a stack trace`);
};

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

const parseJson = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const send = async (url: string, init: RequestInit = {}): Promise<Reply> => {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseJson(text) };
};

const FORM = 'application/x-www-form-urlencoded';

/** A request through node:http, for what fetch cannot send (chunked or untyped bodies); recorded too. */
const rawRequest = (
  url: string,
  opts: { method: string; headers: Record<string, string>; chunks: string[] },
): Promise<{ status: number; body: string; json: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        seen.push({ what: `${opts.method} ${url} (raw)`, status: res.statusCode ?? 0, body });
        resolve({ status: res.statusCode ?? 0, body, json: parseJson(body) });
      });
    });
    req.on('error', reject);
    for (const c of opts.chunks) req.write(c);
    req.end();
  });


/** A form POST; `body` may be a string so that parameters can be repeated. */
const post = (url: string, body: string | Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> =>
  send(url, {
    method: 'POST',
    headers: { 'content-type': FORM, ...headers },
    body: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
  });

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const WEB_BASIC = basic(CLIENTS.web.client_id, CLIENTS.web.client_secret);

/** A spec-shaped JSON error: status, `error`, a string `error_description`, not cacheable. */
const assertOAuthError = (r: Reply, status: number, error: string): void => {
  assert.equal(r.status, status, `expected ${status} ${error}, got ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(r.json.error, error, r.text.slice(0, 300));
  assert.equal(typeof r.json.error_description, 'string');
};

/** A browser error page: HTML, the given status, and no redirect anywhere. */
const assertErrorPage = (r: Reply, status: number): void => {
  assert.equal(r.status, status, `expected an error page ${status}, got ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(r.headers.get('location'), null, 'an error page must not redirect');
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  assert.match(r.text, /<html/);
};

const pkce = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

const authorizeUrl = (issuer: string, params: Record<string, string>): string => {
  const url = new URL(`${issuer}/authorize`);
  url.search = new URLSearchParams(params).toString();
  return url.toString();
};

const webParams = (over: Record<string, string> = {}): Record<string, string> => ({
  client_id: CLIENTS.web.client_id,
  redirect_uri: CLIENTS.web.redirect_uri,
  response_type: 'code',
  scope: 'openid profile email',
  state: 'st-123',
  nonce: 'no-456',
  ...over,
});

describe('bad input at every endpoint (RFC 6749, RFC 6750, RFC 7009, RFC 7662, RFC 7636, OIDC Core)', () => {
  let op: TestProvider;
  let tokenUrl: string;
  /** Tokens from one real sign-in, for the tests that need genuine material to tamper with. */
  let tokens: { access_token: string; id_token: string; refresh_token: string };

  before(async () => {
    op = await startProvider();
    tokenUrl = `${op.issuer}/token`;
    const { verifier, challenge } = pkce();
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.signIn(authorizeUrl(op.issuer, webParams({ code_challenge: challenge, code_challenge_method: 'S256' })), USERS.alice);
    const code = new URL(hop.location ?? 'http://x/').searchParams.get('code');
    assert.ok(code, `sign-in did not return a code: ${hop.status} ${hop.body.slice(0, 300)}`);
    const r = await post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: verifier }, { authorization: WEB_BASIC });
    assert.equal(r.status, 200, r.text);
    tokens = r.json as typeof tokens;
  });
  after(() => op?.close());

  /** A fresh code for `web` (signed in with a fresh browser), with its PKCE verifier. */
  const freshCode = async (): Promise<{ code: string; verifier: string }> => {
    const { verifier, challenge } = pkce();
    const hop = await new TestBrowser(op.issuer).signIn(
      authorizeUrl(op.issuer, webParams({ code_challenge: challenge, code_challenge_method: 'S256' })),
      USERS.bob,
    );
    const code = new URL(hop.location ?? 'http://x/').searchParams.get('code');
    assert.ok(code);
    return { code, verifier };
  };

  describe('token endpoint: client authentication (RFC 6749 §2.3, §5.2)', () => {
    it('no client authentication at all → 401 invalid_client', async () => {
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', code: 'x' }), 401, 'invalid_client');
    });

    it('a wrong secret with Basic → 401 invalid_client with a WWW-Authenticate: Basic challenge', async () => {
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code: 'x' }, { authorization: basic('web', 'wrong-secret') });
      assertOAuthError(r, 401, 'invalid_client');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
    });

    it('an unknown client with Basic → 401 invalid_client with a Basic challenge', async () => {
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code: 'x' }, { authorization: basic('nobody', 'whatever-secret') });
      assertOAuthError(r, 401, 'invalid_client');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
    });

    it('a malformed Basic header (not base64, no colon) → 401 invalid_client with a Basic challenge', async () => {
      for (const header of ['Basic !!!not-base64!!!', `Basic ${Buffer.from('no-colon-here').toString('base64')}`, `Basic ${Buffer.from('%ZZ:x').toString('base64')}`]) {
        const r = await post(tokenUrl, { grant_type: 'authorization_code', code: 'x' }, { authorization: header });
        assertOAuthError(r, 401, 'invalid_client');
        assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i, header);
      }
    });

    it('an empty Basic credential (`Authorization: Basic`) → 401 invalid_client with a Basic challenge (RFC 6749 §5.2: MUST when the header was used)', async () => {
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code: 'x' }, { authorization: 'Basic' });
      assertOAuthError(r, 401, 'invalid_client');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
    });

    it('a wrong secret with client_secret_post → 401 invalid_client', async () => {
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code: 'x', client_id: 'post', client_secret: 'wrong-secret' });
      assertOAuthError(r, 401, 'invalid_client');
      assert.doesNotMatch(r.headers.get('www-authenticate') ?? '', /Basic/i, 'no Basic challenge when Basic was not used');
    });

    it('a method other than the registered one → 401 invalid_client (OIDC Core §9)', async () => {
      // web is registered for client_secret_basic; it sends its secret in the body.
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', code: 'x', client_id: 'web', client_secret: CLIENTS.web.client_secret }), 401, 'invalid_client');
      // spa is public; it sends Basic with an empty secret.
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', code: 'x' }, { authorization: basic('spa', '') }), 401, 'invalid_client');
    });

    it('two authentication methods at once → 400 invalid_request (RFC 6749 §2.3: MUST NOT use more than one)', async () => {
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code: 'x', client_secret: CLIENTS.web.client_secret }, { authorization: WEB_BASIC });
      assertOAuthError(r, 400, 'invalid_request');
    });

    it('a body client_id that differs from the Basic client → 400 invalid_request', async () => {
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', code: 'x', client_id: 'post' }, { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('client_id twice → 400 invalid_request (RFC 6749 §3.2)', async () => {
      assertOAuthError(await post(tokenUrl, 'grant_type=authorization_code&code=x&client_id=spa&client_id=spa'), 400, 'invalid_request');
      assertOAuthError(await post(tokenUrl, 'grant_type=authorization_code&code=x&client_id=spa&client_id=web'), 400, 'invalid_request');
    });

    it('client_secret twice → 400 invalid_request (RFC 6749 §3.2)', async () => {
      const s = encodeURIComponent(CLIENTS.post.client_secret);
      assertOAuthError(await post(tokenUrl, `grant_type=authorization_code&code=x&client_id=post&client_secret=${s}&client_secret=${s}`), 400, 'invalid_request');
    });

    it('a 5000-character client_id → 400 invalid_request', async () => {
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', code: 'x', client_id: 'c'.repeat(5000) }), 400, 'invalid_request');
    });
  });

  describe('token endpoint: grant parameters (RFC 6749 §4.1.3, §5.2, §6; RFC 7636 §4.6)', () => {
    it('a missing grant_type → 400 invalid_request', async () => {
      assertOAuthError(await post(tokenUrl, { code: 'x' }, { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('an unknown grant_type → 400 unsupported_grant_type', async () => {
      for (const g of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code']) {
        assertOAuthError(await post(tokenUrl, { grant_type: g, username: 'alice', password: 'x' }, { authorization: WEB_BASIC }), 400, 'unsupported_grant_type');
      }
    });

    it('grant_type twice → 400 invalid_request', async () => {
      assertOAuthError(await post(tokenUrl, 'grant_type=authorization_code&grant_type=refresh_token&code=x', { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('a grant the client is not registered for → 400 unauthorized_client', async () => {
      const r = await post(tokenUrl, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'post', client_secret: CLIENTS.post.client_secret });
      assertOAuthError(r, 400, 'unauthorized_client');
      // client_credentials is supported (issue 12 §2), but only for clients registered for it.
      assertOAuthError(await post(tokenUrl, { grant_type: 'client_credentials' }, { authorization: WEB_BASIC }), 400, 'unauthorized_client');
    });

    it('a missing code → 400 invalid_request', async () => {
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', redirect_uri: CLIENTS.web.redirect_uri }, { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('code twice → 400 invalid_request', async () => {
      assertOAuthError(await post(tokenUrl, 'grant_type=authorization_code&code=a&code=a', { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('an unknown code → 400 invalid_grant', async () => {
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', code: randomBytes(32).toString('base64url'), redirect_uri: CLIENTS.web.redirect_uri }, { authorization: WEB_BASIC }), 400, 'invalid_grant');
    });

    it('a 5000-character code → 400 invalid_request', async () => {
      assertOAuthError(await post(tokenUrl, { grant_type: 'authorization_code', code: 'A'.repeat(5000) }, { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('redirect_uri twice → 400 invalid_request', async () => {
      const u = encodeURIComponent(CLIENTS.web.redirect_uri);
      assertOAuthError(await post(tokenUrl, `grant_type=authorization_code&code=x&redirect_uri=${u}&redirect_uri=${u}`, { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('a redirect_uri that differs from the authorization request → 400 invalid_grant (RFC 6749 §4.1.3)', async () => {
      const { code, verifier } = await freshCode();
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: `${CLIENTS.web.redirect_uri}/other`, code_verifier: verifier }, { authorization: WEB_BASIC });
      assertOAuthError(r, 400, 'invalid_grant');
    });

    it('a wrong, missing or malformed code_verifier → 400 invalid_grant (RFC 7636 §4.6)', async () => {
      for (const bad of [pkce().verifier, undefined, 'short']) {
        const { code } = await freshCode();
        const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri };
        if (bad !== undefined) form.code_verifier = bad;
        assertOAuthError(await post(tokenUrl, form, { authorization: WEB_BASIC }), 400, 'invalid_grant');
      }
    });

    it('a code issued to another client → 400 invalid_grant (RFC 6749 §4.1.3)', async () => {
      const { code, verifier } = await freshCode();
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: verifier, client_id: 'post', client_secret: CLIENTS.post.client_secret });
      assertOAuthError(r, 400, 'invalid_grant');
    });

    it('a code used twice → 400 invalid_grant the second time (RFC 6749 §4.1.2)', async () => {
      const { code, verifier } = await freshCode();
      const form = { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: verifier };
      assert.equal((await post(tokenUrl, form, { authorization: WEB_BASIC })).status, 200);
      assertOAuthError(await post(tokenUrl, form, { authorization: WEB_BASIC }), 400, 'invalid_grant');
    });

    it('a missing, unknown or repeated refresh_token → invalid_request / invalid_grant (RFC 6749 §6)', async () => {
      assertOAuthError(await post(tokenUrl, { grant_type: 'refresh_token' }, { authorization: WEB_BASIC }), 400, 'invalid_request');
      assertOAuthError(await post(tokenUrl, { grant_type: 'refresh_token', refresh_token: 'nope' }, { authorization: WEB_BASIC }), 400, 'invalid_grant');
      assertOAuthError(await post(tokenUrl, 'grant_type=refresh_token&refresh_token=a&refresh_token=a', { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('a refresh asking for more scope than granted → 400 invalid_scope (RFC 6749 §6)', async () => {
      const { code, verifier } = await freshCode();
      const t = await post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: verifier }, { authorization: WEB_BASIC });
      const rt = String(t.json.refresh_token);
      assertOAuthError(await post(tokenUrl, { grant_type: 'refresh_token', refresh_token: rt, scope: 'openid profile email offline_access' }, { authorization: WEB_BASIC }), 400, 'invalid_scope');
    });

    it('a refresh rejected with invalid_scope leaves the refresh token usable (RFC 6749 §6: the old token is revoked only after a new one is issued)', async () => {
      const { code, verifier } = await freshCode();
      const t = await post(tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: CLIENTS.web.redirect_uri, code_verifier: verifier }, { authorization: WEB_BASIC });
      const rt = String(t.json.refresh_token);
      assertOAuthError(await post(tokenUrl, { grant_type: 'refresh_token', refresh_token: rt, scope: 'openid admin' }, { authorization: WEB_BASIC }), 400, 'invalid_scope');
      const retry = await post(tokenUrl, { grant_type: 'refresh_token', refresh_token: rt }, { authorization: WEB_BASIC });
      assert.equal(retry.status, 200, `the corrected retry was refused: ${retry.text}`);
    });
  });

  describe('token endpoint: transport (RFC 6749 §3.2: POST, application/x-www-form-urlencoded)', () => {
    it('a JSON body → 415 with a JSON error', async () => {
      const r = await send(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: WEB_BASIC }, body: JSON.stringify({ grant_type: 'authorization_code', code: 'x' }) });
      assertOAuthError(r, 415, 'invalid_request');
    });

    it('a multipart or text body → 415 with a JSON error', async () => {
      for (const type of ['multipart/form-data; boundary=x', 'text/plain']) {
        const r = await send(tokenUrl, { method: 'POST', headers: { 'content-type': type, authorization: WEB_BASIC }, body: 'grant_type=authorization_code' });
        assertOAuthError(r, 415, 'invalid_request');
      }
    });

    it('a body without a content type → a 4xx JSON error, not a 500', async () => {
      const r = await rawRequest(tokenUrl, { method: 'POST', headers: { authorization: WEB_BASIC }, chunks: ['grant_type=authorization_code&code=x'] });
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.body}`);
      assert.equal(typeof r.json.error, 'string');
    });

    it('a body over 64 KiB → 413 with a JSON error', async () => {
      const r = await post(tokenUrl, { grant_type: 'authorization_code', code: 'x', padding: 'p'.repeat(70 * 1024) }, { authorization: WEB_BASIC });
      assertOAuthError(r, 413, 'invalid_request');
    });

    it('a chunked body over 64 KiB (no Content-Length) → 413', async () => {
      const r = await rawRequest(tokenUrl, { method: 'POST', headers: { 'content-type': FORM, 'transfer-encoding': 'chunked' }, chunks: Array.from({ length: 9 }, () => `a=${'x'.repeat(8 * 1024)}&`) });
      assert.equal(r.status, 413, r.body.slice(0, 200));
    });

    it('GET /token → an error, not a 500', async () => {
      const r = await send(`${tokenUrl}?grant_type=authorization_code&code=x`, { headers: { authorization: WEB_BASIC } });
      assert.ok([404, 405].includes(r.status), `${r.status} ${r.text}`);
      assert.equal(typeof r.json.error, 'string');
    });

    it('malformed percent-encoding in the body → a spec error, not a 500', async () => {
      const r = await post(tokenUrl, 'grant_type=%ZZ%&code=%E0%A4%A&%%%', { authorization: WEB_BASIC });
      assert.equal(r.status, 400, r.text);
      assert.equal(typeof r.json.error, 'string');
    });
  });

  describe('userinfo (RFC 6750 §2, §3.1; OIDC Core §5.3.3)', () => {
    const userinfo = (headers: Record<string, string> = {}, init: RequestInit = {}) => send(`${op.issuer}/userinfo`, { headers, ...init });

    it('no token → 401 with exactly `WWW-Authenticate: Bearer realm="signoff"` and no error code (RFC 6750 §3.1)', async () => {
      const r = await userinfo();
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="signoff"');
    });

    it('a garbage token → 401 invalid_token with a Bearer challenge carrying error="invalid_token"', async () => {
      for (const token of ['garbage', 'a.b.c', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'x'.repeat(5000)]) {
        const r = await userinfo({ authorization: `Bearer ${token}` });
        assertOAuthError(r, 401, 'invalid_token');
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="signoff", error="invalid_token"/);
      }
    });

    it('a genuine access token works (so the rejections below are about the token, not the endpoint)', async () => {
      const r = await userinfo({ authorization: `Bearer ${tokens.access_token}` });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.sub, decodeJwt(tokens.access_token).sub);
    });

    it('a token whose payload was altered → 401 invalid_token', async () => {
      const [h, p, s] = tokens.access_token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const altered = Buffer.from(JSON.stringify({ ...claims, scope: 'openid profile email offline_access', exp: Number(claims.exp) + 86400 })).toString('base64url');
      assertOAuthError(await userinfo({ authorization: `Bearer ${h}.${altered}.${s}` }), 401, 'invalid_token');
      const flipped = s.slice(0, -2) + (s.endsWith('AA') ? 'BB' : 'AA');
      assertOAuthError(await userinfo({ authorization: `Bearer ${h}.${p}.${flipped}` }), 401, 'invalid_token');
    });

    it('a token with alg "none" → 401 invalid_token', async () => {
      const header = decodeProtectedHeader(tokens.access_token);
      const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: header.kid })).toString('base64url');
      const p = tokens.access_token.split('.')[1] as string;
      assertOAuthError(await userinfo({ authorization: `Bearer ${h}.${p}.` }), 401, 'invalid_token');
    });

    it('a token with the real claims signed by another key under the provider\'s kid → 401 invalid_token', async () => {
      const header = decodeProtectedHeader(tokens.access_token);
      const { privateKey } = await generateKeyPair(header.alg as string);
      const forged = await new SignJWT(decodeJwt(tokens.access_token)).setProtectedHeader({ alg: header.alg as string, kid: header.kid, typ: 'at+jwt' }).sign(privateKey);
      assertOAuthError(await userinfo({ authorization: `Bearer ${forged}` }), 401, 'invalid_token');
      const unknownKid = await new SignJWT(decodeJwt(tokens.access_token)).setProtectedHeader({ alg: header.alg as string, kid: 'attacker', typ: 'at+jwt' }).sign(privateKey);
      assertOAuthError(await userinfo({ authorization: `Bearer ${unknownKid}` }), 401, 'invalid_token');
    });

    it('a token MACed with HS256 using the provider\'s public key (algorithm confusion) → 401 invalid_token', async () => {
      const header = decodeProtectedHeader(tokens.access_token);
      const jwks = (await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: Record<string, unknown>[] };
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      assert.ok(jwk);
      const secret = new TextEncoder().encode(JSON.stringify(jwk));
      const forged = await new SignJWT(decodeJwt(tokens.access_token)).setProtectedHeader({ alg: 'HS256', kid: header.kid, typ: 'at+jwt' }).sign(secret);
      assertOAuthError(await userinfo({ authorization: `Bearer ${forged}` }), 401, 'invalid_token');
    });

    it('an ID token presented as an access token → 401 invalid_token (RFC 9068 §4: typ at+jwt)', async () => {
      assertOAuthError(await userinfo({ authorization: `Bearer ${tokens.id_token}` }), 401, 'invalid_token');
    });

    it('a token from another issuer\'s key set → 401 invalid_token', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const kid = `other-${(await exportJWK(publicKey)).x}`;
      const forged = await new SignJWT({ ...decodeJwt(tokens.access_token), iss: 'https://evil.example' }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(privateKey);
      assertOAuthError(await userinfo({ authorization: `Bearer ${forged}` }), 401, 'invalid_token');
    });

    it('a token both in the header and in the body → 400 invalid_request (RFC 6750 §2: only one method)', async () => {
      const r = await send(`${op.issuer}/userinfo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': FORM },
        body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
      });
      assertOAuthError(r, 400, 'invalid_request');
    });

    it('access_token twice in the body → 400 invalid_request', async () => {
      const t = encodeURIComponent(tokens.access_token);
      assertOAuthError(await post(`${op.issuer}/userinfo`, `access_token=${t}&access_token=${t}`), 400, 'invalid_request');
    });

    it('a 5000-character access_token in the body → 400 invalid_request', async () => {
      assertOAuthError(await post(`${op.issuer}/userinfo`, { access_token: 'x'.repeat(5000) }), 400, 'invalid_request');
    });

    it('a non-Bearer Authorization scheme → 401 and a Bearer challenge', async () => {
      const r = await userinfo({ authorization: 'Basic dXNlcjpwYXNz' });
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="signoff"/);
    });

    it('a JSON body → 415 with a JSON error', async () => {
      const r = await send(`${op.issuer}/userinfo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: tokens.access_token }) });
      assertOAuthError(r, 415, 'invalid_request');
    });
  });

  describe('revocation (RFC 7009 §2.1, §2.2)', () => {
    const revokeUrl = () => `${op.issuer}/revoke`;

    it('a missing token → 400 invalid_request', async () => {
      assertOAuthError(await post(revokeUrl(), {}, { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('token twice → 400 invalid_request', async () => {
      assertOAuthError(await post(revokeUrl(), 'token=a&token=b', { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('a 5000-character token → 400 invalid_request', async () => {
      assertOAuthError(await post(revokeUrl(), { token: 't'.repeat(5000) }, { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('an unknown token_type_hint is ignored (200, RFC 7009 §2.1 "MAY ignore") or refused with 400 unsupported_token_type (§2.2.1), nothing else', async () => {
      for (const hint of ['id_token', 'h'.repeat(300)]) {
        const r = await post(revokeUrl(), { token: 'x', token_type_hint: hint }, { authorization: WEB_BASIC });
        if (r.status !== 200) assertOAuthError(r, 400, 'unsupported_token_type');
      }
      assertOAuthError(await post(revokeUrl(), 'token=x&token_type_hint=access_token&token_type_hint=refresh_token', { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('an unknown token → 200 (RFC 7009 §2.2)', async () => {
      const r = await post(revokeUrl(), { token: 'no-such-token' }, { authorization: WEB_BASIC });
      assert.equal(r.status, 200, r.text);
    });

    it('failed client authentication → 401 invalid_client (+ Basic challenge when Basic was used)', async () => {
      assertOAuthError(await post(revokeUrl(), { token: 'x' }), 401, 'invalid_client');
      const r = await post(revokeUrl(), { token: 'x' }, { authorization: basic('web', 'wrong-secret') });
      assertOAuthError(r, 401, 'invalid_client');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
    });

    it('a JSON body → 415; a body over 64 KiB → 413', async () => {
      assertOAuthError(await send(revokeUrl(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: WEB_BASIC }, body: '{"token":"x"}' }), 415, 'invalid_request');
      assertOAuthError(await post(revokeUrl(), { token: 'x'.repeat(70 * 1024) }, { authorization: WEB_BASIC }), 413, 'invalid_request');
    });

    it('GET /revoke → an error, not a 500', async () => {
      const r = await send(`${revokeUrl()}?token=x`);
      assert.ok([404, 405].includes(r.status), `${r.status}`);
      assert.equal(typeof r.json.error, 'string');
    });
  });

  describe('introspection (RFC 7662 §2.1, §2.2, §2.3)', () => {
    const introspectUrl = () => `${op.issuer}/introspect`;

    it('no client authentication → 401 invalid_client', async () => {
      assertOAuthError(await post(introspectUrl(), { token: tokens.access_token }), 401, 'invalid_client');
    });

    it('a public client (client_id only) → 401 invalid_client (§2.1: the caller must be authorized)', async () => {
      assertOAuthError(await post(introspectUrl(), { token: 'x', client_id: 'spa' }), 401, 'invalid_client');
    });

    it('a wrong Basic secret → 401 invalid_client with a Basic challenge', async () => {
      const r = await post(introspectUrl(), { token: 'x' }, { authorization: basic('web', 'wrong-secret') });
      assertOAuthError(r, 401, 'invalid_client');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic\b/i);
    });

    it('a missing or repeated token → 400 invalid_request', async () => {
      assertOAuthError(await post(introspectUrl(), {}, { authorization: WEB_BASIC }), 400, 'invalid_request');
      assertOAuthError(await post(introspectUrl(), 'token=a&token=a', { authorization: WEB_BASIC }), 400, 'invalid_request');
    });

    it('an unknown or garbage token → 200 {"active": false} and nothing else (§2.2)', async () => {
      for (const token of ['garbage', 'a.b.c', `${tokens.access_token.slice(0, -4)}AAAA`]) {
        const r = await post(introspectUrl(), { token }, { authorization: WEB_BASIC });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { active: false });
      }
    });

    it('a JSON body → 415', async () => {
      assertOAuthError(await send(introspectUrl(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: WEB_BASIC }, body: '{"token":"x"}' }), 415, 'invalid_request');
    });
  });

  describe('authorization endpoint before the client and redirect URI are verified: an error page, never a redirect (RFC 6749 §4.1.2.1, §10.15; OIDC Core §3.1.2.6)', () => {
    const page = (params: Record<string, string> | string) =>
      send(typeof params === 'string' ? `${op.issuer}/authorize?${params}` : authorizeUrl(op.issuer, params));

    it('an unknown client → an HTML error page, no Location', async () => {
      assertErrorPage(await page(webParams({ client_id: 'nobody' })), 400);
    });

    it('a missing client_id → an error page', async () => {
      const { client_id: _, ...rest } = webParams();
      assertErrorPage(await page(rest), 400);
    });

    it('a missing redirect_uri → an error page', async () => {
      const { redirect_uri: _, ...rest } = webParams();
      assertErrorPage(await page(rest), 400);
    });

    it('client_id or redirect_uri twice → an error page', async () => {
      const u = encodeURIComponent(CLIENTS.web.redirect_uri);
      assertErrorPage(await page(`client_id=web&client_id=web&redirect_uri=${u}&response_type=code&scope=openid`), 400);
      assertErrorPage(await page(`client_id=web&client_id=spa&redirect_uri=${u}&response_type=code&scope=openid`), 400);
      assertErrorPage(await page(`client_id=web&redirect_uri=${u}&redirect_uri=${u}&response_type=code&scope=openid`), 400);
    });

    it('unregistered lookalike redirect URIs (extra path, query, other port, scheme, host, case, slash, fragment) → an error page', async () => {
      const lookalikes = [
        'http://127.0.0.1:5001/callback/extra',
        'http://127.0.0.1:5001/callback?next=https://evil.example',
        'http://127.0.0.1:5009/callback',
        'https://127.0.0.1:5001/callback',
        'http://localhost:5001/callback',
        'http://127.0.0.1:5001/Callback',
        'http://127.0.0.1:5001/callback/',
        'http://127.0.0.1:5001/callback#x',
        'http://127.0.0.1:5001/callback/../callback',
        'http://127.0.0.1:5001@evil.example/callback',
        'https://evil.example/callback',
        CLIENTS.spa.redirect_uri, // another client's URI
      ];
      for (const redirect_uri of lookalikes) assertErrorPage(await page(webParams({ redirect_uri })), 400);
    });

    it('a 5000-character client_id or redirect_uri → an error page', async () => {
      assertErrorPage(await page(webParams({ client_id: 'c'.repeat(5000) })), 400);
      assertErrorPage(await page(webParams({ redirect_uri: `${CLIENTS.web.redirect_uri}?${'a'.repeat(5000)}` })), 400);
    });

    it('the error page escapes what it echoes (no markup injection)', async () => {
      const r = await page(webParams({ client_id: '<script>alert(1)</script>' }));
      assertErrorPage(r, 400);
      assert.doesNotMatch(r.text, /<script>alert/);
    });

    it('POST /authorize with a JSON body → an error page (415), no Location', async () => {
      const r = await send(`${op.issuer}/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(webParams()) });
      assertErrorPage(r, 415);
    });

    it('POST /authorize with a body over 64 KiB → an error page (413), no Location', async () => {
      const r = await post(`${op.issuer}/authorize`, { ...webParams(), padding: 'p'.repeat(70 * 1024) });
      assertErrorPage(r, 413);
    });

    it('POST /authorize with an unregistered redirect URI → an error page', async () => {
      assertErrorPage(await post(`${op.issuer}/authorize`, webParams({ redirect_uri: 'https://evil.example/cb' })), 400);
    });
  });

  describe('authorization endpoint after the redirect URI is verified: errors go back with error, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2)', () => {
    /** Asserts a redirect to the registered URI carrying `error`, the state and iss; returns the params. */
    const errorRedirect = async (params: Record<string, string> | string, error: string, opts: { state?: string | null; method?: 'GET' | 'POST' } = {}): Promise<URLSearchParams> => {
      const r =
        opts.method === 'POST'
          ? await post(`${op.issuer}/authorize`, typeof params === 'string' ? params : new URLSearchParams(params).toString())
          : await send(typeof params === 'string' ? `${op.issuer}/authorize?${params}` : authorizeUrl(op.issuer, params));
      assert.ok([302, 303].includes(r.status), `expected a redirect with ${error}, got ${r.status} ${r.text.slice(0, 300)}`);
      const location = r.headers.get('location') ?? '';
      const redirectUri = typeof params === 'string' ? new URLSearchParams(params).get('redirect_uri') : params.redirect_uri;
      assert.ok(location.startsWith(`${redirectUri}?`), `redirected to ${location}`);
      const q = new URL(location).searchParams;
      assert.equal(q.get('error'), error, location);
      assert.equal(q.get('iss'), op.issuer, 'RFC 9207: iss in every authorization response');
      assert.equal(q.get('code'), null);
      const expectedState = opts.state === undefined ? 'st-123' : opts.state;
      assert.equal(q.get('state'), expectedState);
      assert.equal(q.getAll('error').length, 1);
      return q;
    };

    it('a missing response_type → invalid_request', async () => {
      const { response_type: _, ...rest } = webParams();
      await errorRedirect(rest, 'invalid_request');
    });

    it('response_type=token or "code id_token" → unsupported_response_type', async () => {
      await errorRedirect(webParams({ response_type: 'token' }), 'unsupported_response_type');
      await errorRedirect(webParams({ response_type: 'code id_token' }), 'unsupported_response_type');
    });

    it('a repeated response_type, scope or nonce → invalid_request (RFC 6749 §3.1)', async () => {
      const base = new URLSearchParams(webParams()).toString();
      await errorRedirect(`${base}&response_type=code`, 'invalid_request');
      await errorRedirect(`${base}&scope=openid`, 'invalid_request');
      await errorRedirect(`${base}&nonce=again`, 'invalid_request');
    });

    it('a repeated state → invalid_request, without echoing either value', async () => {
      await errorRedirect(`${new URLSearchParams(webParams()).toString()}&state=other`, 'invalid_request', { state: null });
    });

    it('a missing scope → invalid_request; a scope without openid or with an unknown value → invalid_scope (OIDC Core §3.1.2.1)', async () => {
      const { scope: _, ...rest } = webParams();
      await errorRedirect(rest, 'invalid_request');
      await errorRedirect(webParams({ scope: 'profile email' }), 'invalid_scope');
      await errorRedirect(webParams({ scope: 'openid admin' }), 'invalid_scope');
    });

    it('prompt=none combined with login → invalid_request (OIDC Core §3.1.2.1)', async () => {
      await errorRedirect(webParams({ prompt: 'none login' }), 'invalid_request');
    });

    it('an unknown prompt value → invalid_request', async () => {
      await errorRedirect(webParams({ prompt: 'sudo' }), 'invalid_request');
    });

    it('max_age=-1 or max_age=abc → invalid_request (OIDC Core §3.1.2.1)', async () => {
      await errorRedirect(webParams({ max_age: '-1' }), 'invalid_request');
      await errorRedirect(webParams({ max_age: 'abc' }), 'invalid_request');
    });

    it('code_challenge_method=plain → invalid_request (only S256 is offered; RFC 7636 §4.4.1)', async () => {
      await errorRedirect(webParams({ code_challenge: pkce().challenge, code_challenge_method: 'plain' }), 'invalid_request');
    });

    it('a malformed code_challenge → invalid_request (RFC 7636 §4.2)', async () => {
      await errorRedirect(webParams({ code_challenge: 'too-short', code_challenge_method: 'S256' }), 'invalid_request');
    });

    it('a public client without PKCE → invalid_request (RFC 7636 §4.4.1; RFC 9700 §2.1.1)', async () => {
      await errorRedirect({ client_id: 'spa', redirect_uri: CLIENTS.spa.redirect_uri, response_type: 'code', scope: 'openid', state: 'st-123' }, 'invalid_request');
    });

    it('request and request_uri → request_not_supported / request_uri_not_supported (OIDC Core §3.1.2.6)', async () => {
      await errorRedirect(webParams({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'request_not_supported');
      await errorRedirect(webParams({ request_uri: 'https://evil.example/r' }), 'request_uri_not_supported');
    });

    it('a 5000-character parameter (nonce, login_hint) → invalid_request', async () => {
      await errorRedirect(webParams({ nonce: 'n'.repeat(5000) }), 'invalid_request');
      await errorRedirect(webParams({ login_hint: 'h'.repeat(5000) }), 'invalid_request');
    });

    it('prompt=none without a session → login_required (OIDC Core §3.1.2.6)', async () => {
      await errorRedirect(webParams({ prompt: 'none' }), 'login_required');
    });

    it('errors of a POSTed authorization request go back the same way (OIDC Core §3.1.2.1)', async () => {
      await errorRedirect(webParams({ response_type: 'token' }), 'unsupported_response_type', { method: 'POST' });
    });

    it('with response_mode=form_post the error is posted back by an HTML form, not put in a Location', async () => {
      const r = await send(authorizeUrl(op.issuer, webParams({ response_type: 'token', response_mode: 'form_post' })));
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('location'), null);
      const form = parseForm(r.text);
      assert.equal(form.action, CLIENTS.web.redirect_uri);
      assert.equal(form.fields.error, 'unsupported_response_type');
      assert.equal(form.fields.state, 'st-123');
      assert.equal(form.fields.iss, op.issuer);
    });
  });

  describe('sign-in interaction pages (DESIGN.md "Domain model": Interaction, consumed once, bound to its browser)', () => {
    /** Starts an interaction in a new browser and returns the browser and its sign-in form. */
    const startSignIn = async (): Promise<{ browser: TestBrowser; action: string; fields: Record<string, string>; pageUrl: string }> => {
      const browser = new TestBrowser(op.issuer);
      const hop = await browser.navigate(authorizeUrl(op.issuer, webParams({ prompt: 'login' })));
      assert.ok(isLoginPage(hop.body), hop.body.slice(0, 300));
      const form = parseForm(hop.body);
      return { browser, action: new URL(form.action, hop.url).toString(), fields: form.fields, pageUrl: hop.url };
    };

    it('a sign-in POST without csrf_token → 403 error page', async () => {
      const { browser, action } = await startSignIn();
      const hop = await browser.request(action, { form: { username: USERS.alice.username, password: USERS.alice.password } });
      assert.equal(hop.status, 403);
      assert.equal(hop.location, undefined);
      assert.ok(!isLoginPage(hop.body));
      assert.equal(browser.cookies.get('signoff'), undefined, 'no session was created');
    });

    it('a sign-in POST with a wrong csrf_token → 403 error page', async () => {
      const { browser, action, fields } = await startSignIn();
      const hop = await browser.request(action, { form: { ...fields, csrf_token: `${fields.csrf_token}x`, username: USERS.alice.username, password: USERS.alice.password } });
      assert.equal(hop.status, 403);
      assert.equal(browser.cookies.get('signoff'), undefined);
    });

    it('a sign-in POST from another browser (no interaction cookie) → 403, even with the right csrf_token', async () => {
      const { action, fields, pageUrl } = await startSignIn();
      const other = new TestBrowser(op.issuer);
      const hop = await other.request(action, { form: { ...fields, username: USERS.alice.username, password: USERS.alice.password } });
      assert.equal(hop.status, 403);
      assert.equal(other.cookies.get('signoff'), undefined);
      assert.equal((await other.request(pageUrl)).status, 403, 'the sign-in page itself is bound to its browser too');
    });

    it('csrf_token or username twice → 400 error page', async () => {
      const { browser, action, fields } = await startSignIn();
      const body = `csrf_token=${encodeURIComponent(fields.csrf_token ?? '')}&csrf_token=${encodeURIComponent(fields.csrf_token ?? '')}&username=alice&password=x`;
      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const r1 = await post(action, body, { cookie });
      assertErrorPage(r1, 400);
      const body2 = `csrf_token=${encodeURIComponent(fields.csrf_token ?? '')}&username=alice&username=bob&password=x`;
      assertErrorPage(await post(action, body2, { cookie }), 400);
    });

    it('a 5000-character username → an error page, not a 500', async () => {
      const { browser, action, fields } = await startSignIn();
      const hop = await browser.request(action, { form: { ...fields, username: 'u'.repeat(5000), password: 'x' } });
      assert.equal(hop.status, 400, hop.body.slice(0, 200));
    });

    it('a wrong password re-shows the form with the same status and message as an unknown user (no account enumeration)', async () => {
      const { browser, action, fields } = await startSignIn();
      const wrong = await browser.request(action, { form: { ...fields, username: USERS.alice.username, password: 'wrong-password' } });
      const unknown = await browser.request(action, { form: { ...fields, username: 'no-such-user', password: 'wrong-password' } });
      assert.ok(wrong.status >= 200 && wrong.status < 500 && wrong.location === undefined, `${wrong.status} ${wrong.location ?? ''}`);
      assert.equal(unknown.status, wrong.status);
      assert.ok(isLoginPage(wrong.body));
      assert.ok(isLoginPage(unknown.body));
      const message = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
      assert.ok(message(wrong.body));
      assert.equal(message(wrong.body), message(unknown.body));
    });

    it('an unknown or malformed interaction id → an error page', async () => {
      const browser = new TestBrowser(op.issuer);
      for (const id of [randomUUID(), 'not-a-uuid', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(90)]) {
        const hop = await browser.request(`${op.issuer}/interaction/${id}`);
        assert.equal(hop.status, 400, `${id}: ${hop.status}`);
        assert.match(hop.body, /<html/);
        const post1 = await browser.request(`${op.issuer}/interaction/${id}/login`, { form: { csrf_token: 'x', username: 'alice', password: 'x' } });
        assert.equal(post1.status, 400);
      }
    });

    it('an over-long interaction path → a 4xx, not a 500', async () => {
      const r = await send(`${op.issuer}/interaction/${'x'.repeat(500)}`);
      assert.ok(r.status >= 400 && r.status < 500, String(r.status));
    });

    it('a completed interaction cannot be used again → error page (consumed once)', async () => {
      const { browser, action, fields } = await startSignIn();
      const done = await browser.request(action, { form: { ...fields, username: USERS.bob.username, password: USERS.bob.password } });
      assert.equal(done.status, 303);
      assert.ok(done.location?.startsWith(CLIENTS.web.redirect_uri));
      const again = await browser.request(action, { form: { ...fields, username: USERS.bob.username, password: USERS.bob.password } });
      assert.equal(again.status, 400);
      assert.equal(again.location, undefined);
    });

    it('a consent POST without a signed-in session → an error page, no redirect', async () => {
      const browser = new TestBrowser(op.issuer);
      const hop = await browser.navigate(authorizeUrl(op.issuer, { ...webParams(), client_id: 'consent', redirect_uri: CLIENTS.consent.redirect_uri }));
      const form = parseForm(hop.body);
      const id = /\/interaction\/([0-9a-f-]{36})/.exec(hop.url)?.[1];
      assert.ok(id);
      const r = await browser.request(`${op.issuer}/interaction/${id}/consent`, { form: { ...form.fields, decision: 'allow' } });
      assert.equal(r.status, 400);
      assert.equal(r.location, undefined);
    });
  });

  describe('other paths', () => {
    it('an unknown path → 404 with a JSON error', async () => {
      for (const path of ['/nope', '/token/extra', '/.well-known/unknown', '/authorize/', '/%00', '/interaction']) {
        const r = await send(`${op.issuer}${path}`);
        assert.equal(r.status, 404, path);
        assert.equal(r.json.error, 'not_found', path);
      }
    });

    it('an unsupported method on a known path → a 4xx JSON error', async () => {
      for (const [method, path] of [['DELETE', '/token'], ['PUT', '/userinfo'], ['POST', '/jwks'], ['POST', '/.well-known/openid-configuration'], ['PATCH', '/authorize']] as const) {
        const r = await send(`${op.issuer}${path}`, { method });
        assert.ok(r.status === 404 || r.status === 405, `${method} ${path}: ${r.status}`);
        assert.equal(typeof r.json.error, 'string');
      }
    });

    it('discovery, JWKS and health ignore junk query parameters', async () => {
      for (const path of ['/.well-known/openid-configuration?x=1&x=2', '/jwks?%ZZ', '/healthz?a']) {
        assert.equal((await send(`${op.issuer}${path}`)).status, 200, path);
      }
      // Readiness and metrics are on the management listener (issue 10 §6).
      for (const path of ['/readyz?b=%', '/metrics?x=1&x=2']) assert.equal((await fetch(`${op.management}${path}`)).status, 200, path);
    });

    it('a header-borne request id that is not sane is replaced, not echoed', async () => {
      const r = await send(`${op.issuer}/healthz`, { headers: { 'x-request-id': '<script>' } });
      assert.equal(r.status, 200);
      assert.notEqual(r.headers.get('x-request-id'), '<script>');
    });
  });
});

describe('an expired interaction (DESIGN.md "Domain model": an interaction lives minutes)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider({}, { clock });
  });
  after(() => op?.close());

  it('after the 10-minute interaction lifetime, the sign-in page and its form answer with an error page', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.navigate(authorizeUrl(op.issuer, webParams()));
    assert.ok(isLoginPage(hop.body));
    const form = parseForm(hop.body);
    clock.advance(10 * 60 + 1);
    const page = await browser.request(hop.url);
    assert.equal(page.status, 400);
    assert.ok(!isLoginPage(page.body));
    assert.equal(page.location, undefined);
    const submit = await browser.request(new URL(form.action, hop.url).toString(), { form: { ...form.fields, username: USERS.alice.username, password: USERS.alice.password } });
    assert.equal(submit.status, 400);
    assert.equal(submit.location, undefined, 'no code is issued from an expired interaction');
    assert.equal(browser.cookies.get('signoff'), undefined, 'no session is created');
  });

  it('just before expiry the interaction still works', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.navigate(authorizeUrl(op.issuer, webParams()));
    const form = parseForm(hop.body);
    clock.advance(10 * 60 - 5);
    const submit = await browser.request(new URL(form.action, hop.url).toString(), { form: { ...form.fields, username: USERS.alice.username, password: USERS.alice.password } });
    assert.equal(submit.status, 303, submit.body.slice(0, 200));
    assert.ok(submit.location?.startsWith(CLIENTS.web.redirect_uri));
  });
});

describe('never a 500, never a stack trace (DESIGN.md "Contracts": "Never a 500 for bad input")', () => {
  it('no response in this file had a 5xx status or showed a stack trace', () => {
    assert.ok(seen.length > 150, `only ${seen.length} responses were recorded`);
    for (const s of seen) assertNoServerError(s);
  });
});
