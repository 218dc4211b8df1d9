/**
 * Issue 10 §1: a property-based fuzz test (fast-check) throwing generated parameter sets at
 * every endpoint the app registers — hostile names (Object.prototype names, unicode, very long,
 * duplicated, empty) and hostile values (foreign URLs, javascript:, markup, quotes, huge values,
 * CRLF, percent garbage), mixed with a real client's credentials, valid client_id/redirect_uri
 * and a live SSO session so that the deeper code paths are reached. Every answer must hold the
 * contracts of DESIGN.md ("Errors: never a 500 for bad input; never a redirect to an
 * unregistered URI"): no 5xx; no redirect (Location, form_post form, continue link, iframe)
 * outside the provider's own paths and the registered URIs; no generated markup unescaped in a
 * text/html body; no stack trace in any body; Object.prototype untouched.
 *
 * Bounded in time (SIGNOFF_FUZZ_MS, default 25 s) with a fixed seed (SIGNOFF_FUZZ_SEED to
 * explore others); a failure prints the seed, the replay path and the request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { type Primed, WEB_BASIC, baseFor, fillPath, prime } from './helpers/primed.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { type Route, hasBody, routesOf } from './helpers/routes.js';

const TIME_LIMIT_MS = Number(process.env.SIGNOFF_FUZZ_MS ?? 25_000);
const SEED = Number(process.env.SIGNOFF_FUZZ_SEED ?? 100_010);
/** Runs between two refreshes of the live state (fuzzed requests end sessions, consume codes). */
const REPRIME_EVERY = 400;

let t: TestProvider;
let routes: Route[];
let primed: Primed;
/** origin + path of every URI registered for a client: where the provider may send a browser. */
let registered: Set<string>;

before(async () => {
  t = await startProvider({ development: true });
  routes = routesOf(t.app);
  primed = await prime(t.issuer);
  const clients = await t.provider.store.listClients();
  registered = new Set(
    clients.flatMap((c) => [...c.redirect_uris, ...c.post_logout_redirect_uris, ...(c.frontchannel_logout_uri ? [c.frontchannel_logout_uri] : [])]).map(originPath),
  );
});
after(() => t?.close());

function originPath(uri: string): string {
  const u = new URL(uri);
  return u.origin + u.pathname;
}

// ---------------------------------------------------------------------------------------------
// Generators

/** The parameter names the provider reads somewhere, so generated sets meet real code. */
const KNOWN_NAMES = [
  'client_id', 'client_secret', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'prompt',
  'max_age', 'login_hint', 'ui_locales', 'code_challenge', 'code_challenge_method', 'request', 'request_uri',
  'id_token_hint', 'logout_hint', 'post_logout_redirect_uri', 'grant_type', 'code', 'code_verifier', 'refresh_token',
  'token', 'token_type_hint', 'access_token', 'csrf_token', 'username', 'password', 'remember', 'decision', 'account',
  'logout_scope', 'stay',
];
const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];

const hostileName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_NAMES) },
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES, '__proto__[x]', 'constructor[prototype][x]', '__proto__.x') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 5000 }).map((n) => 'n'.repeat(n)) },
);

/** A marker that must never appear raw in HTML: the run's number makes each one distinct. */
const MARKER = '<x-fuzz-';
const markupValue = fc.nat(99_999).chain((n) =>
  fc.constantFrom(
    `${MARKER}${n}>`,
    `"><${MARKER.slice(1)}${n}>`,
    `'><${MARKER.slice(1)}${n}>`,
    `javascript:${MARKER}${n}>`,
    `${CLIENTS.web.redirect_uri}?q=${MARKER}${n}>`,
    `</script>${MARKER}${n}>`,
    `--><${MARKER.slice(1)}${n}>`,
  ),
);

const FOREIGN_URLS = [
  'https://evil.example/cb', '//evil.example/cb', 'javascript:alert(1)', 'data:text/html,hi', 'http://127.0.0.1:5001/callback/../evil',
  'http://127.0.0.1:5001/callback?x=1', 'http://127.0.0.1:5001/callback#x', 'http://127.0.0.1:5001@evil.example/callback',
  'HTTP://127.0.0.1:5001/callback', 'http://127.0.0.1:5001/callback ', 'http://127.0.0.1:5001/Callback', 'http://localhost:5001/callback',
  'http://127.0.0.1:5001/', 'http://127.0.0.1:5001', '/callback', 'http:/\\evil.example', '\\\\evil.example', 'https://evil.example%2F@127.0.0.1:5001/callback',
];

