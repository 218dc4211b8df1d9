/**
 * What the provider exposes beyond its protocol answers (issue 10 §6 "Exposure"): secrets in its
 * log, the scope of its cookies and HSTS on https issuers, connections held by slow senders, and
 * the start-up work that keeps sign-in timing uniform.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { preparedDummyHash } from '../src/accounts/passwords.js';
import { parseConfig } from '../src/config/schema.js';
import { buildApp } from '../src/http/app.js';
import { redactText, redactUrl } from '../src/http/log-redaction.js';
import { type Provider, openProvider } from '../src/provider.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, TEST_KEK_ENV, type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { authorizeUrl, codeOf, exchange, silent } from './helpers/session-flows.js';

// First in this file: nothing has opened a provider yet in this process.
describe('the dummy password hash is made at start-up (issue 10 §6: the first unknown username costs no extra hash)', () => {
  it('does not exist before openProvider and exists once it returns', async () => {
    assert.equal(preparedDummyHash(), undefined, 'no provider has opened in this test process yet');
    const dir = mkdtempSync(join(tmpdir(), 'signoff-dummy-'));
    const provider = await openProvider(parseConfig({ issuer: 'http://127.0.0.1:4000', store: { sqlite: join(dir, 's.sqlite') } }), { env: TEST_KEK_ENV });
    try {
      assert.match(preparedDummyHash() ?? '', /^\$argon2id\$/);
    } finally {
      await provider.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('request logs carry no token, hint, code or state (issue 10 §6, §9)', () => {
  const SECRETS = {
    idTokenHint: 'eyJhbGciOiJSUzI1NiJ9.eyJuYW1lIjoiQWxpY2UiLCJlbWFpbCI6ImFsaWNlQGV4YW1wbGUudGVzdCJ9.c2lnbmF0dXJlLXNlY3JldA',
    loginHint: 'alice.secret@example.test',
    state: 'state-secret-7f3a9c',
    code: 'code-secret-91b2d4',
    token: 'token-secret-55e0aa',
    nonce: 'nonce-secret-0c6b12',
    encodedName: 'hint-under-an-encoded-name-4d21',
  } as const;
  let dir: string;
  let provider: Provider;
  const lines: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signoff-log-'));
    provider = await openProvider(
      parseConfig({
        issuer: 'http://127.0.0.1:4000',
        store: { sqlite: join(dir, 's.sqlite') },
        logging: { level: 'debug' },
        clients: defaultClients(),
        users: Object.values(USERS),
      }),
      { env: TEST_KEK_ENV },
    );
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const app = buildApp(provider, { logStream: stream });
    const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
    const web = { client_id: CLIENTS.web.client_id, redirect_uri: CLIENTS.web.redirect_uri };
    // The authorization endpoint with every hint, a code request's state and nonce.
    await app.inject(`/authorize?${q({ ...web, response_type: 'code', scope: 'openid', state: SECRETS.state, nonce: SECRETS.nonce, login_hint: SECRETS.loginHint, id_token_hint: SECRETS.idTokenHint, prompt: 'none' })}`);
    // RP-initiated logout with the ID token as its hint; a name sent percent-encoded.
    await app.inject(`/logout?${q({ id_token_hint: SECRETS.idTokenHint, state: SECRETS.state })}`);
    await app.inject(`/authorize?id%5Ftoken%5Fhint=${SECRETS.encodedName}&client_id=web`);
    // Tokens in a query string where they do not belong, a 404 (Fastify names the URL there) and an error answer.
    await app.inject(`/userinfo?access_token=${SECRETS.token}`);
    await app.inject(`/no-such-endpoint?code=${SECRETS.code}&refresh_token=${SECRETS.token}`);
    await app.inject({ method: 'POST', url: `/token?code=${SECRETS.code}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=authorization_code&code=${SECRETS.code}` });
    await app.close();
  });
  after(async () => {
    await provider?.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the log was written, with each request and its path', () => {
    const log = lines.join('');
    for (const path of ['/authorize', '/logout', '/userinfo', '/no-such-endpoint', '/token']) assert.ok(log.includes(`"url":"${path}`), `${path} is logged`);
    assert.ok(log.includes('client_id=web'), 'harmless parameters stay readable');
    assert.ok(log.includes('id_token_hint=[redacted]'), 'the redacted parameter is named');
  });

  it('no secret value appears anywhere in the log', () => {
    const log = lines.join('');
    for (const [what, secret] of Object.entries(SECRETS)) assert.ok(!log.includes(secret), `${what} leaked into the log:\n${log}`);
    // Parts of the hint's payload would show the user's name and email.
    assert.ok(!log.includes(SECRETS.idTokenHint.split('.')[1] as string));
  });

  it('redactUrl keeps the path and the names, and redacts every value not known to be harmless', () => {
    assert.equal(redactUrl('/authorize'), '/authorize');
    assert.equal(redactUrl('/authorize?client_id=web&state=s&code=c&id_token_hint=t'), '/authorize?client_id=web&state=[redacted]&code=[redacted]&id_token_hint=[redacted]');
    assert.equal(redactUrl('/x?unforeseen=v&login%5Fhint=e'), '/x?unforeseen=[redacted]&login_hint=[redacted]');
    // A URL quoted inside a message (Fastify's own warnings do that).
    assert.equal(redactText('in the "/authorize?state=s1&client_id=web" route'), 'in the "/authorize?state=[redacted]&client_id=web" route');
    assert.equal(redactText('no query here'), 'no query here');
  });
});

/** The Set-Cookie lines of a response, by cookie name, attribute names lower-cased. */
const cookiesOf = (headers: Headers): Map<string, { attrs: Map<string, string>; line: string }> => {
  const out = new Map<string, { attrs: Map<string, string>; line: string }>();
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...rest] = line.split(';');
    const attrs = new Map<string, string>();
    for (const a of rest) {
      const i = a.indexOf('=');
      attrs.set((i < 0 ? a : a.slice(0, i)).trim().toLowerCase(), i < 0 ? '' : a.slice(i + 1).trim());
    }
    out.set(pair.slice(0, pair.indexOf('=')).trim(), { attrs, line });
  }
  return out;
};

