/**
 * What the provider exposes beyond its protocol answers (issue 10 §6 "Exposure"): secrets in its
 * log, the scope of its cookies and HSTS on https issuers, connections held by slow senders, and
 * the start-up work that keeps sign-in timing uniform.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../src/config/schema.js';
import { buildApp } from '../src/http/app.js';
import { redactText, redactUrl } from '../src/http/log-redaction.js';
import { type Provider, openProvider } from '../src/provider.js';
import { CLIENTS, USERS, defaultClients } from './helpers/provider.js';

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