const valueFor = (p: () => Primed) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        ...Object.values(CLIENTS).map((c) => c.client_id), ...Object.values(CLIENTS).map((c) => c.redirect_uri), 'http://127.0.0.1:5001/',
        CLIENTS.web.client_secret, CLIENTS.post.client_secret, 'code', 'openid', 'openid profile email offline_access', 'none', 'login', 'consent',
        'select_account', 'form_post', 'query', 'S256', 'plain', 'A'.repeat(43), 'authorization_code', 'refresh_token', 'client_credentials',
        'allow', 'deny', 'session', 'browser', 'everywhere', '1', '0', USERS.alice.username, USERS.alice.password, 'access_token',
        'refresh_token',
      ),
    },
    // Live values: tokens, the pending forms' CSRF tokens; read when the run is built.
    { weight: 3, arbitrary: fc.constantFrom('access', 'refresh', 'id', 'code', 'csrf-i', 'csrf-l').map((k) => liveValue(p(), k)) },
    { weight: 3, arbitrary: fc.constantFrom(...FOREIGN_URLS) },
    { weight: 3, arbitrary: markupValue },
    { weight: 1, arbitrary: fc.constantFrom('"', "'", '`', '"\'`', '\\', '\\"', '{"a":1}', '[]', 'null', '0x1', '-1', '1e309', '99999999999') },
    { weight: 1, arbitrary: fc.constantFrom('a\r\nSet-Cookie: x=1', '\r\n\r\n<b>', 'a\nb', '\u0000', '\u2028', '\uFEFF') },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%0d%0aX: y', '%%%', '+', '%2B') },
    { weight: 1, arbitrary: fc.integer({ min: 4000, max: 20_000 }).map((n) => 'v'.repeat(n)) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constant('') },
  );

const liveValue = (p: Primed, k: string): string =>
  ({ access: p.accessToken, refresh: p.refreshToken, id: p.idToken, code: p.code, 'csrf-i': p.interaction.csrfToken, 'csrf-l': p.logout.csrfToken })[k] ?? '';

/** Written into the query or body as is: broken escapes, separators, encoded prototype names. */
const WIRE_GARBAGE = ['%', '%zz=1', 'a=%E0%A4%A', '__pro%74o__=1', '%5F%5Fproto%5F%5F=1', '&&&', '=', '==a', 'a=b=c', ';', '+=+', '%00=%00', 'constructor%5Bprototype%5D=1'];

const AUTHS = ['base', 'none', 'web-basic', 'wrong-basic', 'garbage-basic', 'post-form', 'bearer', 'bearer-garbage'] as const;
const COOKIES = ['base', 'none', 'session', 'stale'] as const;

/** Bodies that are not plain forms: all refused (415) or parsed as forms, never a 5xx. */
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', '',
  'application/x-www-form-urlencoded, application/json', '*/*', 'application/x-www-form-urlencoded;;;',
];

/** Path parameters beyond the primed ones: unknown, malformed, encoded, too long. */
const pathId = fc.oneof(
  fc.constantFrom('primed', 'no-such-id', '..', '%2e%2e', '%2F', '%00', '%zz', '__proto__', 'constructor', 'a'.repeat(101), '<x-fuzz-1>'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
);

/**
 * One change to a base parameter: its value replaced (by a URL-like value when the parameter is a
 * URI, so that redirect checks are tried), the parameter dropped, or repeated.
 */
const mutation = (p: () => Primed) =>
  fc.record({
    op: fc.constantFrom('replace', 'replace', 'replace', 'drop', 'repeat'),
    index: fc.nat(),
    value: valueFor(p),
    uri: fc.oneof(fc.constantFrom(...FOREIGN_URLS), markupValue, valueFor(p)),
  });

/** Routes with a primed base or an id in their path lead somewhere deep: they are tried more often. */
const deep = (r: Route): boolean => r.url.includes(':') || (primed !== undefined && baseFor(r.url, primed).params.length > 0);

const scenario = (p: () => Primed) =>
  fc.record({
    route: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...routes.filter(deep)) },
      { weight: 8, arbitrary: fc.constantFrom(...routes) },
      // Methods the route does not have: a 404 (or 405), like any unknown endpoint.
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...routes), fc.constantFrom('PUT', 'DELETE', 'PATCH', 'POST', 'GET')).map(([r, method]) => ({ ...r, method }) as Route) },
    ),
    pathId,
    contentType: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
    base: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    mutations: fc.array(mutation(p), { maxLength: 3 }),
    /** Generated names replace the base's values of the same names (rather than repeat them). */
    override: fc.boolean(),
    pairs: fc.array(fc.tuple(hostileName, valueFor(p)), { maxLength: 6 }),
    garbage: fc.array(fc.constantFrom(...WIRE_GARBAGE), { maxLength: 2 }),
    /** For methods with a body: where the parameters go. */
    placement: fc.constantFrom('form', 'form', 'form', 'form', 'form', 'query', 'split', 'json'),
    auth: fc.constantFrom(...AUTHS),
    cookies: fc.constantFrom(...COOKIES),
    cookiePairs: fc.array(fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES, 'signoff-state', 'a', ''), fc.constantFrom('1', '', '=', '"x"', '%zz')), { maxLength: 2 }),
  });