/**
 * A reverse proxy serving the provider under `prefix` (https://id.example.test/id → the provider
 * at its root), as an operator deploys an issuer with a path.
 */
const pathProxy = async (target: string, prefix: string): Promise<{ base: string; close: () => Promise<void> }> => {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${prefix}/`)) {
      res.writeHead(404).end();
      return;
    }
    const forward = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: url.slice(prefix.length), headers: req.headers }, (upstream: IncomingMessage) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

describe('cookies of an https issuer with a path: __Secure- and Path=the path (issue 10 §6, RFC 6265bis §4.1.3)', () => {
  let op: TestProvider;
  let proxy: Awaited<ReturnType<typeof pathProxy>>;
  before(async () => {
    op = await startProvider({ issuer: 'https://id.example.test/id' });
    proxy = await pathProxy(`http://127.0.0.1:${(op.app.server.address() as AddressInfo).port}`, '/id');
  });
  after(async () => {
    await proxy?.close();
    await op?.close();
  });

  it('every cookie of a sign-in is __Secure-, Secure and Path=/id; none is __Host- or unprefixed', async () => {
    const browser = new TestBrowser(proxy.base);
    const first = await browser.request(authorizeUrl(proxy.base, CLIENTS.web));
    assert.equal(first.location?.startsWith(`${proxy.base}/interaction/`), true, `the sign-in page is under the issuer's path: ${first.location}`);
    const interaction = [...cookiesOf(first.headers)].find(([name]) => name.endsWith('signoff-ia'));
    assert.ok(interaction, first.headers.getSetCookie().join(' | '));
    const page = await browser.request(first.location ?? '');
    assert.match(page.body, /action="\/id\/interaction\/[^"]+\/login"/);
    const hop = await browser.signIn(authorizeUrl(proxy.base, CLIENTS.web), USERS.alice);
    codeOf(hop, CLIENTS.web);
    const all = [...cookiesOf(first.headers), ...cookiesOf(hop.headers)];
    const names = all.map(([name]) => name);
    for (const expected of ['__Secure-signoff', '__Secure-signoff-state']) assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
    for (const [name, c] of all) {
      assert.ok(name.startsWith('__Secure-'), `${name}: ${c.line}`);
      assert.ok(c.attrs.has('secure'), c.line);
      assert.equal(c.attrs.get('path'), '/id', c.line);
      assert.ok(!c.attrs.has('domain'), c.line);
    }
  });

  it('single sign-on works with the path-scoped cookie, and the code is redeemable', async () => {
    const browser = new TestBrowser(proxy.base);
    await browser.signIn(authorizeUrl(proxy.base, CLIENTS.web), USERS.alice);
    const r = await silent(browser, proxy.base, CLIENTS.web);
    assert.ok(r.code, `error ${r.error}`);
    const tokens = await exchange(proxy.base, CLIENTS.web, r.code);
    assert.ok(tokens.id_token);
  });
});

