/**
 * Unit tests of small pure functions of the core: durations, request parameters, the
 * authorization request validator, secret comparison and the browser cookie format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client, ClientStore } from '../src/clients/store.js';
import { ERRORS, SignoffError } from '../src/errors.js';
import {
  type AuthorizationRequest, RedirectableError, resolveClient, validateAuthorizationRequest,
} from '../src/oauth/authorize/request.js';
import { MAX_PARAM_LENGTH, type Params, one, paramsFrom, required } from '../src/oauth/params.js';
import { browserCookieName, formatBrowserCookie, newBrowserCookie, parseBrowserCookie } from '../src/sessions/browser-cookie.js';
import { isLive } from '../src/sessions/browser.js';
import { lifetimesFor, touchInterval } from '../src/sessions/policy.js';
import type { Session } from '../src/sessions/store.js';
import { parseDuration } from '../src/util/duration.js';
import { constantTimeEqual, randomToken, sha256 } from '../src/util/secrets.js';

/** Asserts that fn throws a SignoffError with the given code; returns it for further checks. */
const throwsCode = <E extends SignoffError = SignoffError>(fn: () => unknown, code: string, message?: RegExp): E => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SignoffError, `expected a SignoffError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.description, message);
  return caught as E;
};

const rejectsCode = async (p: Promise<unknown>, code: string): Promise<SignoffError> => {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SignoffError, `expected a SignoffError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
};

const qs = (s: string): Params => paramsFrom(new URLSearchParams(s));

describe('parseDuration (DESIGN.md contract: durations as seconds or strings like "4s", "15m", "12h", "30d")', () => {
  it('reads the unit suffixes s, m, h and d', () => {
    assert.equal(parseDuration('4s'), 4);
    assert.equal(parseDuration('15m'), 15 * 60);
    assert.equal(parseDuration('12h'), 12 * 3600);
    assert.equal(parseDuration('30d'), 30 * 86400);
  });

  it('reads a bare number or numeric string as seconds', () => {
    assert.equal(parseDuration(30), 30);
    assert.equal(parseDuration('45'), 45);
    assert.equal(parseDuration(' 5m '), 300);
  });

  it('rejects zero, negative, fractional and non-numeric durations', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '0', '0s', '-5s', '1.5h', '5w', '10ms', 'm', '', 'abc', '1e3', null, undefined, true, {}, []]) {
      assert.equal(parseDuration(bad), undefined, `parseDuration(${JSON.stringify(bad)})`);
    }
  });
});

describe('request parameters (RFC 6749 §3.1, §3.2: parameters MUST NOT be included more than once)', () => {
  it('one() returns the single value of a parameter', () => {
    assert.equal(one(qs('a=1&b=2'), 'a'), '1');
  });

  it('one() treats a missing or empty parameter as omitted (RFC 6749 §3.1)', () => {
    assert.equal(one(qs('a=1'), 'b'), undefined);
    assert.equal(one(qs('a='), 'a'), undefined);
    assert.equal(one({ a: [] }, 'a'), undefined);
  });

  it('one() rejects a repeated parameter with invalid_request, naming it, even when the values agree', () => {
    throwsCode(() => one(qs('client_id=web&client_id=evil'), 'client_id'), 'invalid_request', /client_id/);
    throwsCode(() => one(qs('code=x&code=x'), 'code'), 'invalid_request', /code/);
    throwsCode(() => one(qs('state=&state='), 'state'), 'invalid_request');
  });

  it('one() rejects a value longer than MAX_PARAM_LENGTH with invalid_request (no unbounded input is stored)', () => {
    assert.equal(one({ a: ['x'.repeat(MAX_PARAM_LENGTH)] }, 'a')?.length, MAX_PARAM_LENGTH);
    throwsCode(() => one({ a: ['x'.repeat(MAX_PARAM_LENGTH + 1)] }, 'a'), 'invalid_request', /too long/);
    throwsCode(() => one({ a: ['x'.repeat(5000)] }, 'a'), 'invalid_request');
  });

  it('required() rejects a missing or empty parameter with invalid_request naming it', () => {
    assert.equal(required(qs('grant_type=x'), 'grant_type'), 'x');
    throwsCode(() => required(qs(''), 'grant_type'), 'invalid_request', /grant_type/);
    throwsCode(() => required(qs('grant_type='), 'grant_type'), 'invalid_request', /grant_type/);
  });

  it('paramsFrom() keeps every value of a repeated name, so duplicates stay detectable', () => {
    assert.deepEqual({ ...paramsFrom(new URLSearchParams('a=1&a=2&b=3')) }, { a: ['1', '2'], b: ['3'] });
  });

  it('paramsFrom() treats Object.prototype names as parameters (no prototype to reach or break)', () => {
    const params = paramsFrom(new URLSearchParams('__proto__=1&constructor=2&constructor=3&toString=4'));
    assert.equal(Object.getPrototypeOf(params), null);
    assert.deepEqual(params.__proto__, ['1']);
    assert.deepEqual(params.constructor, ['2', '3']);
    assert.equal(one(params, 'toString'), '4');
    assert.equal(one(params, 'hasOwnProperty'), undefined);
    throwsCode(() => one(params, 'constructor'), 'invalid_request', /constructor/);
  });
});