type S = ReturnType<typeof scenario> extends fc.Arbitrary<infer X> ? X : never;

// ---------------------------------------------------------------------------------------------
// From a scenario to a request

const enc = (pairs: readonly (readonly [string, string])[]): string =>
  pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

const toRequest = (s: S, p: Primed): InjectOptions => {
  const base = baseFor(s.route.url, p);
  const names = new Set(s.pairs.map(([k]) => k));
  const baseParams = s.base ? base.params.filter(([k]) => !(s.override && names.has(k))) : [];
  for (const m of s.mutations) {
    if (baseParams.length === 0) break;
    const i = m.index % baseParams.length;
    const [name] = baseParams[i] as [string, string];
    if (m.op === 'drop') baseParams.splice(i, 1);
    else if (m.op === 'repeat') baseParams.push([name, m.value]);
    else baseParams[i] = [name, /uri$/.test(name) ? m.uri : m.value];
  }
  const params: [string, string][] = [...baseParams, ...s.pairs];
  const headers: Record<string, string> = {};
  if (s.auth === 'base' && s.base && base.headers.authorization) headers.authorization = base.headers.authorization;
  if (s.auth === 'web-basic') headers.authorization = WEB_BASIC;
  if (s.auth === 'wrong-basic') headers.authorization = `Basic ${Buffer.from(`${CLIENTS.web.client_id}:wrong`).toString('base64')}`;
  if (s.auth === 'garbage-basic') headers.authorization = 'Basic %%%:::';
  if (s.auth === 'bearer') headers.authorization = `Bearer ${p.accessToken}`;
  if (s.auth === 'bearer-garbage') headers.authorization = 'Bearer <x-fuzz-0>"';
  if (s.auth === 'post-form') params.push(['client_id', CLIENTS.post.client_id], ['client_secret', CLIENTS.post.client_secret]);
  const cookies = s.cookiePairs.map(([k, v]) => `${k}=${v}`);
  if (s.cookies === 'base') cookies.push(...base.cookies);
  if (s.cookies === 'session') cookies.push(...p.sessionCookies);
  if (s.cookies === 'stale') cookies.push(...p.sessionCookies.map((c) => c.replace(/=.*/, '=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')));
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  const wire = [enc(params), ...s.garbage].filter(Boolean).join('&');
  const path =
    s.pathId === 'primed'
      ? fillPath(s.route.url, s.base || s.cookies === 'base' ? p : undefined)
      : s.route.url.replace(/:[A-Za-z_]+/g, s.pathId);
  if (!hasBody(s.route.method)) return { method: s.route.method, url: `${path}${wire ? `?${wire}` : ''}`, headers };
  if (s.placement === 'json') {
    headers['content-type'] = 'application/json';
    return { method: s.route.method, url: path, headers, payload: JSON.stringify(Object.fromEntries(params)) };
  }
  headers['content-type'] = s.contentType ?? 'application/x-www-form-urlencoded';
  if (s.contentType === '') delete headers['content-type'];
  if (s.placement === 'query') return { method: s.route.method, url: `${path}?${wire}`, headers, payload: '' };
  if (s.placement === 'split') {
    const half = Math.floor(params.length / 2);
    return { method: s.route.method, url: `${path}?${enc(params.slice(0, half))}`, headers, payload: [enc(params.slice(half)), ...s.garbage].join('&') };
  }
  return { method: s.route.method, url: path, headers, payload: wire };
};

// ---------------------------------------------------------------------------------------------
// The contracts every answer holds

