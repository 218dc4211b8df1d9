/**
 * Shared steps of the session-core tests (session-chooser, session-policies, session-ending):
 * authorization requests for any test client, the token, introspection and userinfo endpoints,
 * extra clients with Signoff's per-client settings, and the `signoff` command run as a real
 * process against the running provider's SQLite file.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { type Hop, TestBrowser, isLoginPage, parseForm } from './browser.js';
import { CLIENTS, type TestProvider, defaultClients } from './provider.js';

/** A confidential test client (client_secret_basic) or the public `spa`. */
export interface TestClient {
  client_id: string;
  client_secret?: string | undefined;
  redirect_uri: string;
}

const secret = (id: string): string => `${id}-secret-`.padEnd(40, '0123456789');

/** Extra clients: one with a back-channel logout URI, and privileged ones with per-client limits. */
export const EXTRA = {
  bcl: { client_id: 'bcl', client_secret: secret('bcl'), redirect_uri: 'http://127.0.0.1:5005/cb' },
  privileged: { client_id: 'privileged', client_secret: secret('privileged'), redirect_uri: 'http://127.0.0.1:5006/cb' },
  idle: { client_id: 'idle', client_secret: secret('idle'), redirect_uri: 'http://127.0.0.1:5007/cb' },
  dflt: { client_id: 'dflt', client_secret: secret('dflt'), redirect_uri: 'http://127.0.0.1:5008/cb' },
  /** Registered with access_token_format "opaque" where a test needs it (issue 18). */
  opaque: { client_id: 'opaque', client_secret: secret('opaque'), redirect_uri: 'http://127.0.0.1:5009/cb' },
} as const;

export const WEB: TestClient = CLIENTS.web;

/** The S256 challenge of RFC 7636 Appendix B, for a public client's authorization request, and its verifier. */
export const PKCE_S256 = { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' } as const;
export const PKCE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/** Registration metadata of an extra client, with extra settings (backchannel_logout_uri, max_auth_age, ...). */
export const extraClient = (c: TestClient, settings: Record<string, unknown> = {}): Record<string, unknown> => ({
  client_id: c.client_id,
  client_secret: c.client_secret,
  client_name: `Client ${c.client_id}`,
  redirect_uris: [c.redirect_uri],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...settings,
});

/** The default clients plus `extra`: pass as the `clients` override of startProvider. */
export const clientsWith = (...extra: Record<string, unknown>[]): Record<string, unknown>[] => [...defaultClients(), ...extra];

export const CAROL = { username: 'carol', password: 'carol-battery-staple-horse', claims: { name: 'Carol' } } as const;

export const authorizeUrl = (base: string, client: TestClient, over: Record<string, string> = {}): string => {
  const url = new URL(`${base}/authorize`);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    response_type: 'code',
    scope: 'openid profile',
    state: randomBytes(8).toString('hex'),
    ...over,
  }).toString();
  return url.toString();
};

/** The parameters of the redirect back to the client; fails if the hop is anything else. */
export const callback = (hop: Hop, client: TestClient): URLSearchParams => {
  assert.ok(
    hop.location?.startsWith(`${client.redirect_uri}?`),
    `expected a redirect to ${client.client_id}, got ${hop.status} ${hop.location ?? hop.body.replace(/\s+/g, ' ').slice(0, 300)}`,
  );
  return new URL(hop.location ?? '').searchParams;
};

export const codeOf = (hop: Hop, client: TestClient): string => {
  const q = callback(hop, client);
  const code = q.get('code');
  assert.ok(code, `expected a code for ${client.client_id}, got error=${q.get('error')} (${q.get('error_description')})`);
  return code;
};

/** A prompt=none request: the code, or the error, with the state echoed. */
export const silent = async (
  browser: TestBrowser,
  base: string,
  client: TestClient,
  over: Record<string, string> = {},
): Promise<{ code: string | null; error: string | null; state: string | null; hop: Hop }> => {
  const url = authorizeUrl(base, client, { prompt: 'none', ...over });
  const hop = await browser.request(url);
  const q = callback(hop, client);
  assert.equal(q.get('state'), new URL(url).searchParams.get('state'), 'state is echoed');
  return { code: q.get('code'), error: q.get('error'), state: q.get('state'), hop };
};

