/**
 * Answers that must be the same whatever exists (issue 10 §6 "Exposure"): a caller must not
 * learn from an error which client ids are registered, nor from /revoke whether a token it holds
 * is live for another client, nor from the check_session page which clients and origins exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { parseClientMetadata } from '../src/clients/metadata.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { TestBrowser, basicAuth, codeFlow, discover, postForm } from './helpers/rp.js';

let op: TestProvider;
before(async () => {
  op = await startProvider();
});
after(() => op.close());

/** Status, body and every header but the ones that differ per response by nature. */
const observable = async (res: Response): Promise<{ status: number; body: string; headers: Record<string, string> }> => {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name !== 'x-request-id' && name !== 'date') headers[name] = value;
  });
  return { status: res.status, body: await res.text(), headers };
};

/** The responses to each request, which must all be identical. */
const assertSameAnswers = async (label: string, requests: [string, () => Promise<Response>][]): Promise<void> => {
  const answers = [];
  for (const [name, send] of requests) answers.push([name, await observable(await send())] as const);
  const [[firstName, first]] = answers as [[string, Awaited<ReturnType<typeof observable>>]];
  for (const [name, answer] of answers.slice(1)) assert.deepEqual(answer, first, `${label}: "${name}" is answered unlike "${firstName}"`);
};

describe('invalid_client is the same for an unknown client id and a known one (issue 10 §6; RFC 6749 §5.2)', () => {
  for (const endpoint of ['/token', '/revoke', '/introspect']) {
    const form: Record<string, string> = endpoint === '/token' ? { grant_type: 'authorization_code', code: 'x', redirect_uri: CLIENTS.web.redirect_uri } : { token: 'x' };
    const url = () => `${op.issuer}${endpoint}`;

    it(`${endpoint}, HTTP Basic: unknown id, known id with a wrong secret, known id registered for another method`, () =>
      assertSameAnswers(endpoint, [
        ['unknown client', () => postForm(url(), form, { authorization: basicAuth('no-such-client', 'some-secret') })],
        ['wrong secret', () => postForm(url(), form, { authorization: basicAuth(CLIENTS.web.client_id, 'some-secret') })],
        ['registered for client_secret_post', () => postForm(url(), form, { authorization: basicAuth(CLIENTS.post.client_id, CLIENTS.post.client_secret) })],
        ['public client', () => postForm(url(), form, { authorization: basicAuth(CLIENTS.spa.client_id, 'some-secret') })],
      ]));

    it(`${endpoint}, secret in the body: unknown id, known id with a wrong secret, known id registered for another method`, () =>
      assertSameAnswers(endpoint, [
        ['unknown client', () => postForm(url(), { ...form, client_id: 'no-such-client', client_secret: 'some-secret' })],
        ['wrong secret', () => postForm(url(), { ...form, client_id: CLIENTS.post.client_id, client_secret: 'some-secret' })],
        ['registered for client_secret_basic', () => postForm(url(), { ...form, client_id: CLIENTS.web.client_id, client_secret: CLIENTS.web.client_secret })],
        ['public client', () => postForm(url(), { ...form, client_id: CLIENTS.spa.client_id, client_secret: 'some-secret' })],
      ]));

    const publicAnswer: [string, () => Promise<Response>][] =
      endpoint === '/introspect' ? [['public client (introspection needs authentication)', () => postForm(url(), { ...form, client_id: CLIENTS.spa.client_id })]] : [];
    it(`${endpoint}, client_id alone: unknown id, confidential client without its secret`, () =>
      assertSameAnswers(endpoint, [
        ['unknown client', () => postForm(url(), { ...form, client_id: 'no-such-client' })],
        ['registered for client_secret_basic', () => postForm(url(), { ...form, client_id: CLIENTS.web.client_id })],
        ['registered for client_secret_post', () => postForm(url(), { ...form, client_id: CLIENTS.post.client_id })],
        ...publicAnswer,
      ]));
  }

  it('the answer is a 401 invalid_client that names no method', async () => {
    const res = await postForm(`${op.issuer}/token`, { grant_type: 'authorization_code', code: 'x' }, { authorization: basicAuth(CLIENTS.post.client_id, CLIENTS.post.client_secret) });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'invalid_client');
    assert.doesNotMatch(body.error_description, /client_secret|basic|post|none|registered/i);
  });
});