const STACK_TRACES = [
  /\bat\s+[^\n]*\.(?:js|ts|mjs|cjs):\d+/, /node_modules/, /node:internal/, /\.(?:js|ts):\d+:\d+/, /\bat (?:async )?[\w.<>]+ \(/,
  /(?:Type|Reference|Range|Syntax)Error:/,
];

/** The paths of the provider a browser may be sent to: its routes, with any id in their parameters. */
const ownPath = (path: string): boolean =>
  routes.some((r) => new RegExp(`^${r.url.replace(/[.]/g, '\\.').replace(/:[A-Za-z_]+/g, '[A-Za-z0-9_-]+')}$`).test(path));

const unescapeHtml = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** A URI the provider sends a browser to: its own paths, or a URI registered for a client. */
const assertAllowedTarget = (raw: string, what: string): void => {
  let url: URL;
  try {
    url = new URL(raw, t.issuer);
  } catch {
    assert.fail(`${what} is not a URL: ${raw}`);
  }
  if (url.origin === new URL(t.issuer).origin) {
    assert.ok(ownPath(url.pathname), `${what} goes to ${raw}, not one of the provider's paths`);
  } else {
    assert.ok(registered.has(url.origin + url.pathname), `${what} goes to ${raw}, which is not registered for any client`);
  }
};

/** RFC 6749 §4.1.2.1, §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION_CHARS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

/** The error_description of a JSON error body, of an error redirect, or of a WWW-Authenticate challenge. */
const descriptionsOf = (res: { headers: Record<string, unknown>; body: string }): string[] => {
  const out: string[] = [];
  if (/json/.test(String(res.headers['content-type'] ?? ''))) {
    try {
      const body = JSON.parse(res.body) as { error_description?: unknown };
      if (typeof body.error_description === 'string') out.push(body.error_description);
    } catch {
      // Not JSON after all: nothing to check here.
    }
  }
  if (res.headers.location !== undefined) {
    const d = new URL(String(res.headers.location), t.issuer).searchParams.get('error_description');
    if (d !== null) out.push(d);
  }
  return out;
};

const check = (req: InjectOptions, res: { statusCode: number; headers: Record<string, unknown>; body: string }): void => {
  const what = `${req.method} ${String(req.url).slice(0, 300)}`;
  assert.ok(res.statusCode < 500, `${what} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  for (const d of descriptionsOf(res)) assert.match(d, DESCRIPTION_CHARS, `${what}: error_description outside RFC 6749's character set: ${JSON.stringify(d)}`);
  for (const re of STACK_TRACES) assert.doesNotMatch(res.body, re, `${what}: a stack trace in the body: ${res.body.slice(0, 500)}`);
  const location = res.headers.location;
  if (location !== undefined) assertAllowedTarget(String(location), `${what}: Location`);
  if (/^text\/html/.test(String(res.headers['content-type'] ?? ''))) {
    assert.ok(!res.body.includes(MARKER), `${what}: generated markup unescaped in HTML: ${res.body.slice(Math.max(0, res.body.indexOf(MARKER) - 200), res.body.indexOf(MARKER) + 100)}`);
    // form_post forms, the logged-out page's continue link and front-channel frames.
    for (const m of res.body.matchAll(/\s(?:action|href|src|data-next)="([^"]*)"/g)) {
      const target = unescapeHtml(m[1] as string);
      if (target !== '') assertAllowedTarget(target, `${what}: an HTML link or form`);
    }
  }
  assert.equal(Object.getOwnPropertyNames(Object.prototype).length, PROTOTYPE_NAMES.length, 'Object.prototype gained a property');
  assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype was polluted');
};

describe('issue 10 §1: generated parameter sets at every endpoint (fast-check)', () => {
  it('no 5xx, no redirect to an unregistered URI, no unescaped input in HTML, no stack trace', { timeout: TIME_LIMIT_MS + 60_000 }, async () => {
    let runs = 0;
    const statuses = new Map<number, number>();
    const property = fc.asyncProperty(scenario(() => primed), async (s) => {
      if (++runs % REPRIME_EVERY === 0) primed = await prime(t.issuer);
      const req = toRequest(s, primed);
      const res = await t.app.inject(req);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      try {
        check(req, { statusCode: res.statusCode, headers: res.headers, body: res.body });
      } catch (err) {
        // The whole request, so that a failure can be replayed by hand too.
        (err as Error).message += `\nrequest: ${JSON.stringify({ ...req, payload: String(req.payload ?? '').slice(0, 2000) })}`;
        throw err;
      }
    });
    const details = await fc.check(property, { seed: SEED, numRuns: 1_000_000, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] });
    if (details.failed) throw new Error(`seed ${SEED} (SIGNOFF_FUZZ_SEED=${SEED} to replay)\n${fc.defaultReportMessage(details) ?? ''}\n${(details.errorInstance as Error | undefined)?.message ?? ''}`);
    // A bounded run that ran almost nothing would prove nothing.
    assert.ok(details.numRuns >= 100, `only ${details.numRuns} runs in ${TIME_LIMIT_MS} ms`);
    console.log(`fuzz: seed ${SEED}, ${details.numRuns} runs in ${TIME_LIMIT_MS} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  });
});