/** Signs `user` in on a fresh browser through `client`; returns the browser and the code. */
export const signInFresh = async (
  base: string,
  client: TestClient,
  user: { username: string; password: string; remember?: boolean },
  over: Record<string, string> = {},
): Promise<{ browser: TestBrowser; code: string }> => {
  const browser = new TestBrowser(base);
  const hop = await browser.signIn(authorizeUrl(base, client, over), user);
  return { browser, code: codeOf(hop, client) };
};

/** Fills in the sign-in page a hop stopped on and follows the result. */
export const submitLogin = async (browser: TestBrowser, hop: Hop, user: { username: string; password: string }): Promise<Hop> => {
  assert.ok(isLoginPage(hop.body), `expected the sign-in page, got ${hop.status} ${hop.location ?? hop.body.replace(/\s+/g, ' ').slice(0, 300)}`);
  const form = parseForm(hop.body);
  return browser.navigate(new URL(form.action, hop.url).toString(), { form: { ...form.fields, username: user.username, password: user.password } });
};

const basic = (c: TestClient): string => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret ?? ''}`).toString('base64')}`;

/** A form POST authenticated as `client` (client_secret_basic); the status and the JSON body. */
export const post = async (url: string, form: Record<string, string>, client: TestClient): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

export interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  scope: string;
}

export const exchange = async (issuer: string, client: TestClient, code: string): Promise<Tokens> => {
  const r = await post(`${issuer}/token`, { grant_type: 'authorization_code', code, redirect_uri: client.redirect_uri }, client);
  assert.equal(r.status, 200, `code exchange for ${client.client_id}: ${JSON.stringify(r.body)}`);
  return r.body as unknown as Tokens;
};

export const refresh = (issuer: string, client: TestClient, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> =>
  post(`${issuer}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken }, client);

export const introspect = async (issuer: string, client: TestClient, token: string): Promise<Record<string, unknown>> => {
  const r = await post(`${issuer}/introspect`, { token }, client);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

export const userinfo = async (issuer: string, accessToken: string): Promise<{ status: number; wwwAuthenticate: string | null }> => {
  const res = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.arrayBuffer();
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate') };
};

export const idClaims = (tokens: Tokens): { sub: string; sid: string; auth_time: number } => {
  const c = decodeJwt(tokens.id_token);
  return { sub: c.sub as string, sid: c.sid as string, auth_time: c.auth_time as number };
};

export const accountIdOf = async (op: TestProvider, username: string): Promise<string> => {
  const account = await op.provider.store.accountByUsername(username);
  assert.ok(account, `no account ${username}`);
  return account.id;
};

/** Every session in the store, ended ones included. */
export const allSessions = (op: TestProvider) => op.provider.store.listSessions({ includeEnded: true, limit: 100_000 });

/** The browser id of a browser's cookie (`<id>.<secret>`). */
export const browserIdOf = (browser: TestBrowser): string => (browser.cookies.get('signoff') ?? '').split('.')[0] ?? '';

// ---------------------------------------------------------------------------------------------
// The `signoff` command, as a real process on the running provider's store.

/**
 * Writes a configuration file for the CLI naming the provider's SQLite file and the same
 * clients (the CLI brings the store's config clients in line with its file). No users: the
 * provider seeded them already, and the CLI must not reset a password it just changed.
 */
export const cliConfigFor = (op: TestProvider, clients: Record<string, unknown>[]): string => {
  const file = join(op.dir, 'cli.config.json');
  writeFileSync(file, JSON.stringify({ issuer: op.issuer, store: { sqlite: join(op.dir, 'signoff.sqlite') }, logging: { level: 'silent' }, clients, users: [] }));
  return file;
};

/** The `signoff` command as a real process (test/helpers/signoff-process.ts). */
export { runSignoff as runCli } from './signoff-process.js';