const client = (over: Partial<Client> = {}): Client => ({
  client_id: 'web',
  redirect_uris: ['https://app.example.test/cb'],
  post_logout_redirect_uris: [],
  backchannel_logout_session_required: false,
  frontchannel_logout_session_required: false,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid profile email offline_access',
  id_token_signed_response_alg: 'RS256',
  require_consent: false,
  require_pkce: false,
  allowed_origins: [],
  source: 'config',
  ...over,
});

const REDIRECT = 'https://app.example.test/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'; // RFC 7636 Appendix B
const base = `client_id=web&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=openid&state=s1`;

const validate = (query: string, c: Client = client()): AuthorizationRequest => validateAuthorizationRequest(qs(query), c, REDIRECT);

const redirectable = (query: string, code: string, c: Client = client()): RedirectableError => {
  const err = throwsCode<RedirectableError>(() => validate(query, c), code);
  assert.ok(err instanceof RedirectableError, 'errors after the redirect URI is validated go back to the client (RFC 6749 §4.1.2.1)');
  assert.equal(err.target.redirectUri, REDIRECT);
  return err;
};

describe('authorization request validation (OIDC Core §3.1.2.1, §3.1.2.2)', () => {
  it('accepts a minimal valid request and keeps state, nonce and PKCE', () => {
    const r = validate(`${base}&nonce=n1&code_challenge=${CHALLENGE}&code_challenge_method=S256&prompt=login&max_age=0`);
    assert.equal(r.clientId, 'web');
    assert.equal(r.redirectUri, REDIRECT);
    assert.equal(r.responseMode, 'query');
    assert.deepEqual(r.scope, ['openid']);
    assert.equal(r.state, 's1');
    assert.equal(r.nonce, 'n1');
    assert.equal(r.codeChallenge, CHALLENGE);
    assert.deepEqual(r.prompt, ['login']);
    assert.equal(r.maxAge, 0);
  });

  it('returns errors to the client with its state and response_mode (RFC 6749 §4.1.2.1)', () => {
    const err = redirectable(`client_id=web&scope=openid&state=xyz&response_mode=form_post`, 'invalid_request');
    assert.equal(err.target.state, 'xyz');
    assert.equal(err.target.responseMode, 'form_post');
  });

  it('requires response_type (invalid_request) and supports only code (unsupported_response_type)', () => {
    redirectable('client_id=web&scope=openid', 'invalid_request');
    redirectable(base.replace('response_type=code', 'response_type=token'), 'unsupported_response_type');
    redirectable(base.replace('response_type=code', 'response_type=code%20id_token'), 'unsupported_response_type');
  });

  it('rejects a repeated parameter with invalid_request (RFC 6749 §3.1)', () => {
    redirectable(`${base}&response_type=code`, 'invalid_request');
    redirectable(`${base}&scope=openid`, 'invalid_request');
    redirectable(`${base}&nonce=a&nonce=b`, 'invalid_request');
  });

  it('requires the openid scope and only supported, allowed scopes (invalid_scope, OIDC Core §3.1.2.1)', () => {
    redirectable(base.replace('scope=openid', 'scope=profile'), 'invalid_scope');
    redirectable(base.replace('scope=openid', 'scope=openid%20admin'), 'invalid_scope');
    redirectable(base.replace('scope=openid', 'scope=openid%20email'), 'invalid_scope', client({ scope: 'openid profile' }));
    redirectable(base.replace('&scope=openid', ''), 'invalid_request');
  });

  it('collapses duplicate scope values and drops offline_access for clients without refresh tokens (OIDC Core §11)', () => {
    assert.deepEqual(validate(base.replace('scope=openid', 'scope=openid%20openid%20email')).scope, ['openid', 'email']);
    assert.deepEqual(validate(base.replace('scope=openid', 'scope=openid%20offline_access')).scope, ['openid', 'offline_access']);
    assert.deepEqual(
      validate(base.replace('scope=openid', 'scope=openid%20offline_access'), client({ grant_types: ['authorization_code'] })).scope,
      ['openid'],
    );
  });

  it('rejects prompt=none combined with any other value (OIDC Core §3.1.2.1)', () => {
    redirectable(`${base}&prompt=none%20login`, 'invalid_request');
    redirectable(`${base}&prompt=consent%20none`, 'invalid_request');
    assert.deepEqual(validate(`${base}&prompt=none`).prompt, ['none']);
  });

  it('rejects an unknown prompt value (OIDC Core §3.1.2.1)', () => {
    redirectable(`${base}&prompt=bogus`, 'invalid_request');
  });

  it('rejects a max_age that is not a non-negative integer (OIDC Core §3.1.2.1)', () => {
    for (const bad of ['-1', 'abc', '1.5', '1e3', ' 5']) redirectable(`${base}&max_age=${encodeURIComponent(bad)}`, 'invalid_request');
  });

  it('rejects code_challenge_method=plain and a missing method (only S256 is offered; RFC 7636 §4.2, §4.4.1)', () => {
    redirectable(`${base}&code_challenge=${CHALLENGE}&code_challenge_method=plain`, 'invalid_request');
    redirectable(`${base}&code_challenge=${CHALLENGE}`, 'invalid_request');
    redirectable(`${base}&code_challenge_method=S256`, 'invalid_request');
  });

  it('rejects a code_challenge that is not a base64url SHA-256 value (RFC 7636 §4.2)', () => {
    redirectable(`${base}&code_challenge=short&code_challenge_method=S256`, 'invalid_request');
    redirectable(`${base}&code_challenge=${CHALLENGE.slice(0, 42)}%2B&code_challenge_method=S256`, 'invalid_request');
  });

  it('requires PKCE of public clients and of clients with require_pkce (RFC 7636 §4.4.1, RFC 9700 §2.1.1)', () => {
    redirectable(base, 'invalid_request', client({ token_endpoint_auth_method: 'none' }));
    redirectable(base, 'invalid_request', client({ require_pkce: true }));
    assert.equal(validate(`${base}&code_challenge=${CHALLENGE}&code_challenge_method=S256`, client({ token_endpoint_auth_method: 'none' })).codeChallenge, CHALLENGE);
  });

  it('rejects request objects explicitly (OIDC Core §6, §3.1.2.6 request_not_supported / request_uri_not_supported)', () => {
    redirectable(`${base}&request=eyJhbGciOiJub25lIn0.e30.`, 'request_not_supported');
    redirectable(`${base}&request_uri=https%3A%2F%2Fx.example%2Fr`, 'request_uri_not_supported');
  });

  it('rejects an unknown response_mode (OAuth 2.0 Multiple Response Types §2.1)', () => {
    redirectable(`${base}&response_mode=fragment`, 'invalid_request');
  });
});