describe('cookies of an https issuer at the root: __Host- and Path=/ (issue 10 §6)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ issuer: 'https://id.example.test' });
  });
  after(() => op?.close());

  it('the browser, interaction and browser-state cookies are __Host-, Secure, Path=/', async () => {
    const base = `http://127.0.0.1:${(op.app.server.address() as AddressInfo).port}`;
    const browser = new TestBrowser(base);
    const first = await browser.request(authorizeUrl(base, CLIENTS.web));
    const hop = await browser.signIn(authorizeUrl(base, CLIENTS.web), USERS.alice);
    const all = [...cookiesOf(first.headers), ...cookiesOf(hop.headers)];
    assert.deepEqual([...new Set(all.map(([n]) => n))].sort(), ['__Host-signoff', '__Host-signoff-ia', '__Host-signoff-state']);
    for (const [, c] of all) {
      assert.ok(c.attrs.has('secure'), c.line);
      assert.equal(c.attrs.get('path'), '/', c.line);
    }
  });
});

describe('HSTS on every response of an https issuer (issue 10 §6, RFC 6797)', () => {
  const opened: TestProvider[] = [];
  after(async () => {
    for (const op of opened) await op.close();
  });
  const open = async (overrides: Record<string, unknown>) => {
    const op = await startProvider(overrides);
    opened.push(op);
    return op;
  };
  const paths = ['/healthz', '/.well-known/openid-configuration', '/jwks', '/authorize', '/no-such-endpoint', '/token'];

  it('https at the root and under a path: Strict-Transport-Security: max-age=31536000 on pages, JSON, errors and 404s', async () => {
    for (const issuer of ['https://id.example.test', 'https://id.example.test/id']) {
      const op = await open({ issuer });
      for (const url of paths) {
        const res = await op.app.inject({ method: url === '/token' ? 'POST' : 'GET', url });
        assert.equal(res.headers['strict-transport-security'], 'max-age=31536000', `${issuer} ${url} (${res.statusCode})`);
      }
    }
  });

  it('follows http.hstsMaxAge, and an http (loopback) issuer sends none', async () => {
    const custom = await open({ issuer: 'https://id.example.test', http: { hstsMaxAge: '1d' } });
    assert.equal((await custom.app.inject('/healthz')).headers['strict-transport-security'], 'max-age=86400');
    const plain = await open({});
    assert.equal((await plain.app.inject('/healthz')).headers['strict-transport-security'], undefined);
  });
});

describe('a slowly sent request body does not hold its connection (issue 10 §6: body and request timeouts)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ http: { requestTimeout: 1, headersTimeout: 1 } });
  });
  after(() => op?.close());

  it('a body trickled a byte at a time is cut off with 408 before it is complete, and the connection closed', async () => {
    const { port } = new URL(op.issuer);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const declared = 1000;
    socket.write(`POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${declared}\r\n\r\n`);
    let sent = 0;
    let answer = '';
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
    const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')));
    socket.on('error', () => undefined);
    // A byte every 100 ms: far below the declared length, for up to 15 s; a provider without a
    // request timeout keeps waiting for the rest, so the loop below would run out first.
    const trickle = (async () => {
      for (let i = 0; i < 150 && !socket.destroyed; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if (socket.destroyed || socket.writableEnded) break;
        socket.write('a');
        sent++;
      }
      return 'still open' as const;
    })();
    const outcome = await Promise.race([closed, trickle]);
    socket.destroy();
    assert.equal(outcome, 'closed', `the provider still held the connection after ${sent} bytes`);
    assert.ok(sent < declared, 'the body was not complete when the provider closed the connection');
    assert.match(answer, /^HTTP\/1\.1 408 /, `answer: ${JSON.stringify(answer)}`);
  });

  it('the timeouts are configuration (http.requestTimeout, http.headersTimeout) and default to 30 s and 10 s', () => {
    const c = parseConfig({ issuer: 'http://127.0.0.1:4000' });
    assert.deepEqual([c.http.requestTimeout, c.http.headersTimeout], [30, 10]);
    assert.equal(op.app.server.requestTimeout, 1000);
    assert.equal(op.app.server.headersTimeout, 1000);
  });
});