describe("/revoke answers another client's live token exactly like an invalid one and leaves it alone (issue 10 §6; RFC 7009 §2.1, §2.2)", () => {
  let web: oidc.Configuration;
  let tokens: Awaited<ReturnType<typeof codeFlow>>['tokens'];
  before(async () => {
    web = await discover(op.issuer, 'web');
    ({ tokens } = await codeFlow(web, 'web', new TestBrowser(op.issuer), { user: USERS.alice }));
  });
  const asPost = (token: string, hint?: string) => () =>
    postForm(`${op.issuer}/revoke`, {
      token,
      ...(hint ? { token_type_hint: hint } : {}),
      client_id: CLIENTS.post.client_id,
      client_secret: CLIENTS.post.client_secret,
    });

  it('the refresh token and access token of web, revoked by post, are answered like garbage', () =>
    assertSameAnswers('/revoke', [
      ['a garbage token', asPost('this-token-was-never-issued')],
      ["web's refresh token", asPost(tokens.refresh_token as string)],
      ["web's access token", asPost(tokens.access_token)],
      ["web's refresh token, hinted", asPost(tokens.refresh_token as string, 'refresh_token')],
      ["web's access token, hinted", asPost(tokens.access_token, 'access_token')],
      ['a garbage token, hinted', asPost('this-token-was-never-issued', 'access_token')],
    ]));

  it('the answer is 200 with an empty body (§2.2), and both tokens still work for web', async () => {
    const res = await asPost(tokens.refresh_token as string)();
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.equal((await oidc.tokenIntrospection(web, tokens.access_token)).active, true, 'the access token is live');
    assert.equal((await oidc.tokenIntrospection(web, tokens.refresh_token as string)).active, true, 'the refresh token is live');
    const userinfo = await oidc.fetchUserInfo(web, tokens.access_token, oidc.skipSubjectCheck);
    assert.equal(typeof userinfo.sub, 'string', 'the access token opens userinfo');
    const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token as string);
    assert.ok(refreshed.access_token, 'the refresh token still refreshes');
  });
});

describe('the check_session page is the same whatever clients exist; the iframe asks about one (client_id, origin) pair at a time (issue 10 §6; Session Management 1.0 §3.2)', () => {
  /** The page as any caller sees it, its per-response CSP nonce blanked. */
  const page = async (referer?: string) => {
    const res = await fetch(`${op.issuer}/check-session`, { headers: referer ? { referer } : {} });
    const seen = await observable(res);
    const nonce = /'nonce-([^']+)'/.exec(seen.headers['content-security-policy'] ?? '')?.[1] ?? '';
    assert.ok(nonce, 'a script nonce');
    const blank = (s: string) => s.split(nonce).join('NONCE');
    return { ...seen, body: blank(seen.body), headers: Object.fromEntries(Object.entries(seen.headers).map(([k, v]) => [k, blank(v)])) };
  };
  const secretClient = { client_id: 'very-secret-partner', redirect_uris: ['https://partner.example.net/cb'], allowed_origins: ['https://spa.partner.example.net'] };

  it('names no client id and no origin, and is byte-for-byte the same before and after a client is added', async () => {
    const callers = [undefined, 'https://partner.example.net/', 'http://127.0.0.1:5999/x'];
    const before = await Promise.all(callers.map((r) => page(r)));
    for (const p of before) {
      assert.doesNotMatch(p.body, /\b(web|spa|consent)\b|&quot;post&quot;|127\.0\.0\.1:500/, 'the page names a client or its origin');
      assert.ok(!JSON.stringify(p.headers).includes('127.0.0.1:500'), 'no header names a client origin');
    }
    const { metadata } = parseClientMetadata(secretClient, 'test');
    await op.provider.store.upsertClient({ ...metadata, source: 'cli' });
    try {
      const after = await Promise.all(callers.map((r) => page(r)));
      // The one caller who names the new client's origin may now frame it; nobody else sees a difference.
      assert.deepEqual(after[0], before[0], 'no Referer');
      assert.deepEqual(after[2], before[2], 'an unregistered origin');
      assert.equal(after[1]?.body, before[1]?.body, 'the registered origin gets the same page body');
    } finally {
      await op.provider.store.removeClient(secretClient.client_id);
    }
  });

  it('GET /check-session/origin answers only the pair asked: an unknown client and a known client of another origin are answered alike', async () => {
    const ask = (clientId: string, origin: string) => fetch(`${op.issuer}/check-session/origin?${new URLSearchParams({ client_id: clientId, origin })}`);
    const yes = await ask(CLIENTS.web.client_id, 'http://127.0.0.1:5001');
    assert.equal(yes.status, 200);
    assert.deepEqual(await yes.json(), { registered: true });
    assert.equal(yes.headers.get('access-control-allow-origin'), null, 'not readable cross-origin');
    await assertSameAnswers('/check-session/origin', [
      ['unknown client', () => ask('no-such-client', 'http://127.0.0.1:5001')],
      ["another client's origin", () => ask(CLIENTS.web.client_id, 'http://127.0.0.1:5002')],
      ['an origin nobody registered', () => ask(CLIENTS.web.client_id, 'https://evil.example')],
    ]);
  });
});