describe('client and redirect URI resolution (RFC 6749 §4.1.2.1, §10.15: never redirect to an unverified URI)', () => {
  const store = (clients: Client[]): ClientStore => ({
    upsertClient: async () => undefined,
    clientById: async (id) => clients.find((c) => c.client_id === id),
    clientsById: async (ids) => clients.filter((c) => ids.includes(c.client_id)),
    listClients: async () => clients,
    removeClient: async () => false,
    clientsVersion: () => undefined,
  });
  const s = store([client()]);

  it('resolves a known client with an exactly registered redirect URI', async () => {
    const r = await resolveClient(qs(`client_id=web&redirect_uri=${encodeURIComponent(REDIRECT)}`), s);
    assert.equal(r.client.client_id, 'web');
    assert.equal(r.redirectUri, REDIRECT);
  });

  const notRedirectable = async (query: string, code: string): Promise<void> => {
    const err = await rejectsCode(resolveClient(qs(query), s), code);
    assert.ok(!(err instanceof RedirectableError), 'must not be redirected');
  };

  it('reports an unknown or missing client without a redirect target', async () => {
    await notRedirectable(`client_id=nobody&redirect_uri=${encodeURIComponent(REDIRECT)}`, 'unknown_client');
    await notRedirectable(`redirect_uri=${encodeURIComponent(REDIRECT)}`, 'unknown_client');
  });

  it('reports a missing or unregistered redirect URI without a redirect target (simple string comparison, OIDC Core §3.1.2.1)', async () => {
    await notRedirectable('client_id=web', 'invalid_redirect');
    for (const lookalike of [
      'https://app.example.test/cb/extra', 'https://app.example.test/cb?x=1', 'https://app.example.test:8443/cb',
      'http://app.example.test/cb', 'https://APP.example.test/cb', 'https://app.example.test/cb/', 'https://app.example.test/cb#f',
      'https://app.example.test.evil.example/cb',
    ]) {
      await notRedirectable(`client_id=web&redirect_uri=${encodeURIComponent(lookalike)}`, 'invalid_redirect');
    }
  });

  it('reports a repeated client_id or redirect_uri without a redirect target (RFC 6749 §3.1)', async () => {
    await notRedirectable(`client_id=web&client_id=web&redirect_uri=${encodeURIComponent(REDIRECT)}`, 'invalid_redirect');
    await notRedirectable(`client_id=web&redirect_uri=${encodeURIComponent(REDIRECT)}&redirect_uri=${encodeURIComponent(REDIRECT)}`, 'invalid_redirect');
  });
});

describe('secrets (DESIGN.md: bearer secrets kept as SHA-256, compared in constant time)', () => {
  it('constantTimeEqual is true only for identical strings', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'ABC'), false);
    assert.equal(constantTimeEqual('é', 'e\u0301'), false);
  });

  it('constantTimeEqual compares strings of different lengths without throwing', () => {
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
    assert.equal(constantTimeEqual('', 'x'.repeat(10_000)), false);
  });

  it('sha256 is base64url SHA-256 (FIPS 180-4 test vector "abc")', () => {
    assert.equal(sha256('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('randomToken carries 256 bits by default, base64url, never repeating', () => {
    const a = randomToken();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, randomToken());
    assert.match(randomToken(16), /^[A-Za-z0-9_-]{22}$/);
  });

  it('randomToken from its pool hands out every byte once: across many refills of the pool no token repeats, sizes hold, and a request past the pool size still gets its bytes (issue 18 P1)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const bytes = [12, 16, 32][i % 3] as number;
      const t = randomToken(bytes);
      assert.equal(Buffer.from(t, 'base64url').length, bytes);
      seen.add(t);
    }
    assert.equal(seen.size, 20_000, 'no token twice, whatever the pool boundaries');
    const big = randomToken(5000);
    assert.equal(Buffer.from(big, 'base64url').length, 5000);
    assert.notEqual(big, randomToken(5000));
    // 32-byte tokens: the eight 4-byte words of one token never recur in the next (no overlap of slices).
    const words = (t: string) => Array.from({ length: 8 }, (_, k) => Buffer.from(t, 'base64url').readUInt32BE(k * 4));
    const [x, y] = [words(randomToken()), words(randomToken())];
    assert.equal(x.filter((w) => y.includes(w)).length, 0);
  });
});

describe('browser cookie (DESIGN.md "Domain model": opaque, ≥128 bits, only its hash stored)', () => {
  it('formats as <uuid>.<256-bit secret> and parses back', () => {
    const c = newBrowserCookie();
    const value = formatBrowserCookie(c);
    assert.match(value, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(parseBrowserCookie(value), c);
  });

  it('rejects malformed values (they count as no cookie)', () => {
    const good = formatBrowserCookie(newBrowserCookie());
    for (const bad of [undefined, '', 'garbage', `${good}x`, good.slice(0, -1), good.replace('.', ''), `${good};x`, `../${good}`]) {
      assert.equal(parseBrowserCookie(bad), undefined, String(bad));
    }
  });

  it('is named __Host-signoff on an https issuer at the root, __Secure-signoff under a path (issue 10 §6), signoff on http (RFC 6265bis §4.1.3)', () => {
    assert.equal(browserCookieName('https://id.example.test'), '__Host-signoff');
    assert.equal(browserCookieName('http://127.0.0.1:3000'), 'signoff');
    assert.equal(browserCookieName('https://example.test/id'), '__Secure-signoff');
  });
});

describe('session policy (DESIGN.md "Domain model": idle and absolute expiry, rare last-seen writes)', () => {
  const policy = { idleTimeout: 1800, absoluteLifetime: 36000, rememberMe: { idleTimeout: 604800, absoluteLifetime: 2592000 } };

  it('remember-me sessions use the rememberMe lifetimes', () => {
    const pick = ({ idleTimeout, absoluteLifetime }: { idleTimeout: number; absoluteLifetime: number }) => ({ idleTimeout, absoluteLifetime });
    assert.deepEqual(pick(lifetimesFor(policy, false)), { idleTimeout: 1800, absoluteLifetime: 36000 });
    assert.deepEqual(pick(lifetimesFor(policy, true)), { idleTimeout: 604800, absoluteLifetime: 2592000 });
  });

  it('last-seen is written at most once a minute and at most once per tenth of the idle timeout', () => {
    assert.equal(touchInterval(1800), 60);
    assert.equal(touchInterval(300), 30);
    assert.equal(touchInterval(4), 1);
  });

  it('a session is live only before both its idle and absolute expiry and while not ended', () => {
    const s = { idleExpiresAt: 100, absoluteExpiresAt: 200 } as Session;
    assert.equal(isLive(s, 99), true);
    assert.equal(isLive(s, 100), false);
    assert.equal(isLive({ ...s, idleExpiresAt: 300 }, 200), false);
    assert.equal(isLive({ ...s, endedAt: 50 }, 60), false);
  });
});

describe('error registry (RFC 6749 §5.2, RFC 6750 §3.1)', () => {
  it('maps codes to the spec error and status', () => {
    assert.deepEqual(ERRORS.invalid_client, { error: 'invalid_client', status: 401 });
    assert.deepEqual(ERRORS.invalid_grant, { error: 'invalid_grant', status: 400 });
    assert.deepEqual(ERRORS.invalid_token, { error: 'invalid_token', status: 401 });
    assert.deepEqual(ERRORS.token_required, { error: 'invalid_request', status: 401 });
    assert.equal(ERRORS.payload_too_large.status, 413);
    assert.equal(ERRORS.unsupported_media_type.status, 415);
  });
});
